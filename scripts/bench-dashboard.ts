/**
 * Dashboard read paths at scale, in one run, against a ledger from scripts/generate-events.ts:
 *   tsx scripts/bench-dashboard.ts [--database pbd_bench] [--runs 40] [--app-url http://127.0.0.1:3300]
 * Prints p50/p95 of: the Overview's chart queries for 30 days (rollups) and the same answer by a
 * plain GROUP BY over billing_events (checked equal), explorer pages (first and deep, with and
 * without filters), the Overview's server-side data (every query the page runs), optionally the
 * page over HTTP from `next start` (signed in as the generator's bench user), the cost of keeping
 * rollups exact on insert and verdict, and CSV export throughput.
 * Goals (issue 6): chart p95 ≤ 50 ms and ≥ 50× faster than the plain scan, with identical
 * answers; explorer pages p95 ≤ 100 ms; Overview render p95 ≤ 300 ms, warm and cold: the cold
 * figures come from a Postgres cluster of the benchmark's own (scripts/bench-cluster.ts, filled by
 * the generator at the same size), restarted before each sample (`--cold-runs 0` skips them;
 * the machine's shared server is never restarted). Then the storage one event costs (issue 17:
 * ≤ 600 B), relation by relation, with each index's scans. Exits 1 when one is missed
 * (speed goals reported but not enforced with --smoke), 2 when it cannot measure.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startTempCluster } from "./bench-cluster";
import { BENCH_USER } from "./generate-entities";
import { httpOverview, one, plainScan, rollupUpkeep, signIn, stats, type Stats } from "./bench-helpers";
import { BenchReport, stopOnUnexpectedErrors } from "./bench-report";

stopOnUnexpectedErrors();
const { values: args } = parseArgs({
  options: {
    database: { type: "string", default: "pbd_bench" },
    runs: { type: "string", default: "40" },
    "app-url": { type: "string" },
    smoke: { type: "boolean", default: false },
    // Cold figures: a cluster of the benchmark's own (never the shared server), filled by the
    // generator with --cold-events events (default: as many as the measured database holds) over
    // --days, restarted --cold-runs times.
    "cold-runs": { type: "string" },
    "cold-events": { type: "string" },
    days: { type: "string", default: "90" },
  },
});
const url = new URL(process.env.BENCH_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
url.pathname = `/${args.database}`;
process.env.DATABASE_URL = url.toString();
process.env.LOG_LEVEL ??= "warn";
const runs = Number(args.runs);
const report = new BenchReport(`Dashboard benchmark on ${args.database}`);
await report.machine(url.toString());
const ms = (v: Stats) => `p50 ${v.p50.toFixed(1)} ms   p95 ${v.p95.toFixed(1)} ms   (n=${v.n})`;
/** A timed read path beside its p95 goal. */
const timed = (label: string, value: Stats, goalMs: number) => report.figure(label, ms(value), `p95 ≤ ${goalMs} ms`, value.p95 <= goalMs);

const { db } = await import("../lib/db/client");
const { resolveRange } = await import("../lib/domain/dashboard-range");
const { outcomeSeries, failureSeries } = await import("../lib/db/rollups");
const { getOverview } = await import("../lib/db/overview");
const { filterOptions } = await import("../lib/db/filter-options");
const { listEvents } = await import("../lib/db/events");
const { exportEventBatches } = await import("../lib/db/events-export");

const tz = "Europe/Paris";
const now = new Date();
const d30 = resolveRange({ range: "30d" }, now, tz);
const h24 = resolveRange({ range: "24h" }, now, tz);
const print = (label: string, value: Stats | string) => report.info(label, typeof value === "string" ? value : ms(value));

