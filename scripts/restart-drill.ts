/**
 * npm run test:restarts — restarts survived (issue 14, item 9).
 *
 * Separate processes against the real Postgres: the ingest API as the web process serves it
 * (scripts/restart-drill-web.ts), the real delivery worker (scripts/worker.ts) and the platform
 * sandbox (durable: it writes its state before it answers, as a real platform commits first).
 * During an ingest + delivery burst every Postgres connection of the app is killed 5 times
 * (pg_terminate_backend); then the sandbox is restarted mid-delivery, once with SIGTERM and once
 * with SIGKILL. Checks: each batch all-or-nothing (after a failed answer its events are all in
 * the ledger or none), every event accepted by the sandbox exactly once, nothing stuck, the
 * web process and the worker never restarted. Prints its figures; exits 1 on any failure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const BASE_PORT = Number(process.env.DRILL_PORT ?? 3240);
const SANDBOX_PORT = BASE_PORT;
const WEB_PORT = BASE_PORT + 1;
const BATCH = 100;
const PHASES = [15, 8, 8]; // batches: the burst under connection kills, then one before each sandbox restart
const DEADLINE_MS = 150_000;
const started = Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
};
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "restart-drill-"));
const children = new Set<ChildProcess>();
/** Children the drill itself stops (the sandbox restarts, the end). */
const stoppingChildren = new Set<ChildProcess>();
function start(name: string, script: string, env: Record<string, string | undefined>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  // The last lines a child wrote are printed if it ends unasked, so a CI log says why.
  const tail: string[] = [];
  const keep = (d: Buffer) => {
    if (process.env.DRILL_VERBOSE) process.stderr.write(`[${name}] ${d}`);
    tail.push(...d.toString().split("\n").filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 30));
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  children.add(child);
  child.on("exit", (code, signal) => {
    children.delete(child);
    if (!stoppingChildren.has(child)) console.error(`[${name}] exited (${signal ?? `code ${code}`}); its last lines:\n${tail.map((l) => `  ${l}`).join("\n")}`);
  });
  return child;
}
const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r())));

async function waitFor(url: string, what: string) {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(url, { method: url.endsWith("/events") ? "POST" : "GET" });
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${what} did not come up at ${url}`);
}

const sandboxEnv = {
  SANDBOX_PORT: String(SANDBOX_PORT),
  SANDBOX_STATE_FILE: path.join(stateDir, "sandbox.json"),
  SANDBOX_DURABLE: "1",
  SANDBOX_VERDICT_DELAY_MS: "0",
};
const sandboxUrl = `http://127.0.0.1:${SANDBOX_PORT}`;
let sandbox = start("sandbox", "sandbox/server.ts", sandboxEnv);
await waitFor(`${sandboxUrl}/_sandbox/health`, "the sandbox");

const { createIngestKey, startLedgerEnv } = await import("../lib/testing/ledger-env");
const env = await startLedgerEnv({ sandboxUrl });
if (env.databaseKind !== "postgres") {
  console.error("The restart drill needs the real Postgres (TEST_DATABASE_URL or 127.0.0.1:5432).");
  process.exit(1);
}
const dbName = new URL(process.env.DATABASE_URL!).pathname.slice(1);
const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres" });
await admin.connect();
// The drill's own reads: a pool whose connections die with the app's, each read retried.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
pool.on("error", () => {});
async function q<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  for (let i = 0; ; i++) {
    try {
      return (await pool.query<T>(text, values)).rows;
    } catch (err) {
      if (i > 50) throw err;
      await sleep(100);
    }
  }
}
const apiKey = await createIngestKey(env, "restart drill");
// The drill's own Prisma client is not the app's: it goes before the kills start.
await env.db.$disconnect();

const appEnv = {
  DATABASE_URL: process.env.DATABASE_URL,
  APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY,
  AUTH_SECRET: process.env.AUTH_SECRET,
  SANDBOX_URL: sandboxUrl,
  LOG_LEVEL: "warn",
};
const web = start("web", "scripts/restart-drill-web.ts", { ...appEnv, DRILL_WEB_PORT: String(WEB_PORT) });
const worker = start("worker", "scripts/worker.ts", { ...appEnv, WORKER_LEASE_SECONDS: "4", WORKER_SEND_TIMEOUT_MS: "3000", WORKER_MAX_ATTEMPTS: "30" });
let webExits = 0;
let workerExits = 0;
web.on("exit", () => (webExits += 1));
worker.on("exit", () => (workerExits += 1));
await waitFor(`http://127.0.0.1:${WEB_PORT}/api/v1/events`, "the web process");

