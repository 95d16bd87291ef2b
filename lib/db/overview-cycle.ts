import { DomainError } from "../domain/errors";
import { groupBy } from "../domain/group-by";
import { Decimal, formatMoney, formatQuantity, toDecimal } from "../domain/money";
import { PROJECTION_METHOD, projectAtTrailingRate, TRAILING_RATE_DAYS } from "../domain/periods";
import { projectCycleChargeAtTrailingRate, type PriceTier } from "../domain/pricing";
import { limitStatus } from "../domain/wix-limits";
import { db } from "./client";
import { currentCycleUsage, trailingCycleUsage, type CycleUsageRow, type DashboardFilter } from "./rollups";

/**
 * The current billing cycle of every shop and Wix instance: billable units, revenue so far and
 * projected to the cycle's end per currency (Shopify: plan fee + priced meters; Wix: billable
 * charges), and the Wix instances nearest their charge limit. Amounts are decimal strings.
 * The projection is `method` (periods.ts): each cycle at its trailing 7-day rate; cycles less than
 * a day old count as they stand (`projectedSubjects` says how many were projected).
 */
export type CycleRevenue = {
  currency: string;
  units: string;
  current: string;
  projected: string;
  subjects: number;
  projectedSubjects: number;
  /** For people ("$1,250.00"), formatted here so the browser needs no decimal library. */
  currentText: string;
  projectedText: string;
  unitsText: string;
};
export type LimitRow = {
  id: string;
  siteName: string;
  currency: string;
  used: string;
  limit: string;
  usedText: string;
  limitText: string;
  percentUsed: number;
  projectedPercent: number;
  reachesLimitAt: string | null;
};

type Filter = Omit<DashboardFilter, "from" | "to">;