const { n: total } = one(await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM billing_events`);
const [sizes] = await db().$queryRaw<{ fine: bigint; totals: bigint; daily: bigint }[]>`
  SELECT (SELECT count(*) FROM event_rollups_hourly) AS fine, (SELECT count(*) FROM event_rollups_hourly_totals) AS totals,
    (SELECT count(*) FROM event_rollups_daily_subjects) AS daily`;
console.log(
  `\n${Number(total).toLocaleString("en")} events; rollup rows: hourly ${sizes!.fine}, hourly totals ${sizes!.totals}, daily per shop/instance ${sizes!.daily}`,
);
console.log(`30-day range in ${tz}: ${d30.from.toISOString()} → ${d30.to.toISOString()}, ${runs} runs after warm-up\n`);

const f30 = { from: d30.from, to: d30.to };
const charts30 = () => Promise.all([outcomeSeries(f30, "day", tz), failureSeries(f30, "day", tz)]);
const chartStats = await stats(runs, charts30);
timed("Charts, 30 days by day (both series, rollups)", chartStats, 50);
print("  outcome series alone", await stats(runs, () => outcomeSeries(f30, "day", tz)));
print("  30 days by hour (720 buckets)", await stats(runs, () => Promise.all([outcomeSeries(f30, "hour", tz), failureSeries(f30, "hour", tz)])));
print("  24 hours by hour", await stats(runs, () => Promise.all([outcomeSeries(h24, "hour", tz), failureSeries(h24, "hour", tz)])));
const [shop] = await db().$queryRaw<
  { id: string }[]
>`SELECT subject_id::text AS id FROM event_rollups_daily_subjects GROUP BY 1 ORDER BY sum(count) DESC LIMIT 1`;
print(
  "  30 days, busiest shop only",
  await stats(runs, () => Promise.all([outcomeSeries({ ...f30, subjectId: shop!.id }, "day", tz), failureSeries({ ...f30, subjectId: shop!.id }, "day", tz)])),
);

const scan = await plainScan(db(), d30.from, d30.to, tz, await charts30());
print("Same answer by plain GROUP BY over billing_events", scan.stats);
report.check("  answers identical to the plain scan", scan.identical ? "yes" : "NO: rollups differ from the raw events", "identical", scan.identical);
const speedup = scan.stats.p50 / chartStats.p95;
report.figure(
  "  rollups faster by (scan p50 / rollup p95)",
  `${speedup.toFixed(0)}× (p50 / p50: ${(scan.stats.p50 / chartStats.p50).toFixed(0)}×)`,
  "≥ 50×",
  speedup >= 50,
);

const [mid] = await db().$queryRaw<{ occurred_at: Date; id: bigint }[]>`
  SELECT occurred_at, id FROM billing_events ORDER BY occurred_at DESC, id DESC OFFSET ${Math.floor(Number(total) / 2)} LIMIT 1`;
const deep = { occurredAt: mid!.occurred_at, id: mid!.id };
timed("Explorer page 1, no filter", await stats(runs, () => listEvents({}, null)), 100);
timed(`Explorer deep page (after ${Math.floor(Number(total) / 2).toLocaleString("en")} rows), no filter`, await stats(runs, () => listEvents({}, deep)), 100);
const filters = {
  shop: { shopId: shop!.id },
  "code NO_SUBSCRIPTION": { code: "NO_SUBSCRIPTION" },
  "outcome failed + connection": { outcome: "failed" as const, connectionId: (await db().connection.findFirst({ orderBy: { name: "asc" } }))!.id },
  "state failed (delivery)": { state: "failed" as const },
  "handle SMS_SENT + source import": { handle: "SMS_SENT", source: "import" as const },
  "idempotency key prefix": { q: "ab12" },
};
for (const [label, f] of Object.entries(filters)) {
  timed(`Explorer page 1, ${label}`, await stats(runs, () => listEvents(f, null)), 100);
  timed(`Explorer deep page, ${label}`, await stats(runs, () => listEvents(f, deep)), 100);
}

const overview = () => Promise.all([getOverview(d30, {}, new Date()), filterOptions(d30.from), db().connection.count()]);
print("Overview page data (every query of the 30-day view)", await stats(runs, overview));
print(
  "  with a connection filter, 7 days by hour",
  await stats(runs, () =>
    getOverview(
      resolveRange({ range: "7d", bucket: "hour" }, new Date(), tz),
      { connectionId: filters["outcome failed + connection"].connectionId },
      new Date(),
    ),
  ),
);
if (args["app-url"]) {
  timed("Overview over HTTP (next start, signed in, full SSR)", await httpOverview(args["app-url"], BENCH_USER, Math.min(runs, 30)), 300);
}

const coldRuns = Number(args["cold-runs"] ?? (args.smoke ? 2 : 10));
if (coldRuns > 0) {
  const coldEvents = Number(args["cold-events"] ?? total);
  const shared = new pg.Client({ connectionString: url.toString() });
  await shared.connect();
  const {
    rows: [buffers],
  } = await shared.query<{ v: string }>("SELECT current_setting('shared_buffers') AS v");
  await shared.end();
  const cluster = await startTempCluster({ shared_buffers: buffers!.v });
  const coldUrl = new URL(cluster.adminUrl);
  coldUrl.pathname = "/pbd_bench_cold";
  const tsx = path.resolve("node_modules/.bin/tsx");
  const t0 = performance.now();
  const gen = spawnSync(tsx, ["scripts/generate-events.ts", "--events", String(coldEvents), "--days", args.days, "--database", "pbd_bench_cold"], {
    env: { ...process.env, BENCH_ADMIN_URL: cluster.adminUrl },
    encoding: "utf8",
  });
  if (gen.status !== 0) throw new Error(`generating the cold cluster's ledger failed: ${gen.stderr.slice(-400)}`);
  console.log(
    `\ncold: own cluster (shared_buffers ${buffers!.v}) with ${coldEvents.toLocaleString("en")} generated events in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${coldRuns} restarts`,
  );
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    cluster.restart();
    const sample = spawnSync(tsx, ["scripts/bench-dashboard-cold.ts"], { env: { ...process.env, DATABASE_URL: coldUrl.toString() }, encoding: "utf8" });
    const line = sample.stdout.trim().split("\n").at(-1) ?? "";
    if (sample.status !== 0 || !line.startsWith("{")) throw new Error(`cold sample ${i + 1} failed: ${(sample.stderr || sample.stdout).slice(-400)}`);
    const r = JSON.parse(line) as { cold: number; warm: number[] };
    cold.push(r.cold);
    warm.push(...r.warm);
  }
  cluster.stop();
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  const coldStats = { p50: pct(cold, 50), p95: pct(cold, 95), n: cold.length };
  timed("Overview page data, cold: first call after a Postgres restart", coldStats, 300);
  print("  the same calls right after, warm again", { p50: pct(warm, 50), p95: pct(warm, 95), n: warm.length });
}