// --- ingest: batches over HTTP, retried with the same keys until answered ---------------------
const at = new Date(Date.now() - 60_000).toISOString();
const figures = { batches: 0, failedAnswers: 0, partialBatches: 0, duplicatesOnRetry: 0, terminated: [] as number[] };
async function keysStored(prefix: string): Promise<number> {
  const [row] = await q<{ n: string }>("SELECT count(*) AS n FROM billing_events WHERE idempotency_key LIKE $1", [`${prefix}%`]);
  return Number(row!.n);
}

async function sendBatch(phase: number, b: number) {
  const prefix = `drill-${phase}-${b}-`;
  const events = Array.from({ length: BATCH }, (_, i) => ({
    platform: "shopify",
    connection_id: env.shopifyConnectionId,
    shop_id: "23423423",
    event_handle: "sms_sent",
    timestamp: at,
    idempotency_key: `${prefix}${i}`,
    attributes: { value: 1 },
  }));
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let body: { summary?: Record<string, number> } = {};
    try {
      const res = await fetch(`http://127.0.0.1:${WEB_PORT}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ events }),
      });
      status = res.status;
      body = await res.json().catch(() => ({}));
    } catch {
      status = 0;
    }
    if (status === 200) {
      const s = body.summary ?? {};
      if ((s.accepted ?? 0) + (s.duplicate ?? 0) !== BATCH) failures.push(`batch ${prefix}: answered ${JSON.stringify(s)}`);
      if (attempt > 1) figures.duplicatesOnRetry += s.duplicate ?? 0;
      figures.batches += 1;
      return;
    }
    figures.failedAnswers += 1;
    if (status !== 503 && status !== 0) failures.push(`batch ${prefix}: answered ${status} (only 503 with Retry-After is a retryable failure)`);
    const n = await keysStored(prefix);
    if (n !== 0 && n !== BATCH) figures.partialBatches += 1;
    await sleep(300);
  }
}
async function ingestPhase(phase: number, batches: number, parallel = 3) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < batches) await sendBatch(phase, next++);
    }),
  );
}

async function terminateAll(): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    [dbName],
  );
  return Number(rows[0]!.n);
}

async function pending(): Promise<{ open: number; accepted: number }> {
  const [row] = await q<{ open: string; accepted: string }>(
    `SELECT count(*) FILTER (WHERE state <> 'accepted') AS open, count(*) FILTER (WHERE state = 'accepted') AS accepted FROM billing_events WHERE idempotency_key LIKE 'drill-%'`,
  );
  return { open: Number(row!.open), accepted: Number(row!.accepted) };
}

// Phase 1: the burst, with every app connection killed 5 times while it is ingested and delivered.
const burst = ingestPhase(1, PHASES[0]!);
for (let k = 0; k < 5; k++) {
  await sleep(1200);
  // A kill that finds no connection (between queries) is tried again a moment later.
  let n = await terminateAll();
  for (let t = 0; n === 0 && t < 50; t++) {
    await sleep(100);
    n = await terminateAll();
  }
  figures.terminated.push(n);
}
await burst;
console.log(`ingested phase 1 (${PHASES[0]! * BATCH} events) at ${elapsed()}; connections terminated per kill: ${figures.terminated.join(", ")}`);

// Phases 2 and 3: the sandbox restarted while events are still being delivered.
const restarts: { signal: string; openAtKill: number; acceptedAtKill: number }[] = [];
for (const [i, signal] of (["SIGTERM", "SIGKILL"] as const).entries()) {
  await ingestPhase(2 + i, PHASES[1 + i]!);
  const before = (await pending()).accepted;
  // Mid-delivery: some of this phase delivered, some not.
  let p = await pending();
  for (let t = 0; t < 200 && p.accepted === before && p.open > 0; t++) {
    await sleep(20);
    p = await pending();
  }
  stoppingChildren.add(sandbox);
  sandbox.kill(signal);
  await exited(sandbox);
  restarts.push({ signal, openAtKill: p.open, acceptedAtKill: p.accepted });
  await sleep(1000);
  sandbox = start("sandbox", "sandbox/server.ts", sandboxEnv);
  await waitFor(`${sandboxUrl}/_sandbox/health`, "the restarted sandbox");
}

// Drain: everything delivered, within the deadline.
const total = PHASES.reduce((a, b) => a + b, 0) * BATCH;
let last = await pending();
while (last.open > 0 && Date.now() - started < DEADLINE_MS) {
  await sleep(500);
  last = await pending();
}
console.log(`drained at ${elapsed()}: ${last.accepted} accepted, ${last.open} not`);

// --- checks -------------------------------------------------------------------------------------
const states = await q<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM billing_events WHERE idempotency_key LIKE 'drill-%' GROUP BY state`);
check(
  JSON.stringify(Object.fromEntries(states.map((s) => [s.state, Number(s.n)]))) === JSON.stringify({ accepted: total }),
  `ledger: all ${total} events accepted, none stuck (${states.map((s) => `${s.state} ${s.n}`).join(", ")})`,
);
const [leases] = await q<{ n: string }>(
  `SELECT count(*) AS n FROM billing_events WHERE idempotency_key LIKE 'drill-%' AND locked_until IS NOT NULL AND state <> 'accepted'`,
);
check(Number(leases!.n) === 0, "no event left leased");
check(
  figures.partialBatches === 0,
  `batches all-or-nothing: ${figures.batches} batches, ${figures.failedAnswers} failed answers retried, ${figures.partialBatches} partly stored`,
);
check(
  restarts.every((r) => r.openAtKill > 0),
  `sandbox restarted mid-delivery: ${restarts.map((r) => `${r.signal} with ${r.openAtKill} undelivered`).join("; ")}`,
);
check(
  figures.terminated.length === 5 && figures.terminated.every((n) => n > 0),
  `5 kills of every app connection (${figures.terminated.reduce((a, b) => a + b, 0)} connections terminated)`,
);

type LogPage = { rows: { idempotency_key: string }[]; next_cursor: string | null };
const accepted = new Map<string, number>();
let after: string | null = null;
do {
  const res = await fetch(`${sandboxUrl}/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250&order=asc&status=200${after ? `&after=${after}` : ""}`);
  const page = (await res.json()) as LogPage;
  for (const r of page.rows) if (r.idempotency_key.startsWith("drill-")) accepted.set(r.idempotency_key, (accepted.get(r.idempotency_key) ?? 0) + 1);
  after = page.next_cursor;
} while (after);
const twice = [...accepted.values()].filter((n) => n > 1).length;
check(accepted.size === total && twice === 0, `sandbox accepted every event exactly once: ${accepted.size} of ${total} keys, ${twice} twice`);
await fetch(`${sandboxUrl}/_sandbox/shopify/verdicts/settle`, { method: "POST" });
const shops = (await (await fetch(`${sandboxUrl}/_sandbox/shopify/apps/sandbox-sms-blaster/shops`)).json()) as {
  shops: { id: string; subscription: { usage: { meter: string; quantity: string }[] } | null }[];
};
const usage = shops.shops.find((s) => s.id === "23423423")?.subscription?.usage.find((u) => u.meter === "sms_sent")?.quantity;
check(usage === String(total), `what Shopify would bill: sms_sent ${usage} units for ${total} events`);
const arrivals = (await (await fetch(`${sandboxUrl}/_sandbox/shopify/apps/sandbox-sms-blaster/requests`)).json()) as {
  requests: number;
  keys: number;
  repeated_requests: number;
};
const [attempts] = await q<{ n: string; retried: string }>(
  `SELECT count(*) AS n, count(*) FILTER (WHERE a.number > 1) AS retried FROM delivery_attempts a JOIN billing_events e ON e.id = a.event_id WHERE e.idempotency_key LIKE 'drill-%'`,
);
check(
  webExits === 0 && workerExits === 0 && web.exitCode === null && worker.exitCode === null,
  "web process and worker recovered without a restart (never exited)",
);

console.log(
  JSON.stringify({
    events: total,
    seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
    batches: figures.batches,
    failedIngestAnswers: figures.failedAnswers,
    duplicatesOnRetry: figures.duplicatesOnRetry,
    connectionsTerminated: figures.terminated,
    sandboxRestarts: restarts,
    deliveryAttempts: Number(attempts!.n),
    resends: Number(attempts!.retried),
    arrivalsSinceLastSandboxStart: { requests: arrivals.requests, keys: arrivals.keys, repeated: arrivals.repeated_requests },
  }),
);

for (const c of [...children]) {
  stoppingChildren.add(c);
  c.kill("SIGTERM");
}
await Promise.all([...children].map(exited));
await pool.end().catch(() => {});
await admin.end();
await env.close().catch(() => {});
fs.rmSync(stateDir, { recursive: true, force: true });
if (failures.length) {
  console.error(`\nrestart drill FAILED:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log(`restart drill passed in ${elapsed()}`);
process.exit(0);
