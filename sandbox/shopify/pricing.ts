// App Pricing math for usage meters (docs/platforms/shopify.md §2.3), exact with decimal.js.
// Included units are consumed first; graduated/volume tiers then apply to the rest (INFERRED).
import { Decimal, roundCost } from "../money";
import type { Meter, Tier } from "../state";

export function meterCost(meter: Meter, quantity: Decimal.Value, currency = "USD"): Decimal {
  const billable = Decimal.max(0, new Decimal(quantity).minus(meter.includedUnits));
  if (billable.isZero()) return new Decimal(0);
  switch (meter.structure) {
    case "FIXED":
      return roundCost(billable.times(meter.unitPrice ?? 0), currency);
    case "GRADUATED":
      return roundCost(graduated(meter.tiers, billable), currency);
    case "VOLUME":
      return roundCost(volume(meter.tiers, billable), currency);
  }
}

function graduated(tiers: Tier[], quantity: Decimal): Decimal {
  let cost = new Decimal(0);
  let lower = new Decimal(0);
  for (const tier of tiers) {
    if (quantity.lte(lower)) break;
    const upper = tier.upTo === null ? quantity : Decimal.min(quantity, tier.upTo);
    cost = cost.plus(upper.minus(lower).times(tier.amountPerUnit)).plus(tier.amount);
    if (tier.upTo === null) break;
    lower = new Decimal(tier.upTo);
  }
  return cost;
}

function volume(tiers: Tier[], quantity: Decimal): Decimal {
  const tier = tiers.find((t) => t.upTo === null || quantity.lte(t.upTo)) ?? tiers.at(-1);
  return tier ? quantity.times(tier.amountPerUnit).plus(tier.amount) : new Decimal(0);
}

export type PriceTierView = { upTo: number | null; amountPerUnit: string; amount: string };

/**
 * The meter as the Partner API shows it: a TieredPrice (docs/platforms/shopify.md §2.5, INFERRED). A fixed
 * meter is one open tier; included units show as a first $0 tier (as in the documented example).
 */
export function meterTiers(meter: Meter): { tiersMode: "GRADUATED" | "VOLUME"; tiers: PriceTierView[] } {
  const money = (v: Decimal.Value) => new Decimal(v).toFixed(Math.max(2, new Decimal(v).decimalPlaces()));
  const inc = meter.includedUnits;
  const free: PriceTierView[] = inc > 0 ? [{ upTo: inc, amountPerUnit: "0.00", amount: "0.00" }] : [];
  if (meter.structure === "FIXED") {
    return { tiersMode: "GRADUATED", tiers: [...free, { upTo: null, amountPerUnit: money(meter.unitPrice ?? 0), amount: "0.00" }] };
  }
  const shift = meter.structure === "GRADUATED" ? inc : 0;
  const tiers = meter.tiers.map((t) => ({
    upTo: t.upTo === null ? null : t.upTo + shift,
    amountPerUnit: money(t.amountPerUnit),
    amount: money(t.amount),
  }));
  return meter.structure === "GRADUATED" ? { tiersMode: "GRADUATED", tiers: [...free, ...tiers] } : { tiersMode: "VOLUME", tiers };
}
