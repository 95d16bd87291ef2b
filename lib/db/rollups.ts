import type { Bucket } from "../domain/dashboard-range";
import type { Platform } from "../generated/prisma/enums";
import { db, Prisma } from "./client";

/**
 * Chart queries. Hour and day buckets read the rollups (kept exact by triggers on billing_events,
 * see the rollups, rollup_levels and rollup_outcomes migrations): event_rollups_hourly_outcomes
 * when nothing is filtered, event_rollups_hourly_totals for a connection, platform or handle, and
 * event_rollups_hourly for one shop or instance. 5-minute buckets (the last hour) read
 * the events through the (occurred_at, id) index. Day buckets start at local midnight in `tz`:
 * rows are summed per UTC hour first, then the few hundred hours are re-bucketed into local days.
 */
export type DashboardFilter = {
  from: Date;
  to: Date;
  connectionId?: string;
  platform?: Platform;
  handle?: string;
  /** A shop's or Wix instance's row id. */
  subjectId?: string;
};
export type Outcome = "billable" | "non_billable" | "failed" | "pending";
export type OutcomeRow = { t: number; outcome: Outcome; count: number };
export type CodeRow = { t: number; code: string; count: number };

const NIL = "00000000-0000-0000-0000-000000000000";
const HOUR = 3_600_000;

/** The smallest rollup level that can answer: all events, per connection/platform/handle, or per shop/instance. */
const rollupTable = (f: DashboardFilter) =>
  Prisma.raw(
    f.subjectId ? "event_rollups_hourly"
    : f.connectionId || f.platform || f.handle ? "event_rollups_hourly_totals"
    : "event_rollups_hourly_outcomes",
  );

function rollupWhere(f: DashboardFilter, extra: Prisma.Sql[] = []) {
  // Whole UTC hours from the first one that starts at or after `from` (computed here: a date_trunc in
  // SQL would run per row). In half-hour zones a local day so starts at :30 (see dashboard-range.ts).
  const fromHour = new Date(Math.ceil(f.from.getTime() / HOUR) * HOUR);
  const parts = [Prisma.sql`hour >= ${fromHour}::timestamptz`, Prisma.sql`hour < ${f.to}::timestamptz`, ...extra];
  if (f.connectionId) parts.push(Prisma.sql`connection_id = ${f.connectionId}::uuid`);
  if (f.platform) parts.push(Prisma.sql`platform = ${f.platform}::"Platform"`);
  if (f.handle) parts.push(Prisma.sql`handle = ${f.handle}`);
  if (f.subjectId) parts.push(Prisma.sql`subject_id = ${f.subjectId}::uuid`);
  return Prisma.join(parts, " AND ");
}

function eventsWhere(f: DashboardFilter, extra: Prisma.Sql[] = []) {
  const parts = [Prisma.sql`occurred_at >= ${f.from}::timestamptz`, Prisma.sql`occurred_at < ${f.to}::timestamptz`, ...extra];
  if (f.connectionId) parts.push(Prisma.sql`connection_id = ${f.connectionId}::uuid`);
  if (f.platform) parts.push(Prisma.sql`platform = ${f.platform}::"Platform"`);
  if (f.handle) parts.push(Prisma.sql`handle = ${f.handle}`);
  if (f.subjectId) parts.push(Prisma.sql`COALESCE(shop_id, wix_instance_id, ${NIL}::uuid) = ${f.subjectId}::uuid`);
  return Prisma.join(parts, " AND ");
}

const rollupBucket = (bucket: Bucket, tz: string) =>
  bucket === "day" ? Prisma.sql`date_trunc('day', h.hour, ${tz})` : Prisma.sql`h.hour`;

type Raw<K extends string> = { t: Date; count: bigint } & Record<K, string>;
const toRows = <K extends string>(rows: Raw<K>[], key: K) =>
  rows.map((r) => ({ t: r.t.getTime(), [key]: r[key], count: Number(r.count) })) as ({ t: number; count: number } & Record<K, string>)[];

/** Events per bucket and outcome (billable / non_billable / failed / pending). */
export async function outcomeSeries(f: DashboardFilter, bucket: Bucket, tz: string): Promise<OutcomeRow[]> {
  const rows =
    bucket === "5m"
      ? await db().$queryRaw<Raw<"outcome">[]>`
          SELECT date_bin('5 minutes', occurred_at, TIMESTAMPTZ 'epoch') AS t, rollup_outcome(state, platform_verdict)::text AS outcome, count(*) AS count
          FROM billing_events WHERE ${eventsWhere(f)} GROUP BY 1, 2 ORDER BY 1`
      : await db().$queryRaw<Raw<"outcome">[]>`
          SELECT ${rollupBucket(bucket, tz)} AS t, h.outcome, sum(h.count)::bigint AS count
          FROM (SELECT hour, outcome::text AS outcome, sum(count) AS count FROM ${rollupTable(f)} WHERE ${rollupWhere(f)} GROUP BY 1, 2) h
          GROUP BY 1, 2 ORDER BY 1`;
  return toRows(rows, "outcome") as OutcomeRow[];
}