for (const [label, value] of Object.entries(await rollupUpkeep(url.toString()))) print(label, value);

const { EXPORT_COLUMNS } = await import("../lib/db/events-export");
const { stringify } = await import("csv-stringify/sync");
let exported = 0;
let bytes = 0;
const rss: number[] = [];
const t0 = performance.now();
for await (const batch of exportEventBatches({ platform: "wix" })) {
  bytes += stringify(
    batch.map((r) => EXPORT_COLUMNS.map((c) => r[c])),
    { header: exported === 0, columns: [...EXPORT_COLUMNS] },
  ).length;
  exported += batch.length;
  rss.push(process.memoryUsage().rss);
}
const secs = (performance.now() - t0) / 1000;
const steady = rss.slice(Math.floor(rss.length / 10));
print(
  "CSV export (query + csv-stringify), all Wix events",
  `${exported.toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(0)} MB in ${secs.toFixed(1)} s (${Math.round(exported / secs).toLocaleString("en")} rows/s)`,
);
print(
  "  process RSS over the export (after the first 10%)",
  `${(Math.min(...steady) / 1e6).toFixed(0)}–${(Math.max(...steady) / 1e6).toFixed(0)} MB: flat, batches of 2,000`,
);
if (args["app-url"]) {
  const session = await signIn(args["app-url"], BENCH_USER);
  const t1 = performance.now();
  const res = await fetch(`${args["app-url"]}/api/events/export?outcome=failed`, { headers: { cookie: session } });
  let lines = 0;
  const reader = res.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) lines += r.value.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
  const s2 = (performance.now() - t1) / 1000;
  print(
    "CSV export over HTTP, outcome=failed",
    `${(lines - 1).toLocaleString("en")} rows in ${s2.toFixed(1)} s (${Math.round((lines - 1) / s2).toLocaleString("en")} rows/s)`,
  );
}

// What one event costs on disk: its row, every index over it, the rollups, its attempts and transitions
// (issue 17: ≤ 600 B an event at 10M). Index scans (pg_stat_user_indexes, since the server's stats last
// reset) are printed beside each index, after the read paths above have run, so an index no query uses shows.
const storage = await db().$queryRaw<{ relation: string; index: boolean; bytes: bigint; scans: bigint | null }[]>`
  SELECT c.relname AS relation, c.relkind = 'i' AS index,
    CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END AS bytes, s.idx_scan AS scans
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = c.oid
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')
    AND (c.relname LIKE 'billing\_events%' OR c.relname LIKE 'event\_rollups%' OR c.relname LIKE 'delivery\_attempts%' OR c.relname LIKE 'event\_transitions%')
  ORDER BY 3 DESC`;
const perEvent = (b: bigint) => Number(b) / Number(total);
const sum = (rows: typeof storage) => rows.reduce((n, r) => n + r.bytes, 0n);
const events = storage.filter((r) => r.relation.startsWith("billing_events"));
const rollups = storage.filter((r) => r.relation.startsWith("event_rollups"));
const rest = storage.filter((r) => !events.includes(r) && !rollups.includes(r));
const all = sum(storage);
report.figure(
  "Storage per event (rows + indexes + rollups + attempts + transitions)",
  `${perEvent(all).toFixed(0)} B (${(Number(all) / 1e9).toFixed(2)} GB for ${Number(total).toLocaleString("en")} events): events ${perEvent(sum(events)).toFixed(0)} B, rollups ${perEvent(sum(rollups)).toFixed(0)} B, attempts and transitions ${perEvent(sum(rest)).toFixed(0)} B`,
  "≤ 600 B an event",
  perEvent(all) <= 600,
);
for (const r of storage.filter((x) => perEvent(x.bytes) >= 1)) {
  print(`  ${r.relation}`, `${perEvent(r.bytes).toFixed(1)} B/event${r.index ? `, ${Number(r.scans ?? 0).toLocaleString("en")} scans` : ""}`);
}

await db().$disconnect();
report.finish();
