/**
 * The ingest API as the web process serves it, without a Next build: a plain HTTP server that
 * hands each request to the real route handler (app/api/v1/events/route.ts), with the same
 * database pools, body limits and answers. For the restart drill (scripts/restart-drill.ts):
 * its Postgres connections are killed under it, and it must recover without being restarted.
 */
import http from "node:http";
import { Readable } from "node:stream";
import { POST } from "../app/api/v1/events/route";

const port = Number(process.env.DRILL_WEB_PORT ?? 3241);

const server = http.createServer((req, res) => {
  void (async () => {
    try {
      if (req.method !== "POST" || req.url !== "/api/v1/events") {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const request = new Request(`http://127.0.0.1:${port}${req.url}`, {
        method: "POST",
        headers,
        body: Readable.toWeb(req) as ReadableStream,
        duplex: "half",
      } as RequestInit);
      const answer = await POST(request);
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (err) {
      // The route handler answers every failure itself; reaching here is a bug the drill reports.
      console.error("[drill web] unhandled", err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  })();
});
server.listen(port, "127.0.0.1", () => console.log(`[drill web] ingest API on http://127.0.0.1:${port}/api/v1/events`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
