import { db } from "../db/client";
import { formatMoney, toDecimal, type Decimal } from "../domain/money";
import { previewCharges, type ChargesComputation } from "./wix-charges";
import { instanceLimits, type InstanceLimit } from "./wix-limit-alerts";

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

export function toGauge({ status, cycle, projects }: InstanceLimit, currency: string): Gauge {
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

export async function listWixInstances(now = new Date()) {
  const [instances, limits, open] = await Promise.all([
    db().wixInstance.findMany({ orderBy: [{ connectionId: "asc" }, { siteName: "asc" }], include: { connection: { select: { name: true, environment: true } } } }),
    instanceLimits("all", now),
    db().alert.groupBy({ by: ["subjectId"], where: { subjectType: "wix_instance", acknowledgedAt: null }, _count: { _all: true } }),
  ]);
  return instances.map((i) => {
    const limit = limits.get(i.id);
    const alerts = open.find((a) => a.subjectId === i.id)?._count._all ?? 0;
    return { ...i, gauge: limit ? toGauge(limit, i.currency) : null, openAlerts: alerts };
  });
}

export async function getWixInstance(id: string, now = new Date()) {
  const instance = await db().wixInstance.findUnique({
    where: { id },
    include: { connection: { select: { id: true, name: true, environment: true, defaultChargeLimit: true, alertWebhookUrl: true, apiBaseUrl: true } } },
  });
  if (!instance) return null;
  const [limits, periods, invoices, rejections, limitChanges, alerts, priceItems] = await Promise.all([
    instanceLimits([id], now),
    db().wixBillingPeriod.findMany({ where: { wixInstanceId: id }, orderBy: { periodStart: "desc" }, take: 24, include: { charges: { orderBy: { proposedAt: "asc" } } } }),
    db().wixInvoice.findMany({ where: { wixInstanceId: id }, orderBy: { receivedAt: "desc" }, take: 24, include: { lines: { orderBy: { id: "asc" } } } }),
    db().wixRejection.findMany({ where: { wixInstanceId: id }, orderBy: { at: "desc" }, take: 24 }),
    db().wixLimitChange.findMany({ where: { wixInstanceId: id }, orderBy: { at: "desc" }, take: 50 }),
    db().alert.findMany({ where: { subjectType: "wix_instance", subjectId: id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 20, include: { acknowledgedBy: { select: { name: true } } } }),
    db().wixPriceItem.findMany({ where: { connectionId: instance.connectionId, currency: instance.currency }, orderBy: { kind: "asc" } }),
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
  };
}

/** A stored amount (Prisma Decimal, decimal.js or string) for people; "—" when there is none. */
export function moneyText(amount: { toString(): string } | null | undefined, currency: string): string {
  return amount == null ? "—" : formatMoney({ amount: toDecimal(amount.toString()), currency });
}
