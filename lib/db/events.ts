import type { DeliveryState, Platform, Verdict } from "../generated/prisma/enums";
import { db, Prisma } from "./client";

export const PENDING_STATES: DeliveryState[] = ["received", "queued", "sending", "retrying"];

export type EventFilter = {
  platform?: Platform;
  connectionId?: string;
  state?: DeliveryState;
  verdict?: Verdict | "pending";
  code?: string;
  handle?: string;
  q?: string;
};

export function eventWhere(f: EventFilter): Prisma.BillingEventWhereInput {
  const where: Prisma.BillingEventWhereInput = {};
  if (f.platform) where.platform = f.platform;
  if (f.connectionId) where.connectionId = f.connectionId;
  if (f.state) where.state = f.state;
  if (f.verdict === "pending") where.platformVerdict = null;
  else if (f.verdict) where.platformVerdict = f.verdict;
  if (f.code) where.OR = [{ platformCode: f.code }, { predictedCode: f.code }];
  if (f.handle) where.handle = f.handle;
  if (f.q) where.idempotencyKey = { contains: f.q };
  return where;
}

/** Keyset page, newest first, on (occurred_at, id): as fast on page 1,000 as on page 1. */
export async function listEvents(filter: EventFilter, cursor: { occurredAt: Date; id: bigint } | null, limit = 50) {
  const where = eventWhere(filter);
  const rows = await db().billingEvent.findMany({
    where: cursor
      ? { AND: [where, { OR: [{ occurredAt: { lt: cursor.occurredAt } }, { occurredAt: cursor.occurredAt, id: { lt: cursor.id } }] }] }
      : where,
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: { connection: { select: { name: true } }, shop: { select: { domain: true } }, wixInstance: { select: { siteName: true } } },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeCursor(last.occurredAt, last.id) : null,
  };
}

export const encodeCursor = (occurredAt: Date, id: bigint) => `${occurredAt.toISOString()}_${id}`;

export function decodeCursor(text: string | undefined): { occurredAt: Date; id: bigint } | null {
  const match = /^(.+)_(\d+)$/.exec(text ?? "");
  if (!match) return null;
  const occurredAt = new Date(match[1]!);
  return Number.isNaN(occurredAt.getTime()) ? null : { occurredAt, id: BigInt(match[2]!) };
}

export async function getEvent(id: bigint) {
  return db().billingEvent.findUnique({
    where: { id },
    include: {
      connection: true,
      shop: true,
      wixInstance: true,
      createdBy: { select: { email: true, name: true } },
      apiKey: { select: { name: true, prefix: true } },
      attempts: { orderBy: { number: "asc" } },
      transitions: { orderBy: { at: "asc" } },
      corrections: { orderBy: { createdAt: "asc" } },
      corrects: { select: { id: true, idempotencyKey: true } },
    },
  });
}

export type OverviewStats = {
  total: number;
  billable: number;
  nonBillable: number;
  failed: number;
  awaitingVerdict: number;
  pendingDelivery: number;
  held: number;
  byPlatform: { platform: Platform; total: number }[];
};

export async function overviewStats(since: Date): Promise<OverviewStats> {
  const rows = await db().$queryRaw<{ platform: Platform; verdict: Verdict | null; state: DeliveryState; n: bigint }[]>`
    SELECT platform, platform_verdict AS verdict, state, count(*)::bigint AS n
    FROM billing_events WHERE occurred_at >= ${since} GROUP BY 1, 2, 3`;
  const stats: OverviewStats = { total: 0, billable: 0, nonBillable: 0, failed: 0, awaitingVerdict: 0, pendingDelivery: 0, held: 0, byPlatform: [] };
  const perPlatform = new Map<Platform, number>();
  for (const r of rows) {
    const n = Number(r.n);
    stats.total += n;
    perPlatform.set(r.platform, (perPlatform.get(r.platform) ?? 0) + n);
    if (r.verdict === "billable") stats.billable += n;
    else if (r.verdict === "non_billable") stats.nonBillable += n;
    else if (r.verdict === "failed" || r.state === "failed") stats.failed += n;
    else if (r.state === "held") stats.held += n;
    else if (r.state === "accepted") stats.awaitingVerdict += n;
    if (PENDING_STATES.includes(r.state)) stats.pendingDelivery += n;
  }
  stats.byPlatform = [...perPlatform].map(([platform, total]) => ({ platform, total }));
  return stats;
}