/** Failed events per bucket and code (platform code, or DELIVERY_FAILED). */
export async function failureSeries(f: DashboardFilter, bucket: Bucket, tz: string): Promise<CodeRow[]> {
  const rows =
    bucket === "5m"
      ? await db().$queryRaw<Raw<"code">[]>`
          SELECT date_bin('5 minutes', occurred_at, TIMESTAMPTZ 'epoch') AS t, rollup_code(state, platform_code) AS code, count(*) AS count
          FROM billing_events WHERE ${eventsWhere(f, [Prisma.sql`rollup_outcome(state, platform_verdict) = 'failed'`])} GROUP BY 1, 2 ORDER BY 1`
      : await db().$queryRaw<Raw<"code">[]>`
          SELECT ${rollupBucket(bucket, tz)} AS t, h.code, sum(h.count)::bigint AS count
          FROM (SELECT hour, code, sum(count) AS count FROM ${rollupTable(f)} WHERE ${rollupWhere(f, [Prisma.sql`outcome = 'failed'`])} GROUP BY 1, 2) h
          GROUP BY 1, 2 ORDER BY 1`;
  return toRows(rows, "code");
}

export type CycleUsageRow = {
  subjectId: string;
  platform: Platform;
  kind: string;
  handle: string;
  currency: string;
  outcome: "billable" | "pending";
  quantity: Prisma.Decimal;
  amount: Prisma.Decimal;
};

/**
 * Billable and pending usage of every shop and Wix instance in its current billing cycle: whole UTC
 * days from event_rollups_daily_subjects, and the cycle's first, partial day from the hourly rollup
 * (from the UTC hour the cycle starts in). For revenue projections and charge limits.
 */
export async function currentCycleUsage(f: Omit<DashboardFilter, "from" | "to">, now: Date): Promise<CycleUsageRow[]> {
  const extra: Prisma.Sql[] = [Prisma.sql`r.outcome IN ('billable', 'pending')`];
  if (f.connectionId) extra.push(Prisma.sql`r.connection_id = ${f.connectionId}::uuid`);
  if (f.platform) extra.push(Prisma.sql`r.platform = ${f.platform}::"Platform"`);
  if (f.handle) extra.push(Prisma.sql`r.handle = ${f.handle}`);
  if (f.subjectId) extra.push(Prisma.sql`s.id = ${f.subjectId}::uuid`);
  const filters = Prisma.join(extra, " AND ");
  return db().$queryRaw<CycleUsageRow[]>`
    WITH subjects AS (
      SELECT id, cycle_start, cycle_end, (cycle_start AT TIME ZONE 'UTC')::date AS start_day FROM shops WHERE cycle_start <= ${now} AND cycle_end > ${now}
      UNION ALL
      SELECT id, cycle_start, cycle_end, (cycle_start AT TIME ZONE 'UTC')::date FROM wix_instances WHERE cycle_start <= ${now} AND cycle_end > ${now}
    ), usage AS (
      SELECT s.id, r.platform, r.kind, r.handle, r.currency, r.outcome, r.quantity, r.amount
      FROM subjects s JOIN event_rollups_daily_subjects r
        ON r.subject_id = s.id AND r.day > s.start_day AND r.day <= (s.cycle_end AT TIME ZONE 'UTC')::date
      WHERE ${filters}
      UNION ALL
      SELECT s.id, r.platform, r.kind, r.handle, r.currency, r.outcome, r.quantity, r.amount
      FROM subjects s JOIN event_rollups_hourly r
        ON r.subject_id = s.id AND r.hour >= date_trunc('hour', s.cycle_start, 'UTC')
        AND r.hour < (s.start_day + 1)::timestamp AT TIME ZONE 'UTC' AND r.hour < s.cycle_end
      WHERE ${filters}
    )
    SELECT id::text AS "subjectId", platform::text AS platform, kind::text AS kind, handle, currency, outcome::text AS outcome,
      sum(quantity) AS quantity, sum(amount) AS amount
    FROM usage GROUP BY 1, 2, 3, 4, 5, 6`;
}
