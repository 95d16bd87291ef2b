import { z } from "zod";
import { DomainError } from "./errors";
import { Decimal, toDecimal, type CurrencyCode, type DecimalInput } from "./money";
import { projectAtTrailingRate, projectToPeriodEnd, type Period } from "./periods";

/**
 * Prices usage the way Shopify App Pricing does (docs/platforms/shopify.md §2.2/2.3). Amounts are exact: a
 * meter at $0.001 a unit yields $1.250 for 1,250 units; rounding to cents is left to whoever
 * displays or bills the amount, because Shopify's rounding is not documented (open question 7).
 *
 * Our reading of included units (open question 7): they are deducted first, from the total
 * quantity of the cycle, whatever the structure; tiers then apply to the billable units that
 * remain, counted from the first billable unit. So with 100 included and a graduated tier
 * "up to 50 at $1", units 101-150 are the ones billed at $1. Shopify's own answer for a Fixed
 * meter (100 included, $0.01 after) is a $0 tier up to 100: that is the same thing written as
 * tiers, and such a meter can be given either way here. The other reading seen in practice
 * (included units as a $0 first tier, other tiers counted from unit 1) is had by setting
 * includedUnits to 0 and writing the free tier into `tiers`.
 *
 * Tiers cover (previous upTo, upTo]; the last tier has upTo null (open-ended). `flatAmount` is
 * charged once when any unit falls in the tier (graduated) or once for the tier the total falls
 * in (volume); Shopify's PriceTier.amount is read the same way (its meaning is UNKNOWN).
 * Zero billable units cost nothing, even with a flat amount.
 */
type PricingStructure = "fixed" | "graduated" | "volume";
export type PriceTier = { upTo: string | null; unitPrice: string; flatAmount?: string | null };

export type MeterPricing = {
  handle: string;
  structure: PricingStructure;
  /** Price of one billable unit (fixed structure). */
  unitPrice: DecimalInput;
  includedUnits?: DecimalInput | null;
  /** Graduated and volume structures. */
  tiers?: readonly PriceTier[] | null;
  currency: CurrencyCode;
};

export type PlanPricing = { handle: string; monthlyFee: DecimalInput; currency: CurrencyCode; meters: readonly MeterPricing[] };

type MeterCharge = { handle: string; quantity: Decimal; includedUnits: Decimal; billableUnits: Decimal; charge: Decimal };
export type CycleCharge = {
  planHandle: string;
  currency: CurrencyCode;
  monthlyFee: Decimal;
  meters: MeterCharge[];
  usageCharge: Decimal;
  total: Decimal;
  /** Handles with usage but no meter in this plan: Shopify counts them as custom events, free. */
  unmatchedHandles: string[];
};

const decimalText = z.string().regex(/^\d+(\.\d{1,10})?$/, "must be a non-negative decimal string");

/** Parses the `tiers` JSON column of a meter. */
export const priceTiersSchema = z.array(z.object({ upTo: decimalText.nullable(), unitPrice: decimalText, flatAmount: decimalText.nullish() }));

export function priceMeterUsage(meter: MeterPricing, quantity: DecimalInput): Decimal {
  return priceMeter(meter, toDecimal(quantity, "quantity")).charge;
}

function priceMeter(meter: MeterPricing, quantity: Decimal): MeterCharge {
  if (quantity.isNegative()) {
    throw new DomainError("INVALID_QUANTITY", `Usage of ${meter.handle} cannot be negative (${quantity.toFixed()})`, "quantity");
  }
  const includedUnits = toDecimal(meter.includedUnits ?? "0", "includedUnits");
  const billableUnits = Decimal.max(quantity.minus(includedUnits), 0);
  const base = { handle: meter.handle, quantity, includedUnits, billableUnits };
  if (meter.structure === "fixed") return { ...base, charge: billableUnits.times(toDecimal(meter.unitPrice, "unitPrice")) };
  const tiers = readTiers(meter);
  if (billableUnits.isZero()) return { ...base, charge: new Decimal(0) };
  const last = tiers.at(-1);
  if (last?.upTo && billableUnits.gt(last.upTo)) {
    throw new DomainError(
      "INVALID_PRICING",
      `${billableUnits.toFixed()} billable units of ${meter.handle} go past its last tier (up to ${last.upTo.toFixed()}); the last tier should be open-ended`,
      "tiers",
    );
  }
  return { ...base, charge: meter.structure === "graduated" ? graduated(tiers, billableUnits) : volume(tiers, billableUnits) };
}

