import type { MeterPricing, PlanPricing } from "@/lib/domain/pricing";
import { SHOPIFY_BILLING_CODES, type ShopifyBillingCode, type ShopifySubscriptionState } from "@/lib/domain/shopify-predict";
import { shopifyFlatRatePrice, shopifyTieredPrice, type ShopifyActiveSubscription, type ShopifyLogRow } from "./schemas";

/** Pure mappings from Shopify's records to the ledger's terms. */
export type ShopifyVerdict = {
  verdict: "billable" | "non_billable" | "failed";
  /** One of the nine billing codes, or whatever unknown code Shopify reported (kept, not guessed away). */
  code: ShopifyBillingCode | (string & {}) | null;
  details: string | null;
};

/**
 * A Dev Dashboard log row -> the platform's verdict on the event. A billing code other than
 * SUCCESS means failed; a row with no failure is billable or non-billable as Shopify labelled it.
 * A failed request (status 4xx/5xx) without a code is failed with no code.
 */
export function toLedgerVerdict(row: ShopifyLogRow): ShopifyVerdict {
  const details = row.result_details ?? null;
  const code = row.billing_result_code?.trim().toUpperCase() || null;
  if (code && code !== "SUCCESS") {
    const known = (SHOPIFY_BILLING_CODES as readonly string[]).includes(code);
    return { verdict: "failed", code, details: details ?? (known ? null : `Shopify reported an unknown billing code ${code}`) };
  }
  if (row.result_status === "RESULT_STATUS_FAILURE" || (row.status != null && row.status >= 400)) {
    return { verdict: "failed", code: null, details: details ?? `Shopify could not process the event (status ${row.status ?? "failure"})` };
  }
  if (row.billable || code === "SUCCESS") return { verdict: "billable", code: null, details };
  return { verdict: "non_billable", code: null, details };
}

/** Partner API activeSubscription -> what the predictor needs to know about the subscription. */
export function toSubscriptionState(sub: ShopifyActiveSubscription | null): ShopifySubscriptionState | null {
  if (!sub) return null;
  const cycle = sub.currentBillingCycle;
  return {
    status: "ACTIVE",
    planHandle: sub.items.find((i) => i.price.__typename === "FlatRatePrice")?.handle ?? null,
    cycleStart: cycle ? new Date(cycle.startTime) : null,
    cycleEnd: cycle ? new Date(cycle.endTime) : null,
  };
}

/**
 * Partner API activeSubscription -> plan pricing. The recurring fee is the FlatRatePrice item
 * (its handle is the plan handle) and each TieredPrice item is a meter (INFERRED, docs/platforms/shopify.md
 * §2.5). A Fixed meter arrives as tiers ($0 up to the included units, then the unit price), so it
 * maps to a graduated meter with no separate included units; that prices identically.
 */
export function toPlanPricing(sub: ShopifyActiveSubscription): PlanPricing | null {
  let fee: { handle: string | null; amount: string; currency: string } | null = null;
  const meters: MeterPricing[] = [];
  for (const item of sub.items) {
    const flat = shopifyFlatRatePrice.safeParse(item.price);
    const tiered = shopifyTieredPrice.safeParse(item.price);
    if (flat.success) {
      fee = { handle: item.handle, amount: flat.data.amount, currency: flat.data.currency };
    } else if (tiered.success && item.handle) {
      const price = tiered.data;
      meters.push({
        handle: item.handle,
        structure: price.tiersMode.toUpperCase() === "VOLUME" ? "volume" : "graduated",
        unitPrice: "0",
        includedUnits: "0",
        tiers: price.tiers.map((t) => ({ upTo: t.upTo, unitPrice: t.amountPerUnit, flatAmount: t.amount ?? null })),
        currency: price.currency,
      });
    }
  }
  const currency = fee?.currency ?? meters[0]?.currency;
  if (!currency) return null;
  return { handle: fee?.handle ?? "usage-only", monthlyFee: fee?.amount ?? "0", currency, meters };
}
