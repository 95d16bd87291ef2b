// The platform sandbox: a standalone HTTP server playing Shopify (App Events, Partner API)
// and Wix (OAuth, billing events, app instance, Custom Charges plugin calls), plus the control
// API under /_sandbox/. It imports nothing from the app. `npm run sandbox` starts it.
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Sandbox } from "./context";
import { controlRoutes } from "./control";
import { platformOf, rollFault, takeFault } from "./faults";
import { json, Router, type Reply } from "./http";
import { shopifyRoutes } from "./shopify/router";
import { StateFile } from "./state-file";
import { wixRoutes } from "./wix/router";
import { resumeWebhooks } from "./wix/webhooks";

export type SandboxOptions = {
  port?: number;
  host?: string;
  /** Path of the state file; null keeps state in memory only. Default `.data/sandbox-state.json` (cwd). */
  stateFile?: string | null;
  /** Fixture used on first start and on reset (default: sandbox/fixtures/default.json). */
  fixture?: unknown;
  /** Delay before Shopify billing verdicts appear (default 1000 ms; 0 = at once). */
  verdictDelayMs?: number;
  /**
   * Write the state file before each answer, as a real platform commits before it acknowledges:
   * a SIGKILL then loses nothing it answered. Slower (the whole state per request); for restart drills.
   */
  durable?: boolean;
};

export type RunningSandbox = { url: string; port: number; close(): Promise<void> };

const MAX_BODY_BYTES = 1_000_000;
export const DEFAULT_PORT = 4010;
export const DEFAULT_STATE_FILE = ".data/sandbox-state.json";

/** The bundled fixture; SANDBOX_WIX_PROVIDER_BASE_URI and SANDBOX_WIX_WEBHOOK_URL replace the Wix apps' baseUri and webhook URL. */
export function loadDefaultFixture(): unknown {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/default.json", import.meta.url), "utf8"));
  const baseUri = process.env.SANDBOX_WIX_PROVIDER_BASE_URI;
  if (baseUri) for (const app of fixture.wix.apps) app.baseUri = baseUri;
  const webhookUrl = process.env.SANDBOX_WIX_WEBHOOK_URL;
  if (webhookUrl) for (const app of fixture.wix.apps) app.webhookUrl = webhookUrl;
  return fixture;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const stateFile = opts.stateFile === undefined ? path.resolve(DEFAULT_STATE_FILE) : opts.stateFile;
  const sb = new Sandbox(
    new StateFile(stateFile),
    () => opts.fixture ?? loadDefaultFixture(),
    opts.verdictDelayMs !== undefined ? { verdictDelayMs: opts.verdictDelayMs } : {},
  );
  const router = new Router();
  shopifyRoutes(router, sb);
  wixRoutes(router, sb);
  controlRoutes(router, sb);
  resumeWebhooks(sb);

  const held = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    handle(sb, router, held, req, res, !!opts.durable && stateFile !== null).catch((err: unknown) => {
      console.error("[sandbox] unexpected error", err);
      if (!res.headersSent) write(res, json(500, { error: "internal sandbox error", message: (err as Error).message }), "other");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? DEFAULT_PORT, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      for (const t of held) clearTimeout(t);
      sb.clearTimers();
      held.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      sb.flush();
    },
  };
}

async function handle(
  sb: Sandbox,
  router: Router,
  held: Set<NodeJS.Timeout>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  durable: boolean,
): Promise<void> {
  const receivedMs = sb.now();
  const url = new URL(req.url ?? "/", "http://sandbox.local");
  const method = req.method ?? "GET";
  const platform = platformOf(url.pathname);
  const rawBody = await readBody(req);
  if (rawBody === null) return write(res, json(413, { error: "request body too large" }), platform);

  if (!url.pathname.startsWith("/_sandbox/")) {
    const fault = takeFault(sb.faults, method, url.pathname);
    if (fault) {
      if (fault.slowMs > 0) await new Promise((r) => setTimeout(r, fault.slowMs));
      const outcome = rollFault(fault, url.pathname);
      if (outcome.kind === "hold") {
        const timer = setTimeout(() => {
          held.delete(timer);
          req.socket.destroy();
        }, sb.state.settings.faultTimeoutHoldMs);
        held.add(timer);
        return;
      }
      if (outcome.kind === "reply") return write(res, outcome.reply, platform);
    }
  }

  const match = router.match(method, url.pathname);
  if (match === null) return write(res, notFound(platform), platform);
  if (match === "method_not_allowed") return write(res, json(405, { error: `${method} is not allowed on ${url.pathname}` }), platform);
  const reply = await match.handler({ method, path: url.pathname, query: url.searchParams, headers: req.headers, params: match.params, rawBody, receivedMs });
  if (durable && method !== "GET") sb.flush();
  write(res, reply, platform);
  sb.changed();
}

function notFound(platform: ReturnType<typeof platformOf>): Reply {
  if (platform === "wix") return json(404, { message: "Not Found", details: {} });
  if (platform === "shopify") return json(404, { success: false, error: "Not Found" });
  return json(404, { error: "Not Found" });
}

function write(res: http.ServerResponse, reply: Reply, platform: ReturnType<typeof platformOf>): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (platform === "wix") headers["x-wix-request-id"] = crypto.randomUUID();
  res.writeHead(reply.status, headers);
  res.end(reply.body ?? "");
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function main(): Promise<void> {
  const port = process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : DEFAULT_PORT;
  const delay = process.env.SANDBOX_VERDICT_DELAY_MS;
  const running = await startSandbox({
    port,
    host: process.env.SANDBOX_HOST || "127.0.0.1",
    stateFile: path.resolve(process.env.SANDBOX_STATE_FILE || DEFAULT_STATE_FILE),
    verdictDelayMs: delay ? Number(delay) : undefined,
    durable: process.env.SANDBOX_DURABLE === "1",
  });
  console.log(`[sandbox] Shopify + Wix sandbox listening on ${running.url} (control API: ${running.url}/_sandbox/)`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error("[sandbox] failed to start:", err);
    process.exit(1);
  });
}
