/**
 * Fills a Postgres database with a realistic ledger for benchmarks:
 *   tsx scripts/generate-events.ts [--events 10000000] [--days 90] [--database pbd_bench]
 * Drops and re-creates the database on the local server (BENCH_ADMIN_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres), applies the migrations, creates 5 connections,
 * 240 shops and 120 Wix instances (scripts/generate-entities.ts), then bulk-loads events with
 * INSERT ... SELECT generate_series: a daily and weekly rhythm with growth, a skewed spread over
 * shops and instances, ~80% billable, ~10% non-billable (dev stores, unmetered handles), ~3%
 * failed verdicts with codes, 0.2% failed deliveries, the last minutes still pending.
 * Bulk-load route: triggers and secondary indexes off, load, indexes back, rollups rebuilt with
 * one GROUP BY (what the triggers would have produced), VACUUM ANALYZE.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { createPrisma } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { createEntities } from "./generate-entities";
import { insertEventsSql, REBUILD_ROLLUPS_SQL } from "./generate-sql";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    days: { type: "string", default: "90" },
    database: { type: "string", default: "pbd_bench" },
    // The Shopify side's size and cycles (scripts/generate-entities.ts EntityOptions).
    "shopify-apps": { type: "string" },
    "shops-per-app": { type: "string" },
    "cycle-start-days-ago": { type: "string" },
    "wix-instances-per-app": { type: "string" },
  },
});
const optional = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const entityOptions = {
  shopifyApps: optional(args["shopify-apps"]),
  shopsPerApp: optional(args["shops-per-app"]),
  cycleStartDaysAgo: optional(args["cycle-start-days-ago"]),
  wixInstancesPerApp: optional(args["wix-instances-per-app"]),
};
if (Object.values(entityOptions).some((v) => v !== undefined && !(v >= 0 && Number.isInteger(v)))) throw new Error("bad arguments");
const total = Number(args.events);
const days = Number(args.days);
if (!/^[a-z_][a-z0-9_]*$/.test(args.database) || !(total > 0) || !(days > 0)) throw new Error("bad arguments");
const adminUrl = process.env.BENCH_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const url = new URL(adminUrl);
url.pathname = `/${args.database}`;

const started = Date.now();
const step = (label: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${label}`);

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${args.database}" WITH (FORCE)`);
await admin.query(`CREATE DATABASE "${args.database}"`);
await admin.end();
await applyMigrations(url.toString());
step(`database ${args.database} created and migrated`);

const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const prisma = createPrisma(url.toString(), 2);
const entities = await createEntities(prisma, now, entityOptions);
await prisma.$disconnect();
step(`${entities.shops.length} shops, ${entities.instances.length} Wix instances`);

/** Events per hour: busier in the (US) day, quieter at weekends, growing ~50% over the period, with noise. */
function hourlyCounts(): { hours: Date[]; counts: number[] } {
  const HOUR = 3_600_000;
  const last = Math.floor(now.getTime() / HOUR) * HOUR;
  const hours: Date[] = [];
  const weights: number[] = [];
  let seed = 7;
  const noise = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let t = last - days * 24 * HOUR + HOUR; t <= last; t += HOUR) {
    const d = new Date(t);
    const hourOfDay = (d.getUTCHours() + 19) % 24; // UTC-5
    const diurnal = 0.6 + 0.4 * Math.sin((2 * Math.PI * (hourOfDay - 8)) / 24);
    const weekend = [0, 6].includes(d.getUTCDay()) ? 0.7 : 1;
    const growth = 0.8 + (0.4 * hours.length) / (days * 24);
    const partial = t === last ? (now.getTime() - last) / HOUR : 1;
    hours.push(d);
    weights.push(diurnal * weekend * growth * (0.9 + 0.2 * noise()) * partial);
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((w / sum) * total));
  counts[counts.length - 2]! += total - counts.reduce((a, b) => a + b, 0);
  return { hours, counts };
}

const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
await client.query("SET synchronous_commit = off; SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'");
const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
  `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'billing_events' AND indexname <> 'billing_events_pkey'`,
);
for (const i of indexes) await client.query(`DROP INDEX "${i.indexname}"`);
await client.query("ALTER TABLE billing_events DISABLE TRIGGER ALL");

const { hours, counts } = hourlyCounts();
const chunkRows = 500_000;
let loaded = 0;
for (let from = 0; from < hours.length;) {
  let to = from;
  let rows = 0;
  while (to < hours.length && rows < chunkRows) rows += counts[to++]!;
  await client.query(insertEventsSql, [
    hours.slice(from, to),
    counts.slice(from, to),
    entities.shops.map((s) => s.id),
    entities.shops.map((s) => s.connectionId),
    entities.shops.map((s) => s.isDevStore),
    entities.instances.map((i) => i.id),
    entities.instances.map((i) => i.connectionId),
    entities.instances.map((i) => i.currency),
    entities.instances.map((i) => i.isTest),
    now,
  ]);
  loaded += rows;
  from = to;
  step(`${loaded.toLocaleString("en")} events`);
}
await client.query("ALTER TABLE billing_events ENABLE TRIGGER ALL");
for (const i of indexes) await client.query(i.indexdef);
step(`${indexes.length} indexes rebuilt`);
await client.query(REBUILD_ROLLUPS_SQL);
const { rows: sizes } =
  await client.query(`SELECT (SELECT count(*) FROM event_rollups_hourly) AS rollup_rows, (SELECT count(*) FROM event_rollups_hourly_totals) AS totals_rows, (SELECT count(*) FROM event_rollups_daily_subjects) AS daily_rows,
  pg_size_pretty(pg_total_relation_size('billing_events')) AS events_size, pg_size_pretty(pg_total_relation_size('event_rollups_hourly')) AS rollup_size`);
step(`rollups rebuilt: ${JSON.stringify(sizes[0])}`);
await client.query("VACUUM ANALYZE billing_events");
for (const t of ["event_rollups_hourly", "event_rollups_hourly_totals", "event_rollups_hourly_outcomes", "event_rollups_daily_subjects"])
  await client.query(`VACUUM ANALYZE ${t}`);
step("vacuumed and analyzed");
await client.end();
console.log(`DATABASE_URL=${url.toString()}`);
