/**
 * Delivery benchmark: N events through real worker processes to the sandbox at its 500/s limit.
 * The worker processes start first and the 10,000 events come due once they run (as a burst
 * reaching long-running workers). Also prints the steady-state rate (after the first 1,000 sends)
 * and the busiest one-second window as the sandbox saw it.
 * Prints the sustained send rate (goal: at least 95 % of the limit), 429s (goal: 0) and
 * duplicate sends (goal: 0), counted from every request the sandbox received per key (before its
 * replay cache), beside the retries the ledger recorded.
 * With `--apps N`, N Shopify apps (each its own connection and its own 500/s budget at the sandbox)
 * deliver `events` each at once, and every app must reach the goal on its own.
 *   npx tsx scripts/bench-delivery.ts [events] [workers] [--apps N] [--smoke]
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLedgerEnv, sandboxJson } from "../lib/testing/ledger-env";
import { BenchReport, cannotMeasure, smoke, stopOnUnexpectedErrors, waitForHttp } from "./bench-report";
import { one } from "./bench-helpers";

stopOnUnexpectedErrors();
const args = process.argv.slice(2);
const appsAt = args.indexOf("--apps");
const appCount = appsAt >= 0 ? Number(args[appsAt + 1]) : 1;
const positional = args.filter((a, i) => !a.startsWith("--") && !(appsAt >= 0 && i === appsAt + 1));
const total = Number(positional[0] ?? (smoke ? 1_000 : 10_000));
const workerCount = Number(positional[1] ?? 2);
if (!Number.isInteger(total) || total < 1000 || total % 1000 !== 0) cannotMeasure("events must be a multiple of 1,000");
if (!Number.isInteger(appCount) || appCount < 1 || appCount > 8) cannotMeasure("--apps takes 1 to 8");
// The sandbox runs in its own process, as in production, so its clock is not stalled by this one.
const sandboxPort = 4510;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-sandbox-"));
const exited = (child: ChildProcess) => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
// A sandbox left over on the port (an earlier run still stopping) would answer instead of ours.
if (
  await fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/health`).then(
    () => true,
    () => false,
  )
) {
  cannotMeasure(`port ${sandboxPort} is taken: another sandbox is still running`);
}
const sandbox = spawn(process.execPath, ["--import", "tsx", "sandbox/server.ts"], {
  env: { ...process.env, SANDBOX_PORT: String(sandboxPort), SANDBOX_STATE_FILE: path.join(stateDir, "state.json") },
  stdio: "ignore",
});
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
await waitForHttp(`${sandboxUrl}/_sandbox/health`, "the sandbox", 30_000, () => sandbox.exitCode !== null);
const control = (method: string, route: string, body?: unknown) =>
  fetch(`${sandboxUrl}${route}`, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
/** The default fixture with apps 2..N beside the first: the same plans, each installed on the dev store with its own secret. */
const apps = Array.from({ length: appCount }, (_, k) =>
  k === 0
    ? { clientId: "sandbox-sms-blaster", secret: "shpss_sandbox_demo_secret" }
    : { clientId: `sandbox-sms-blaster-${k + 1}`, secret: `shpss_bench_app_${k + 1}_secret` },
);
if (appCount > 1) {
  type Install = { app: string };
  const fixture = JSON.parse(fs.readFileSync("sandbox/fixtures/default.json", "utf8")) as {
    shopify: { apps: { clientId: string; clientSecret: string; gid: string; title: string }[]; shops: { id: string; installs?: Install[] }[] };
  };
  const first = fixture.shopify.apps.find((a) => a.clientId === apps[0]!.clientId)!;
  const store = fixture.shopify.shops.find((s) => s.id === "23423423")!;
  const install = store.installs!.find((i) => i.app === first.clientId)!;
  for (const [k, a] of apps.entries()) {
    if (k === 0) continue;
    fixture.shopify.apps.push({ ...first, clientId: a.clientId, clientSecret: a.secret, gid: `gid://shopify/App/${9000 + k}`, title: `SMS Blaster ${k + 1}` });
    store.installs!.push({ ...install, app: a.clientId });
  }
  const seeded = await control("POST", "/_sandbox/seed", fixture);
  if (!seeded.ok) cannotMeasure(`the sandbox refused the ${appCount}-app fixture: ${seeded.status} ${await seeded.text()}`);
}
await control("PATCH", "/_sandbox/settings", { verdictDelayMs: 0 });
const env = await startLedgerEnv({ sandboxUrl });
const report = new BenchReport(
  `Delivery benchmark: ${total.toLocaleString("en")} events${appCount > 1 ? ` for each of ${appCount} apps at once` : ""}, ${workerCount} worker process(es), sandbox limit 500/s per app`,
);
await report.machine(process.env.DATABASE_URL);
const { ingestEvents } = await import("../lib/services/ingest/ingest");
const { syncSandboxConnection } = await import("../lib/services/connections/sync-sandbox");
const { encryptSecret } = await import("../lib/crypto");
// One connection per app: the demo one, then a copy of it for each further app, imported from the sandbox like any.
const demo = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
const connections = [{ id: demo.id, clientId: demo.clientId }];
for (const a of apps.slice(1)) {
  const c = await env.db.connection.create({
    data: {
      name: `${a.clientId} (bench)`,
      platform: "shopify",
      environment: "sandbox",
      apiBaseUrl: demo.apiBaseUrl,
      clientId: a.clientId,
      clientSecretEnc: encryptSecret(a.secret),
    },
  });
  await syncSandboxConnection(c.id);
  connections.push({ id: c.id, clientId: a.clientId });
}
const at = new Date(Date.now() - 60_000).toISOString();
for (const [k, c] of connections.entries()) {
  for (let b = 0; b < total / 1000; b++) {
    const results = await ingestEvents(
      Array.from({ length: 1000 }, (_, i) => ({
        platform: "shopify",
        connection_id: c.id,
        shop_id: "23423423",
        event_handle: "sms_sent",
        timestamp: at,
        idempotency_key: `bench-${k}-${b}-${i}`,
        attributes: { value: 1 },
      })),
      { source: "api" },
    );
    const refused = results.filter((r) => r.status !== "accepted");
    if (refused.length) cannotMeasure(`ingest did not queue ${refused.length} of 1,000 events for ${c.clientId}: ${JSON.stringify(refused[0])}`);
  }
}
const grand = total * appCount;
// The workers are already running when the burst arrives, as in production: the events wait
// (next attempt in an hour) until every worker process has started, then all come due at once.
await env.db.$executeRaw`UPDATE billing_events SET next_attempt_at = now() + interval '1 hour' WHERE idempotency_key LIKE 'bench-%'`;
console.log(`${grand} events in the ledger (${env.databaseKind}); starting ${workerCount} worker process(es)`);
const workers = Array.from({ length: workerCount }, () =>
  spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    env: { ...process.env, LOG_LEVEL: process.env.BENCH_LOG ?? "silent" },
    stdio: "inherit",
  }),
);
await new Promise((r) => setTimeout(r, Number(process.env.BENCH_WORKER_START_MS ?? 5000)));
await env.db.$executeRaw`UPDATE billing_events SET next_attempt_at = now() WHERE idempotency_key LIKE 'bench-%'`;
const deadline = Date.now() + Math.max(120_000, total * 20);
for (;;) {
  if (Date.now() > deadline) cannotMeasure(`delivery did not finish within ${(Math.max(120_000, total * 20) / 1000).toFixed(0)} s`);
  if (workers.some((w) => w.exitCode !== null)) cannotMeasure("a worker process exited during the run");
  await new Promise((r) => setTimeout(r, 1000));
  const { accepted } = one(
    await env.db.$queryRaw<{ accepted: bigint }[]>`
    SELECT count(*) FILTER (WHERE state = 'accepted') AS accepted FROM billing_events WHERE idempotency_key LIKE 'bench-%'`,
  );
  if (Number(accepted) >= grand) break;
}
for (const w of workers) w.kill("SIGTERM");
await Promise.all(workers.map(exited));
for (const [k, c] of connections.entries()) {
  const name = appCount > 1 ? `${c.clientId}: ` : "";
  const timing = one(
    await env.db.$queryRaw<{ firstAt: Date; lastAt: Date }[]>`
    SELECT min(a.started_at) AS "firstAt", max(a.started_at) AS "lastAt" FROM delivery_attempts a JOIN billing_events e ON e.id = a.event_id WHERE e.connection_id = ${c.id}::uuid`,
  );
  const seconds = (timing.lastAt.getTime() - timing.firstAt.getTime()) / 1000;
  // Steady state: from the 1,001st send on, once the workers' connections and code are warm.
  const starts = (
    await env.db.$queryRaw<{ at: Date }[]>`
    SELECT a.started_at AS at FROM delivery_attempts a JOIN billing_events e ON e.id = a.event_id WHERE e.connection_id = ${c.id}::uuid ORDER BY a.started_at`
  ).map((r) => r.at.getTime());
  const warm = starts.length > 2000 ? (starts.length - 1001) / ((starts.at(-1)! - starts[1000]!) / 1000) : null;
  const tooMany = await env.db.deliveryAttempt.count({ where: { status: 429, event: { connectionId: c.id } } });
  const attempts = await env.db.deliveryAttempt.count({ where: { event: { connectionId: c.id } } });
  let billed = 0;
  const arrivals: number[] = [];
  let after: string | null = null;
  const app = encodeURIComponent(c.clientId);
  do {
    const page: { rows: { idempotency_key: string; received_at: string }[]; next_cursor: string | null } = await sandboxJson(
      env,
      `/_sandbox/shopify/apps/${app}/logs?limit=250&order=asc&status=200${after ? `&after=${after}` : ""}`,
    );
    for (const r of page.rows)
      if (r.idempotency_key.startsWith(`bench-${k}-`)) {
        billed += 1;
        arrivals.push(Date.parse(r.received_at));
      }
    after = page.next_cursor;
  } while (after);
  // Every request the sandbox received, per key, before its replay cache answered any of them.
  const received: { requests: number; keys: number; repeated_requests: number } = await sandboxJson(env, `/_sandbox/shopify/apps/${app}/requests`);
  const retries = attempts - total; // sends the ledger itself recorded as retries (after a 429, 5xx or timeout)
  const duplicates = received.repeated_requests - retries;
  // The busiest second as the sandbox saw it (its own receive times): the sliding window it limits.
  arrivals.sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while (arrivals[i]! - arrivals[j]! >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const rate = total / seconds;
  report.figure(
    `${name}sustained send rate over the whole run`,
    `${rate.toFixed(0)} events/s (${((rate / 500) * 100).toFixed(1)} % of 500/s)`,
    "≥ 95 % of the limit",
    rate >= 475,
  );
  if (warm)
    report.info(
      `${name}steady state (sends 1,001 to ${starts.length.toLocaleString("en")})`,
      `${warm.toFixed(0)} events/s (${((warm / 500) * 100).toFixed(1)} %)`,
    );
  report.info(`${name}busiest 1-second window at the sandbox`, `${busiest} accepted requests (limit 500)`);
  report.figure(`${name}429 answers`, String(tooMany), "0", tooMany === 0);
  report.check(`${name}events that reached the sandbox`, `${received.keys} distinct keys of ${total}`, `all ${total}`, received.keys === total);
  report.check(`${name}events billed at the sandbox (status 200 log rows)`, String(billed), `exactly ${total}`, billed === total);
  report.check(
    `${name}duplicate sends (requests per key at the sandbox beyond the ledger's recorded retries)`,
    `${duplicates} (requests ${received.requests}, attempts ${attempts})`,
    "0",
    duplicates === 0,
  );
}
await env.close();
sandbox.kill("SIGTERM");
await exited(sandbox);
fs.rmSync(stateDir, { recursive: true, force: true });
report.finish();
