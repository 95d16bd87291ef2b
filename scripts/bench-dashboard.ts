/**
 * Dashboard read paths at scale, in one run, against a ledger from scripts/generate-events.ts:
 *   tsx scripts/bench-dashboard.ts [--database pbd_bench] [--runs 40] [--app-url http://127.0.0.1:3300]
 * Prints p50/p95 of: the Overview's chart queries for 30 days (rollups) and the same answer by a
 * plain GROUP BY over billing_events (checked equal), explorer pages (first and deep, with and
 * without filters), the Overview's server-side data (every query the page runs), optionally the
 * page over HTTP from `next start` (signed in as the generator's bench user), the cost of keeping
 * rollups exact on insert and verdict, and CSV export throughput.
 */
import { parseArgs } from "node:util";
import { BENCH_USER } from "./generate-entities";
import { httpOverview, plainScan, rollupUpkeep, signIn, stats, type Stats } from "./bench-helpers";

const { values: args } = parseArgs({
  options: { database: { type: "string", default: "pbd_bench" }, runs: { type: "string", default: "40" }, "app-url": { type: "string" } },
});
const url = new URL(process.env.BENCH_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
url.pathname = `/${args.database}`;
process.env.DATABASE_URL = url.toString();
process.env.LOG_LEVEL ??= "warn";
const runs = Number(args.runs);

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
const rows: [string, Stats | string][] = [];
const print = (label: string, value: Stats | string) => {
  rows.push([label, value]);
  console.log(`${label.padEnd(58)} ${typeof value === "string" ? value : `p50 ${value.p50.toFixed(1)} ms   p95 ${value.p95.toFixed(1)} ms   (n=${value.n})`}`);
};

const [{ n: total }] = await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM billing_events`;
const [sizes] = await db().$queryRaw<{ fine: bigint; totals: bigint; daily: bigint }[]>`
  SELECT (SELECT count(*) FROM event_rollups_hourly) AS fine, (SELECT count(*) FROM event_rollups_hourly_totals) AS totals,
    (SELECT count(*) FROM event_rollups_daily_subjects) AS daily`;
console.log(`\n${Number(total).toLocaleString("en")} events; rollup rows: hourly ${sizes!.fine}, hourly totals ${sizes!.totals}, daily per shop/instance ${sizes!.daily}`);
console.log(`30-day range in ${tz}: ${d30.from.toISOString()} → ${d30.to.toISOString()}, ${runs} runs after warm-up\n`);

const f30 = { from: d30.from, to: d30.to };
const charts30 = () => Promise.all([outcomeSeries(f30, "day", tz), failureSeries(f30, "day", tz)]);
const chartStats = await stats(runs, charts30);
print("Charts, 30 days by day (both series, rollups)", chartStats);
print("  outcome series alone", await stats(runs, () => outcomeSeries(f30, "day", tz)));
print("  30 days by hour (720 buckets)", await stats(runs, () => Promise.all([outcomeSeries(f30, "hour", tz), failureSeries(f30, "hour", tz)])));
print("  24 hours by hour", await stats(runs, () => Promise.all([outcomeSeries(h24, "hour", tz), failureSeries(h24, "hour", tz)])));
const [shop] = await db().$queryRaw<{ id: string }[]>`SELECT subject_id::text AS id FROM event_rollups_daily_subjects GROUP BY 1 ORDER BY sum(count) DESC LIMIT 1`;
print("  30 days, busiest shop only", await stats(runs, () => Promise.all([outcomeSeries({ ...f30, subjectId: shop!.id }, "day", tz), failureSeries({ ...f30, subjectId: shop!.id }, "day", tz)])));

const scan = await plainScan(db(), d30.from, d30.to, tz, await charts30());
print("Same answer by plain GROUP BY over billing_events", scan.stats);
print("  answers identical", scan.identical ? "yes" : "NO — rollups differ from the raw events");
print("  rollups faster by", `${(scan.stats.p50 / chartStats.p50).toFixed(0)}× (p50), ${(scan.stats.p50 / chartStats.p95).toFixed(0)}× (scan p50 / rollup p95)`);

const [mid] = await db().$queryRaw<{ occurred_at: Date; id: bigint }[]>`
  SELECT occurred_at, id FROM billing_events ORDER BY occurred_at DESC, id DESC OFFSET ${Math.floor(Number(total) / 2)} LIMIT 1`;
const deep = { occurredAt: mid!.occurred_at, id: mid!.id };
print("Explorer page 1, no filter", await stats(runs, () => listEvents({}, null)));
print(`Explorer deep page (after ${Math.floor(Number(total) / 2).toLocaleString("en")} rows), no filter`, await stats(runs, () => listEvents({}, deep)));
const filters = {
  "shop": { shopId: shop!.id },
  "code NO_SUBSCRIPTION": { code: "NO_SUBSCRIPTION" },
  "outcome failed + connection": { outcome: "failed" as const, connectionId: (await db().connection.findFirst({ orderBy: { name: "asc" } }))!.id },
  "state failed (delivery)": { state: "failed" as const },
  "handle SMS_SENT + source import": { handle: "SMS_SENT", source: "import" as const },
  "idempotency key prefix": { q: "ab12" },
};
for (const [label, f] of Object.entries(filters)) {
  print(`Explorer page 1, ${label}`, await stats(runs, () => listEvents(f, null)));
  print(`Explorer deep page, ${label}`, await stats(runs, () => listEvents(f, deep)));
}

const overview = () => Promise.all([getOverview(d30, {}, new Date()), filterOptions(d30.from), db().connection.count()]);
print("Overview page data (every query of the 30-day view)", await stats(runs, overview));
print("  with a connection filter, 7 days by hour", await stats(runs, () => getOverview(resolveRange({ range: "7d", bucket: "hour" }, new Date(), tz), { connectionId: filters["outcome failed + connection"].connectionId }, new Date())));
if (args["app-url"]) {
  print("Overview over HTTP (next start, signed in, full SSR)", await httpOverview(args["app-url"], BENCH_USER, Math.min(runs, 30)));
}

for (const [label, value] of Object.entries(await rollupUpkeep(url.toString()))) print(label, value);

const { EXPORT_COLUMNS } = await import("../lib/db/events-export");
const { stringify } = await import("csv-stringify/sync");
let exported = 0;
let bytes = 0;
const rss: number[] = [];
const t0 = performance.now();
for await (const batch of exportEventBatches({ platform: "wix" })) {
  bytes += stringify(batch.map((r) => EXPORT_COLUMNS.map((c) => r[c])), { header: exported === 0, columns: [...EXPORT_COLUMNS] }).length;
  exported += batch.length;
  rss.push(process.memoryUsage().rss);
}
const secs = (performance.now() - t0) / 1000;
const steady = rss.slice(Math.floor(rss.length / 10));
print("CSV export (query + csv-stringify), all Wix events", `${exported.toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(0)} MB in ${secs.toFixed(1)} s (${Math.round(exported / secs).toLocaleString("en")} rows/s)`);
print("  process RSS over the export (after the first 10%)", `${(Math.min(...steady) / 1e6).toFixed(0)}–${(Math.max(...steady) / 1e6).toFixed(0)} MB: flat, batches of 2,000`);
if (args["app-url"]) {
  const session = await signIn(args["app-url"], BENCH_USER);
  const t1 = performance.now();
  const res = await fetch(`${args["app-url"]}/api/events/export?outcome=failed`, { headers: { cookie: session } });
  let lines = 0;
  const reader = res.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) lines += r.value.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
  const s2 = (performance.now() - t1) / 1000;
  print("CSV export over HTTP, outcome=failed", `${(lines - 1).toLocaleString("en")} rows in ${s2.toFixed(1)} s (${Math.round((lines - 1) / s2).toLocaleString("en")} rows/s)`);
}

await db().$disconnect();
process.exit(0);
