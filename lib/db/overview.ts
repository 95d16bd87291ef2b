import { bucketStarts, type DashboardRange } from "../domain/dashboard-range";
import { db, Prisma } from "./client";
import { cycleOverview, type CycleRevenue, type LimitRow } from "./overview-cycle";
import { failureSeries, outcomeSeries, type DashboardFilter } from "./rollups";

/**
 * Everything the Overview shows, as plain JSON (numbers for charts, decimal strings for money),
 * so the page renders it and /api/overview returns the same thing for polling.
 */
export type VolumePoint = { t: number; billable: number; non_billable: number; failed: number; pending: number };
export type OverviewData = {
  range: { key: string; from: string; to: string; bucket: string; tz: string };
  volume: VolumePoint[];
  failures: { codes: string[]; points: ({ t: number } & Record<string, number>)[]; totals: { code: string; count: number }[] };
  kpis: {
    events: number;
    billable: number;
    nonBillable: number;
    failed: number;
    pending: number;
    billableShare: number | null;
    errorRate: number | null;
    pendingDelivery: number;
    held: number;
  };
  revenue: CycleRevenue[];
  /** How "Projected" is worked out, in words, shown beside it. */
  projectionMethod: string;
  /** Development stores in a cycle, left out of revenue (test — never charged). */
  devStores: number;
  limits: LimitRow[];
  latestEventAt: string | null;
};

export type OverviewFilter = Omit<DashboardFilter, "from" | "to">;
/** Codes drawn as their own series in the errors-over-time chart; the rest are summed as OTHER. */
export const TOP_CODES = 8;
const PENDING_DELIVERY = ["received", "queued", "sending", "retrying"];

export async function getOverview(range: DashboardRange, filter: OverviewFilter, now = new Date()): Promise<OverviewData> {
  const f: DashboardFilter = { ...filter, from: range.from, to: range.to };
  const [outcomes, failures, delivery, cycle, latest] = await Promise.all([
    outcomeSeries(f, range.bucket, range.tz),
    failureSeries(f, range.bucket, range.tz),
    deliveryBacklog(filter),
    cycleOverview(filter, now),
    db().billingEvent.findFirst({ orderBy: { id: "desc" }, select: { createdAt: true } }),
  ]);
  const starts = bucketStarts(range).map((d) => d.getTime());
  const volume = new Map<number, VolumePoint>(starts.map((t) => [t, { t, billable: 0, non_billable: 0, failed: 0, pending: 0 }]));
  for (const r of outcomes) {
    const point = volume.get(r.t) ?? { t: r.t, billable: 0, non_billable: 0, failed: 0, pending: 0 };
    point[r.outcome] += r.count;
    volume.set(r.t, point);
  }
  const totals = new Map<string, number>();
  for (const r of failures) totals.set(r.code, (totals.get(r.code) ?? 0) + r.count);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const codes = ranked.slice(0, TOP_CODES).map(([code]) => code);
  const shown = new Set(codes);
  if (ranked.length > TOP_CODES) codes.push("OTHER");
  const failurePoints = new Map<number, { t: number } & Record<string, number>>(starts.map((t) => [t, { t, ...Object.fromEntries(codes.map((c) => [c, 0])) }]));
  for (const r of failures) {
    const point = failurePoints.get(r.t) ?? { t: r.t, ...Object.fromEntries(codes.map((c) => [c, 0])) };
    const key = shown.has(r.code) ? r.code : "OTHER";
    point[key] = (point[key] ?? 0) + r.count;
    failurePoints.set(r.t, point);
  }
  const sum = (k: keyof Omit<VolumePoint, "t">) => outcomes.filter((r) => r.outcome === k).reduce((a, r) => a + r.count, 0);
  const [billable, nonBillable, failed, pending] = [sum("billable"), sum("non_billable"), sum("failed"), sum("pending")];
  const events = billable + nonBillable + failed + pending;
  const decided = billable + nonBillable + failed;
  return {
    range: { key: range.key, from: range.from.toISOString(), to: range.to.toISOString(), bucket: range.bucket, tz: range.tz },
    volume: [...volume.values()].sort((a, b) => a.t - b.t),
    failures: {
      codes,
      points: [...failurePoints.values()].sort((a, b) => a.t - b.t),
      totals: ranked.map(([code, count]) => ({ code, count })),
    },
    kpis: {
      events,
      billable,
      nonBillable,
      failed,
      pending,
      billableShare: decided ? billable / decided : null,
      errorRate: events ? failed / events : null,
      pendingDelivery: delivery.pending,
      held: delivery.held,
    },
    revenue: cycle.revenue,
    projectionMethod: cycle.projectionMethod,
    devStores: cycle.devStores,
    limits: cycle.limits,
    latestEventAt: latest?.createdAt.toISOString() ?? null,
  };
}

/** Events waiting to be delivered now (any time range), via the partial index on non-accepted states. */
async function deliveryBacklog(f: OverviewFilter): Promise<{ pending: number; held: number }> {
  const states = ["held", ...PENDING_DELIVERY].map((s) => `'${s}'`).join(", ");
  const parts = [Prisma.sql`state <> 'accepted'`, Prisma.raw(`state IN (${states})`)];
  if (f.connectionId) parts.push(Prisma.sql`connection_id = ${f.connectionId}::uuid`);
  if (f.platform) parts.push(Prisma.sql`platform = ${f.platform}::"Platform"`);
  if (f.handle) parts.push(Prisma.sql`handle = ${f.handle}`);
  if (f.subjectId) parts.push(Prisma.sql`(shop_id = ${f.subjectId}::uuid OR wix_instance_id = ${f.subjectId}::uuid)`);
  const rows = await db().$queryRaw<{ held: bigint; pending: bigint }[]>`
    SELECT count(*) FILTER (WHERE state = 'held') AS held, count(*) FILTER (WHERE state <> 'held') AS pending
    FROM billing_events WHERE ${Prisma.join(parts, " AND ")}`;
  return { held: Number(rows[0]?.held ?? 0), pending: Number(rows[0]?.pending ?? 0) };
}
