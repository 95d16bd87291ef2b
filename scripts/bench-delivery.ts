/**
 * Delivery benchmark: N events through real worker processes to the sandbox at its 500/s limit.
 * The worker processes start first and the 10,000 events come due once they run (as a burst
 * reaching long-running workers). Also prints the steady-state rate (after the first 1,000 sends)
 * and the busiest one-second window as the sandbox saw it.
 * Prints the sustained send rate (goal: at least 95 % of the limit), 429s (goal: 0) and
 * duplicates in the sandbox's log (goal: 0).   npx tsx scripts/bench-delivery.ts [events] [workers]
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLedgerEnv, sandboxJson } from "../lib/testing/ledger-env";

const total = Number(process.argv[2] ?? 10_000);
const workerCount = Number(process.argv[3] ?? 2);
// The sandbox runs in its own process, as in production, so its clock is not stalled by this one.
const sandboxPort = 4510;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-sandbox-"));
const exited = (child: ChildProcess) => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
// A sandbox left over on the port (an earlier run still stopping) would answer instead of ours.
if (await fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/health`).then(() => true, () => false)) {
  throw new Error(`port ${sandboxPort} is taken: another sandbox is still running`);
}
const sandbox = spawn(process.execPath, ["--import", "tsx", "sandbox/server.ts"], {
  env: { ...process.env, SANDBOX_PORT: String(sandboxPort), SANDBOX_STATE_FILE: path.join(stateDir, "state.json") }, stdio: "ignore",
});
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`${sandboxUrl}/_sandbox/health`)).ok) break;
  } catch { /* starting */ }
  await new Promise((r) => setTimeout(r, 100));
}
await fetch(`${sandboxUrl}/_sandbox/settings`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ verdictDelayMs: 0 }) });
const env = await startLedgerEnv({ sandboxUrl });
const { ingestEvents } = await import("../lib/services/ingest");
const at = new Date(Date.now() - 60_000).toISOString();
for (let b = 0; b < total / 1000; b++) {
  await ingestEvents(Array.from({ length: 1000 }, (_, i) => ({
    platform: "shopify", connection_id: env.shopifyConnectionId, shop_id: "23423423", event_handle: "sms_sent", timestamp: at,
    idempotency_key: `bench-${b}-${i}`, attributes: { value: 1 },
  })), { source: "api" });
}
// The workers are already running when the burst arrives, as in production: the events wait
// (next attempt in an hour) until every worker process has started, then all come due at once.
await env.db.$executeRaw`UPDATE billing_events SET next_attempt_at = now() + interval '1 hour' WHERE idempotency_key LIKE 'bench-%'`;
console.log(`${total} events in the ledger (${env.databaseKind}); starting ${workerCount} worker process(es)`);
const workers = Array.from({ length: workerCount }, () =>
  spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env: { ...process.env, LOG_LEVEL: process.env.BENCH_LOG ?? "silent" }, stdio: "inherit" }),
);
await new Promise((r) => setTimeout(r, Number(process.env.BENCH_WORKER_START_MS ?? 5000)));
await env.db.$executeRaw`UPDATE billing_events SET next_attempt_at = now() WHERE idempotency_key LIKE 'bench-%'`;
let first: number | null = null;
let last = 0;
for (;;) {
  await new Promise((r) => setTimeout(r, 1000));
  const [{ accepted, firstAt, lastAt }] = await env.db.$queryRaw<{ accepted: bigint; firstAt: Date | null; lastAt: Date | null }[]>`
    SELECT count(*) FILTER (WHERE state = 'accepted') AS accepted, min(a.started_at) AS "firstAt", max(a.started_at) AS "lastAt"
    FROM billing_events e LEFT JOIN delivery_attempts a ON a.event_id = e.id WHERE e.idempotency_key LIKE 'bench-%'`;
  if (firstAt) first = firstAt.getTime();
  if (lastAt) last = lastAt.getTime();
  if (Number(accepted) >= total) break;
}
for (const w of workers) w.kill("SIGTERM");
await Promise.all(workers.map(exited));
const seconds = (last - first!) / 1000;
// Steady state: from the 1,001st send on, once the workers' connections and code are warm.
const starts = (await env.db.$queryRaw<{ at: Date }[]>`SELECT started_at AS at FROM delivery_attempts ORDER BY started_at`).map((r) => r.at.getTime());
const warm = starts.length > 2000 ? (starts.length - 1001) / ((starts.at(-1)! - starts[1000]!) / 1000) : null;
const tooMany = await env.db.deliveryAttempt.count({ where: { status: 429 } });
const attempts = await env.db.deliveryAttempt.count();
let rows = 0;
const keys = new Set<string>();
const arrivals: number[] = [];
let after: string | null = null;
do {
  const page: { rows: { idempotency_key: string; received_at: string }[]; next_cursor: string | null } = await sandboxJson(env, `/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250&order=asc&status=200${after ? `&after=${after}` : ""}`);
  for (const r of page.rows) { rows += 1; keys.add(r.idempotency_key); arrivals.push(Date.parse(r.received_at)); }
  after = page.next_cursor;
} while (after);
console.log(`delivered ${total} events in ${seconds.toFixed(2)} s with ${workerCount} workers: ${(total / seconds).toFixed(0)} events/s (${((total / seconds / 500) * 100).toFixed(1)} % of the 500/s limit)`);
// The busiest second as the sandbox saw it (its own receive times): the sliding window it limits.
arrivals.sort((a, b) => a - b);
let busiest = 0;
for (let i = 0, j = 0; i < arrivals.length; i++) {
  while (arrivals[i]! - arrivals[j]! >= 1000) j++;
  busiest = Math.max(busiest, i - j + 1);
}
if (warm) console.log(`steady state (sends 1,001 to ${starts.length.toLocaleString("en")}): ${warm.toFixed(0)} events/s (${((warm / 500) * 100).toFixed(1)} % of the limit)`);
console.log(`busiest 1-second window at the sandbox: ${busiest} accepted requests (limit 500)`);
console.log(`attempts ${attempts}, 429 answers ${tooMany}, sandbox log rows ${rows}, distinct keys ${keys.size}, duplicates ${rows - keys.size}`);
await env.close();
sandbox.kill("SIGTERM");
await exited(sandbox);
fs.rmSync(stateDir, { recursive: true, force: true });
process.exit(0);
