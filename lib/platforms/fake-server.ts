import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Test helper: a real HTTP server on a free port that answers with whatever the test says and
 * records every request, so the clients are exercised over real sockets without the sandbox.
 */
type RecordedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: unknown; raw: string };
type FakeReply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string>; delayMs?: number };
export type FakeHandler = (req: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>;

export async function startFakeServer(handler: FakeHandler) {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const recorded = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body, raw };
    requests.push(recorded);
    const reply = await handler(recorded, requests.length - 1);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    const text = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
    res.writeHead(reply.status, { "Content-Type": reply.raw ? "text/html" : "application/json", ...reply.headers });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeServer = Awaited<ReturnType<typeof startFakeServer>>;

/** A clock the test moves by hand. */
export function manualClock(start = "2026-01-27T12:00:00Z") {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}
