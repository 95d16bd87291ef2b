import type { DeliveryState, Platform, Verdict } from "../generated/prisma/enums";
import { db, Prisma } from "./client";
import { beforeCursorSql, eventFilterSql, type EventCursor, type EventFilter } from "./event-filter-sql";
import { deliveryStory } from "../domain/delivery-story";
import { formatAmount, formatQuantity } from "../domain/money";

export const PENDING_STATES: DeliveryState[] = ["received", "queued", "sending", "retrying", "outcome_unknown"];

export type { EventCursor, EventFilter } from "./event-filter-sql";

/** The explorer's filters as a Prisma where (same meaning as eventFilterSql, which listEvents uses). */
export function eventWhere(f: EventFilter): Prisma.BillingEventWhereInput {
  const and: Prisma.BillingEventWhereInput[] = [];
  if (f.platform) and.push({ platform: f.platform });
  if (f.connectionId) and.push({ connectionId: f.connectionId });
  if (f.shopId) and.push({ shopId: f.shopId });
  if (f.wixInstanceId) and.push({ wixInstanceId: f.wixInstanceId });
  if (f.handle) and.push({ handle: f.handle });
  if (f.state) and.push({ state: f.state });
  if (f.predicted) and.push({ predictedVerdict: f.predicted });
  if (f.verdict === "pending") and.push({ platformVerdict: null });
  else if (f.verdict) and.push({ platformVerdict: f.verdict });
  if (f.outcome === "failed") and.push({ OR: [{ state: "failed" }, { platformVerdict: "failed" }] });
  else if (f.outcome === "pending") and.push({ platformVerdict: null, state: { not: "failed" } });
  else if (f.outcome) and.push({ platformVerdict: f.outcome, state: { not: "failed" } });
  if (f.code === "DELIVERY_FAILED") and.push({ platformCode: null, state: "failed" });
  else if (f.code) and.push({ platformCode: f.code });
  if (f.source) and.push({ source: f.source });
  if (f.from) and.push({ occurredAt: { gte: f.from } });
  if (f.to) and.push({ occurredAt: { lt: f.to } });
  if (f.q) and.push({ idempotencyKey: { startsWith: f.q } });
  return and.length ? { AND: and } : {};
}

/**
 * Keyset page, newest first, on (occurred_at, id): as fast on page 1,000 as on page 1. The page's
 * ids come from one index range scan (eventFilterSql picks indexes Prisma's SQL would miss), then
 * the rows with their connection, shop and instance by primary key.
 */
export async function listEvents(filter: EventFilter, cursor: EventCursor | null, limit = 50) {
  const keys = await db().$queryRaw<{ id: bigint }[]>`
    SELECT e.id FROM billing_events e
    WHERE ${eventFilterSql(filter)} AND ${beforeCursorSql(cursor)}
    ORDER BY e.occurred_at DESC, e.id DESC
    LIMIT ${limit + 1}`;
  const ids = keys.slice(0, limit).map((k) => k.id);
  const rows = ids.length
    ? await db().billingEvent.findMany({
        where: { id: { in: ids } },
        include: {
          connection: { select: { name: true } },
          shop: { select: { domain: true } },
          wixInstance: { select: { siteName: true } },
          _count: { select: { attempts: true } },
        },
      })
    : [];
  rows.sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0));
  const last = rows.at(-1);
  return {
    rows,
    nextCursor: keys.length > limit && last ? encodeCursor(last.occurredAt, last.id) : null,
  };
}

type ListedEvent = Awaited<ReturnType<typeof listEvents>>["rows"][number];

/**
 * One explorer row as JSON, for the page's first render and for /api/events alike (the list
 * refreshes itself from the route): exact decimals as strings, the same words for people that
 * the event page uses (deliveryStory), and amounts with their currency's minor units.
 */
export function eventRowView(e: ListedEvent) {
  const story = deliveryStory({
    kind: e.kind,
    state: e.state,
    attemptCount: e.attemptCount,
    attemptsRecorded: e._count.attempts,
    platformVerdict: e.platformVerdict,
    platformCode: e.platformCode,
    verdictSource: e.verdictSource,
    nextAttemptPlanned: e.nextAttemptAt !== null,
    source: e.source,
  });
  return {
    id: e.id.toString(),
    occurredAt: e.occurredAt.toISOString(),
    connection: e.connection.name,
    platform: e.platform,
    kind: e.kind,
    shopOrInstance: e.shop?.domain ?? e.wixInstance?.siteName ?? null,
    handle: e.handle,
    quantity: e.quantity?.toFixed() ?? null,
    amount: e.amount?.toFixed() ?? null,
    currency: e.currency,
    idempotencyKey: e.idempotencyKey,
    source: e.source,
    predictedVerdict: e.predictedVerdict,
    predictedCode: e.predictedCode,
    state: e.state,
    platformVerdict: e.platformVerdict,
    platformCode: e.platformCode,
    attempts: e._count.attempts,
    delivery: { label: story.label, tone: story.tone, summary: story.summary },
    /** "3 units" / "$120.50": what the list shows. */
    valueText:
      e.amount && e.currency
        ? formatAmount(e.amount.toString(), e.currency)
        : e.quantity
          ? formatQuantity(e.quantity.toString())
          : e.amount
            ? formatQuantity(e.amount.toString())
            : "—",
  };
}
export type EventRowView = ReturnType<typeof eventRowView>;

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