type Tier = { upTo: Decimal | null; unitPrice: Decimal; flatAmount: Decimal };

function graduated(tiers: Tier[], units: Decimal): Decimal {
  let charge = new Decimal(0);
  let floor = new Decimal(0);
  for (const tier of tiers) {
    if (units.lte(floor)) break;
    const top = tier.upTo ? Decimal.min(units, tier.upTo) : units;
    charge = charge.plus(top.minus(floor).times(tier.unitPrice)).plus(tier.flatAmount);
    if (tier.upTo) floor = tier.upTo;
  }
  return charge;
}

function volume(tiers: Tier[], units: Decimal): Decimal {
  const tier = tiers.find((t) => t.upTo === null || units.lte(t.upTo))!;
  return units.times(tier.unitPrice).plus(tier.flatAmount);
}

/** Refuses a meter that could never be priced (tiers out of order, an open tier before the last): before it is stored. */
export function assertMeterPricing(meter: Pick<MeterPricing, "handle" | "structure" | "tiers">): void {
  if (meter.structure !== "fixed") readTiers(meter);
}

/** A meter's price columns as the ledger stores them (amounts as decimal strings, tiers as JSON). */
export type MeterColumns = {
  unitPrice: string;
  includedUnits: string;
  tiers: { upTo: string | null; unitPrice: string; flatAmount: string }[] | null;
};

/**
 * A meter's stored price columns from its pricing as the platform or a person gives it. A
 * graduated or volume meter is priced by its tiers, and its unit price column holds the first
 * tier's price (what its first billable unit costs: Shopify sends tiered meters with no unit price
 * of their own); a fixed meter's holds its own price. No tiers is null, a missing price "0".
 */
export function meterColumns(meter: {
  structure: PricingStructure;
  unitPrice?: DecimalInput | null;
  includedUnits?: DecimalInput | null;
  tiers?: readonly PriceTier[] | null;
}): MeterColumns {
  const tiers = meter.tiers?.length ? meter.tiers.map((t) => ({ upTo: t.upTo, unitPrice: t.unitPrice, flatAmount: t.flatAmount ?? "0" })) : null;
  const own = meter.unitPrice === undefined || meter.unitPrice === null ? undefined : decimalString(meter.unitPrice);
  const first = tiers?.[0]?.unitPrice;
  return {
    unitPrice: (meter.structure === "fixed" ? (own ?? first) : (first ?? own)) ?? "0",
    includedUnits: meter.includedUnits === undefined || meter.includedUnits === null ? "0" : decimalString(meter.includedUnits),
    tiers,
  };
}

const decimalString = (value: DecimalInput) => (typeof value === "string" ? value : toDecimal(value).toFixed());

function readTiers(meter: Pick<MeterPricing, "handle" | "structure" | "tiers">): Tier[] {
  const parsed = priceTiersSchema.safeParse(meter.tiers ?? []);
  if (!parsed.success || parsed.data.length === 0) {
    throw new DomainError("INVALID_PRICING", `Meter ${meter.handle} is ${meter.structure} but has no valid tiers`, "tiers");
  }
  const tiers = parsed.data.map((t) => ({
    upTo: t.upTo === null ? null : new Decimal(t.upTo),
    unitPrice: new Decimal(t.unitPrice),
    flatAmount: new Decimal(t.flatAmount ?? "0"),
  }));
  tiers.forEach((tier, i) => {
    const previous = tiers[i - 1]?.upTo;
    if (tier.upTo === null && i !== tiers.length - 1) {
      throw new DomainError("INVALID_PRICING", `Only the last tier of ${meter.handle} may be open-ended`, "tiers");
    }
    if (tier.upTo !== null && (tier.upTo.lte(0) || (previous && tier.upTo.lte(previous)))) {
      throw new DomainError("INVALID_PRICING", `Tier limits of ${meter.handle} must be positive and increasing`, "tiers");
    }
  });
  return tiers;
}