export async function cycleOverview(
  f: Filter,
  now: Date,
): Promise<{ revenue: CycleRevenue[]; projectionMethod: string; limits: LimitRow[]; devStores: number }> {
  const active = { cycleStart: { lte: now }, cycleEnd: { gt: now } };
  const [usage, trailing, shops, instances, plans, devStores] = await Promise.all([
    currentCycleUsage(f, now),
    trailingCycleUsage(f, now, TRAILING_RATE_DAYS),
    f.platform === "wix"
      ? []
      : db().shop.findMany({
          where: {
            ...active,
            planHandle: { not: null },
            isDevStore: false,
            installState: "installed",
            ...(f.connectionId && { connectionId: f.connectionId }),
            ...(f.subjectId && { id: f.subjectId }),
          },
          select: { id: true, connectionId: true, planHandle: true, cycleStart: true, cycleEnd: true },
        }),
    f.platform === "shopify"
      ? []
      : db().wixInstance.findMany({
          where: { ...active, isTest: false, ...(f.connectionId && { connectionId: f.connectionId }), ...(f.subjectId && { id: f.subjectId }) },
          select: {
            id: true,
            siteName: true,
            currency: true,
            chargeLimit: true,
            initialChargeLimit: true,
            cycleStart: true,
            cycleEnd: true,
            connection: { select: { defaultChargeLimit: true } },
          },
        }),
    f.platform === "wix" ? [] : db().plan.findMany({ where: f.connectionId ? { connectionId: f.connectionId } : {}, include: { meters: true } }),
    // Development stores are left out of revenue: Shopify never charges them (docs/platforms/shopify.md §2.1).
    f.platform === "wix"
      ? 0
      : db().shop.count({
          where: {
            ...active,
            planHandle: { not: null },
            isDevStore: true,
            installState: "installed",
            ...(f.connectionId && { connectionId: f.connectionId }),
            ...(f.subjectId && { id: f.subjectId }),
          },
        }),
  ]);
  const bySubject = groupBy(usage, (u) => u.subjectId);
  const trailingBySubject = groupBy(trailing, (u) => u.subjectId);
  const totals = new Map<string, { units: Decimal; current: Decimal; projected: Decimal; subjects: number; projectedSubjects: number }>();
  const add = (currency: string, units: Decimal, current: Decimal, projected: Decimal | null) => {
    const t = totals.get(currency) ?? { units: new Decimal(0), current: new Decimal(0), projected: new Decimal(0), subjects: 0, projectedSubjects: 0 };
    totals.set(currency, {
      units: t.units.plus(units),
      current: t.current.plus(current),
      projected: t.projected.plus(projected ?? current),
      subjects: t.subjects + 1,
      projectedSubjects: t.projectedSubjects + (projected ? 1 : 0),
    });
  };
  const unitsByHandle = (rows: CycleUsageRow[]) => {
    const units = new Map<string, string>();
    for (const u of rows.filter((r) => r.outcome === "billable"))
      units.set(
        u.handle,
        toDecimal(units.get(u.handle) ?? "0")
          .plus(toDecimal(u.quantity.toString()))
          .toFixed(),
      );
    return units;
  };

  for (const shop of shops) {
    const plan = plans.find((p) => p.connectionId === shop.connectionId && p.handle === shop.planHandle);
    if (!plan) continue;
    try {
      const { current, projected } = projectCycleChargeAtTrailingRate(
        {
          handle: plan.handle,
          monthlyFee: plan.monthlyFee.toString(),
          currency: plan.currency,
          meters: plan.meters.map((m) => ({
            handle: m.handle,
            structure: m.structure,
            unitPrice: m.unitPrice.toString(),
            includedUnits: m.includedUnits.toString(),
            tiers: m.tiers as PriceTier[] | null,
            currency: m.currency,
          })),
        },
        unitsByHandle(bySubject.get(shop.id) ?? []),
        unitsByHandle(trailingBySubject.get(shop.id) ?? []),
        { start: shop.cycleStart!, end: shop.cycleEnd! },
        now,
      );
      const metered = current.meters.reduce((sum, m) => sum.plus(m.quantity), new Decimal(0));
      add(plan.currency, metered, current.total, projected?.total ?? null);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err; // a misconfigured plan leaves that shop out
    }
  }

  const limits: LimitRow[] = [];
  for (const inst of instances) {
    const rows = bySubject.get(inst.id) ?? [];
    const cycle = { start: inst.cycleStart!, end: inst.cycleEnd! };
    const recent = (trailingBySubject.get(inst.id) ?? []).filter((r) => r.outcome === "billable");
    for (const [currency, list] of groupBy(
      rows.filter((r) => r.outcome === "billable" && r.currency),
      (r) => r.currency,
    )) {
      const current = sum(list, "amount");
      add(
        currency,
        sum(list, "quantity"),
        current,
        projectAtTrailingRate(
          current,
          sum(
            recent.filter((r) => r.currency === currency),
            "amount",
          ),
          cycle,
          now,
        ),
      );
    }
    const limit = inst.chargeLimit ?? inst.initialChargeLimit ?? inst.connection.defaultChargeLimit;
    if (!limit || limit.lte(0)) continue;
    const used = sum(
      rows.filter((r) => r.kind === "wix_usage" && r.currency === inst.currency),
      "amount",
    );
    const status = limitStatus({ used, limit: limit.toString(), cycle, now });
    limits.push({
      id: inst.id,
      siteName: inst.siteName,
      currency: inst.currency,
      used: used.toFixed(),
      limit: status.limit.toFixed(),
      usedText: formatMoney({ amount: used, currency: inst.currency }),
      limitText: formatMoney({ amount: status.limit, currency: inst.currency }),
      percentUsed: status.percentUsed.toNumber(),
      projectedPercent: status.projectedPercent.toNumber(),
      reachesLimitAt: status.reachesLimitAt?.toISOString() ?? null,
    });
  }
  limits.sort((a, b) => b.percentUsed - a.percentUsed || b.projectedPercent - a.projectedPercent);
  const revenue = [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, t]) => ({
      currency,
      units: t.units.toFixed(),
      current: t.current.toFixed(),
      projected: t.projected.toFixed(),
      subjects: t.subjects,
      projectedSubjects: t.projectedSubjects,
      currentText: formatMoney({ amount: t.current, currency }),
      projectedText: formatMoney({ amount: t.projected, currency }),
      unitsText: formatQuantity(t.units),
    }));
  return { revenue, projectionMethod: PROJECTION_METHOD, limits: limits.slice(0, 5), devStores };
}

function sum(rows: CycleUsageRow[], field: "amount" | "quantity"): Decimal {
  return rows.reduce((acc, r) => acc.plus(toDecimal(r[field].toString())), new Decimal(0));
}
