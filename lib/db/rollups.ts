import type { Bucket } from "../domain/dashboard-range";
import type { Platform } from "../generated/prisma/enums";
import { db, Prisma, type Tx } from "./client";

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
  Prisma.raw(f.subjectId ? "event_rollups_hourly" : f.connectionId || f.platform || f.handle ? "event_rollups_hourly_totals" : "event_rollups_hourly_outcomes");

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

const rollupBucket = (bucket: Bucket, tz: string) => (bucket === "day" ? Prisma.sql`date_trunc('day', h.hour, ${tz})` : Prisma.sql`h.hour`);

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
 * Billable and pending usage of every shop and Wix instance in its current billing cycle, exact:
 * the events with `occurred_at` in [cycle_start, cycle_end), read per subject as
 * - the partial hours at either edge from the events themselves (shop / instance time indexes),
 * - the partial days' whole hours from event_rollups_hourly,
 * - the whole UTC days in between from event_rollups_daily_subjects,
 * each counting what the rollups count (a superseded entry's correction instead of it).
 * For the Overview's cycle totals and projections, and charge limits.
 */
export async function currentCycleUsage(f: Omit<DashboardFilter, "from" | "to">, now: Date): Promise<CycleUsageRow[]> {
  const subjects = Prisma.sql`
    SELECT id, true AS is_shop, cycle_start AS s, cycle_end AS e FROM shops WHERE cycle_start <= ${now} AND cycle_end > ${now}
    UNION ALL
    SELECT id, false, cycle_start, cycle_end FROM wix_instances WHERE cycle_start <= ${now} AND cycle_end > ${now}`;
  return windowUsage(subjects, f);
}

/** Trailing usage for projections: each current cycle's events in [max(cycle start, now − days), now). */
export async function trailingCycleUsage(f: Omit<DashboardFilter, "from" | "to">, now: Date, days: number): Promise<CycleUsageRow[]> {
  const from = new Date(now.getTime() - days * 86_400_000);
  const subjects = Prisma.sql`
    SELECT id, true AS is_shop, GREATEST(cycle_start, ${from}::timestamptz) AS s, ${now}::timestamptz AS e FROM shops WHERE cycle_start <= ${now} AND cycle_end > ${now}
    UNION ALL
    SELECT id, false, GREATEST(cycle_start, ${from}::timestamptz), ${now}::timestamptz FROM wix_instances WHERE cycle_start <= ${now} AND cycle_end > ${now}`;
  return windowUsage(subjects, f);
}

/**
 * Usage per subject and window in an exact half-open window [s, e) given by `subjects`
 * (columns id, is_shop, s, e; a subject may have several windows). Edges h0/h1 are the first and last whole UTC hours inside the
 * window, d0/d1 the first and last whole UTC days inside [h0, h1); a window too short for a
 * whole hour (or day) collapses that level onto its end so the level reads nothing.
 * `client`: a transaction, to read it in the same snapshot as something else.
 * Each level's two edges are two ranges (a LATERAL VALUES), never one OR: an OR in the join hid the
 * range from the (subject, time) indexes, and Postgres hashed every event of every shop instead
 * (Overview's cycle card took 4–5 s at 1M events; the two ranges read only the edge hours).
 */
export async function windowUsage(
  subjects: Prisma.Sql,
  f: Omit<DashboardFilter, "from" | "to">,
  client: Tx = db(),
): Promise<(CycleUsageRow & { windowStart: Date })[]> {
  const filters = (alias: string) => {
    const a = Prisma.raw(alias);
    const parts: Prisma.Sql[] = [];
    if (f.connectionId) parts.push(Prisma.sql`${a}.connection_id = ${f.connectionId}::uuid`);
    if (f.platform) parts.push(Prisma.sql`${a}.platform = ${f.platform}::"Platform"`);
    if (f.handle) parts.push(Prisma.sql`${a}.handle = ${f.handle}`);
    return parts.length ? Prisma.sql`AND ${Prisma.join(parts, " AND ")}` : Prisma.empty;
  };
  const subject = f.subjectId ? Prisma.sql`WHERE id = ${f.subjectId}::uuid` : Prisma.empty;
  const rawEdge = (column: "shop_id" | "wix_instance_id", isShop: boolean) => Prisma.sql`
      SELECT w.id, w.s, ev.platform, ev.kind, ev.handle, COALESCE(ev.currency::text, '') AS currency, rollup_outcome(ev.state, ev.platform_verdict) AS outcome,
        COALESCE(ev.quantity, 0) AS quantity, COALESCE(ev.amount, 0) AS amount
      FROM w CROSS JOIN LATERAL (VALUES (w.s, w.h0), (w.h1, w.e)) AS edge(lo, hi)
      JOIN billing_events ev ON ev.${Prisma.raw(column)} = w.id AND ev.occurred_at >= edge.lo AND ev.occurred_at < edge.hi
      WHERE w.is_shop = ${isShop} AND NOT ev.superseded AND rollup_outcome(ev.state, ev.platform_verdict) IN ('billable', 'pending') ${filters("ev")}`;
  return client.$queryRaw<(CycleUsageRow & { windowStart: Date })[]>`
    WITH b AS (
      SELECT id, is_shop, s, e,
        CASE WHEN date_trunc('hour', s, 'UTC') = s THEN s ELSE date_trunc('hour', s, 'UTC') + interval '1 hour' END AS h0,
        date_trunc('hour', e, 'UTC') AS h1
      FROM (${subjects}) x ${subject}
    ), h AS (
      SELECT id, is_shop, s, e, CASE WHEN h0 < h1 THEN h0 ELSE e END AS h0, CASE WHEN h0 < h1 THEN h1 ELSE e END AS h1 FROM b
    ), d AS (
      SELECT *, date_trunc('day', h0 + interval '1 day' - interval '1 microsecond', 'UTC') AS d0, date_trunc('day', h1, 'UTC') AS d1 FROM h
    ), w AS (
      SELECT id, is_shop, s, e, h0, h1, CASE WHEN d0 < d1 THEN d0 ELSE h1 END AS d0, CASE WHEN d0 < d1 THEN d1 ELSE h1 END AS d1 FROM d
    ), usage AS (
      SELECT w.id, w.s, r.platform, r.kind, r.handle, r.currency, r.outcome, r.quantity, r.amount
      FROM w JOIN event_rollups_daily_subjects r
        ON r.subject_id = w.id AND r.day >= (w.d0 AT TIME ZONE 'UTC')::date AND r.day < (w.d1 AT TIME ZONE 'UTC')::date
      WHERE r.outcome IN ('billable', 'pending') ${filters("r")}
      UNION ALL
      SELECT w.id, w.s, r.platform, r.kind, r.handle, r.currency, r.outcome, r.quantity, r.amount
      FROM w CROSS JOIN LATERAL (VALUES (w.h0, w.d0), (w.d1, w.h1)) AS edge(lo, hi)
      JOIN event_rollups_hourly r ON r.subject_id = w.id AND r.hour >= edge.lo AND r.hour < edge.hi
      WHERE r.outcome IN ('billable', 'pending') ${filters("r")}
      UNION ALL ${rawEdge("shop_id", true)}
      UNION ALL ${rawEdge("wix_instance_id", false)}
    )
    SELECT id::text AS "subjectId", s AS "windowStart", platform::text AS platform, kind::text AS kind, handle, currency, outcome::text AS outcome,
      sum(quantity) AS quantity, sum(amount) AS amount
    FROM usage GROUP BY 1, 2, 3, 4, 5, 6, 7`;
}
