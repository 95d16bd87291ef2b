import { db } from "../../db/client";
import { listInstancePage } from "../../db/shops-page";
import { formatMoney, toDecimal, type Decimal } from "../../domain/money";
import { previewCharges, type ChargesComputation } from "./charges";
import { recentWebhooks } from "./webhooks";
import { instanceLimits, type InstanceLimit } from "./limit-alerts";

/**
 * What the Shops & instances list and the instance page show about Wix instances: the charge-limit
 * gauge of the current cycle (used / limit, projected), formatted here so pages receive text.
 */
export type Gauge = {
  currency: string;
  usedText: string;
  limitText: string;
  remainingText: string;
  /** Null early in a cycle, when a pace means nothing yet. */
  projectedText: string | null;
  percentUsed: number;
  projectedPercent: number | null;
  reachesLimitAt: string | null;
  cycleStart: string;
  cycleEnd: string;
};

function toGauge({ status, cycle, projects }: InstanceLimit, currency: string): Gauge {
  const money = (amount: Decimal) => formatMoney({ amount, currency });
  return {
    currency,
    usedText: money(status.used),
    limitText: money(status.limit),
    remainingText: money(status.remaining),
    projectedText: projects ? money(status.projected) : null,
    percentUsed: status.percentUsed.toNumber(),
    projectedPercent: projects ? status.projectedPercent.toNumber() : null,
    reachesLimitAt: projects ? (status.reachesLimitAt?.toISOString() ?? null) : null,
    cycleStart: cycle.start.toISOString(),
    cycleEnd: cycle.end.toISOString(),
  };
}

/** One searched page of instances with their charge-limit gauges (limits and alerts read for that page only). */
export async function listWixInstances(opts: { q?: string; after?: string } = {}, now = new Date()) {
  const page = await listInstancePage(opts);
  const ids = page.rows.map((i) => i.id);
  const [limits, open] = await Promise.all([
    ids.length ? instanceLimits(ids, now) : new Map<string, InstanceLimit>(),
    ids.length
      ? db().alert.groupBy({ by: ["subjectId"], where: { subjectType: "wix_instance", acknowledgedAt: null, subjectId: { in: ids } }, _count: { _all: true } })
      : [],
  ]);
  const rows = page.rows.map((i) => {
    const limit = limits.get(i.id);
    const alerts = open.find((a) => a.subjectId === i.id)?._count._all ?? 0;
    return { ...i, gauge: limit ? toGauge(limit, i.currency) : null, openAlerts: alerts };
  });
  return { rows, total: page.total, nextCursor: page.nextCursor };
}

export async function getWixInstance(id: string, now = new Date()) {
  const instance = await db().wixInstance.findUnique({
    where: { id },
    include: { connection: { select: { id: true, name: true, environment: true, defaultChargeLimit: true, alertWebhookUrl: true, apiBaseUrl: true } } },
  });
  if (!instance) return null;
  const [limits, periods, invoices, rejections, limitChanges, alerts, priceItems, webhooks, invoiceStatuses] = await Promise.all([
    instanceLimits([id], now),
    db().wixBillingPeriod.findMany({
      where: { wixInstanceId: id },
      orderBy: { periodStart: "desc" },
      take: 24,
      include: { charges: { orderBy: { proposedAt: "asc" } } },
    }),
    db().wixInvoice.findMany({ where: { wixInstanceId: id }, orderBy: { receivedAt: "desc" }, take: 24, include: { lines: { orderBy: { id: "asc" } } } }),
    db().wixRejection.findMany({ where: { wixInstanceId: id }, orderBy: { at: "desc" }, take: 24 }),
    db().wixLimitChange.findMany({ where: { wixInstanceId: id }, orderBy: { at: "desc" }, take: 50 }),
    db().alert.findMany({
      where: { subjectType: "wix_instance", subjectId: id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 20,
      include: { acknowledgedBy: { select: { name: true } } },
    }),
    db().wixPriceItem.findMany({ where: { connectionId: instance.connectionId, currency: instance.currency }, orderBy: { kind: "asc" } }),
    recentWebhooks({ wixInstanceId: id }),
    db().wixInvoiceStatus.findMany({ where: { wixInstanceId: id }, orderBy: { statusAt: "desc" }, take: 50 }),
  ]);
  const limit = limits.get(id);
  // What Wix would be answered if it invoiced now: the current cycle up to now (nothing written).
  let preview: ChargesComputation | null = null;
  let previewError: string | null = null;
  if (instance.cycleStart && instance.cycleStart < now) {
    try {
      preview = await previewCharges(instance, { currency: instance.currency, period: { start: instance.cycleStart, end: now } });
    } catch (err) {
      previewError = (err as Error).message;
    }
  }
  return {
    instance,
    gauge: limit ? toGauge(limit, instance.currency) : null,
    preview,
    previewError,
    periods,
    invoices,
    rejections,
    limitChanges,
    alerts,
    priceItems,
    webhooks,
    invoiceStatuses: new Map(invoiceStatuses.map((s) => [s.invoiceId, s])),
  };
}

/** A stored amount (Prisma Decimal, decimal.js or string) for people; "—" when there is none. */
export function moneyText(amount: { toString(): string } | null | undefined, currency: string): string {
  return amount == null ? "—" : formatMoney({ amount: toDecimal(amount.toString()), currency });
}