type Usage = Readonly<Record<string, DecimalInput>> | ReadonlyMap<string, DecimalInput>;

/**
 * What the merchant owes for the cycle so far: the plan's monthly fee (in full; mid-cycle plan
 * changes and their proration are not modelled) plus every meter priced on its usage.
 */
export function projectCycleCharge(plan: PlanPricing, usageByHandle: Usage): CycleCharge {
  const usage = usageByHandle instanceof Map ? usageByHandle : new Map(Object.entries(usageByHandle));
  const meters = plan.meters.map((meter) => {
    if (meter.currency !== plan.currency) {
      throw new DomainError("CURRENCY_MISMATCH", `Meter ${meter.handle} is priced in ${meter.currency}, its plan in ${plan.currency}`, "currency");
    }
    return priceMeter(meter, toDecimal(usage.get(meter.handle) ?? "0", "quantity"));
  });
  const known = new Set(plan.meters.map((m) => m.handle));
  const usageCharge = meters.reduce((sum, m) => sum.plus(m.charge), new Decimal(0));
  const monthlyFee = toDecimal(plan.monthlyFee, "monthlyFee");
  return {
    planHandle: plan.handle,
    currency: plan.currency,
    monthlyFee,
    meters,
    usageCharge,
    total: monthlyFee.plus(usageCharge),
    unmatchedHandles: [...usage.keys()].filter((h) => !known.has(h)).sort(),
  };
}

/**
 * The cycle so far, and where it ends if usage keeps its pace since the cycle began (a straight
 * line; the usage API states it). The Overview uses the trailing rate below instead.
 */
export function projectCycleChargeAtEnd(plan: PlanPricing, usageSoFar: Usage, cycle: Period, now: Date): { current: CycleCharge; projected: CycleCharge } {
  const usage = usageSoFar instanceof Map ? usageSoFar : new Map(Object.entries(usageSoFar));
  const projectedUsage = new Map([...usage].map(([handle, q]) => [handle, projectToPeriodEnd(q, cycle, now)] as const));
  return { current: projectCycleCharge(plan, usage), projected: projectCycleCharge(plan, projectedUsage) };
}

/**
 * The cycle's charge so far, and at its end at each meter's trailing rate (periods.ts
 * projectAtTrailingRate): null while the cycle is less than a day old. Quantities are projected
 * and then priced, because tiers make the charge itself non-linear.
 */
export function projectCycleChargeAtTrailingRate(
  plan: PlanPricing,
  usageSoFar: Map<string, DecimalInput>,
  trailing: Map<string, DecimalInput>,
  cycle: Period,
  now: Date,
): { current: CycleCharge; projected: CycleCharge | null } {
  const current = projectCycleCharge(plan, usageSoFar);
  const projectedUsage = new Map<string, Decimal>();
  for (const handle of new Set([...usageSoFar.keys(), ...trailing.keys()])) {
    const p = projectAtTrailingRate(usageSoFar.get(handle) ?? "0", trailing.get(handle) ?? "0", cycle, now);
    if (p === null) return { current, projected: null };
    projectedUsage.set(handle, p);
  }
  if (projectedUsage.size === 0 && projectAtTrailingRate("0", "0", cycle, now) === null) return { current, projected: null };
  return { current, projected: projectCycleCharge(plan, projectedUsage) };
}
