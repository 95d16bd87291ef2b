import { assert, describe, expect, it } from "vitest";
import { priceMeterUsage } from "@/lib/domain/pricing";
import { shopifyActiveSubscription, shopifyLogRow } from "./schemas";
import { toLedgerVerdict, toPlanPricing, toSubscriptionState } from "./to-ledger";

const row = (fields: Record<string, unknown>) =>
  shopifyLogRow.parse({ type: "app_billing_event", status: 200, event_handle: "sms_sent", shop: "acme.myshopify.com", idempotency_key: "k1", ...fields });

describe("toLedgerVerdict", () => {
  it("records a billed event as billable", () => {
    expect(toLedgerVerdict(row({ billable: true, billing_result_code: "SUCCESS", result_details: null }))).toEqual({
      verdict: "billable",
      code: null,
      details: null,
    });
  });

  it("records a custom event as non-billable", () => {
    expect(toLedgerVerdict(row({ type: "app_event", event_handle: "SMS_SENT", billable: false }))).toMatchObject({ verdict: "non_billable", code: null });
  });

  it("keeps Shopify's failure code and its explanation", () => {
    const details = "Event timestamp must be within the current billing cycle (2026-01-05T00:00:00Z - 2026-02-04T00:00:00Z)";
    expect(
      toLedgerVerdict(row({ billable: true, billing_result_code: "PERIOD_CLOSED", result_status: "RESULT_STATUS_FAILURE", result_details: details })),
    ).toEqual({
      verdict: "failed",
      code: "PERIOD_CLOSED",
      details,
    });
    expect(toLedgerVerdict(row({ billing_result_code: "no_subscription" })).code).toBe("NO_SUBSCRIPTION");
  });

  it("keeps a code it does not know instead of calling the event billed", () => {
    expect(toLedgerVerdict(row({ billable: true, billing_result_code: "CAP_REACHED" }))).toEqual({
      verdict: "failed",
      code: "CAP_REACHED",
      details: "Shopify reported an unknown billing code CAP_REACHED",
    });
  });

  it("marks a failed request without a code as failed", () => {
    expect(toLedgerVerdict(row({ status: 500, billable: null }))).toMatchObject({ verdict: "failed", code: null });
  });
});

describe("subscription mapping", () => {
  const sub = shopifyActiveSubscription.parse({
    billingPeriod: "EVERY_30_DAYS",
    currentBillingCycle: { startTime: "2026-01-05T00:00:00Z", endTime: "2026-02-04T00:00:00Z" },
    items: [
      { handle: "sms-pro", price: { __typename: "FlatRatePrice", active: true, currency: "USD", amount: "9.99" } },
      {
        handle: "sms_sent",
        price: {
          __typename: "TieredPrice",
          currency: "USD",
          tiersMode: "GRADUATED",
          tiers: [
            { upTo: 100, amountPerUnit: "0.00", amount: "0.00" },
            { upTo: null, amountPerUnit: "0.01", amount: "0.00" },
          ],
        },
        usage: { quantity: "250" },
      },
      {
        handle: "api_calls",
        price: {
          __typename: "TieredPrice",
          currency: "USD",
          tiersMode: "VOLUME",
          tiers: [
            { upTo: "100", amountPerUnit: "10" },
            { upTo: "200", amountPerUnit: "9" },
            { upTo: null, amountPerUnit: "8" },
          ],
        },
      },
    ],
  });

  it("gives the predictor the plan and the current cycle", () => {
    expect(toSubscriptionState(sub)).toEqual({
      status: "ACTIVE",
      planHandle: "sms-pro",
      cycleStart: new Date("2026-01-05T00:00:00Z"),
      cycleEnd: new Date("2026-02-04T00:00:00Z"),
    });
    expect(toSubscriptionState(null)).toBeNull();
  });

  it("prices Shopify's own usage the way Shopify reported it", () => {
    const plan = toPlanPricing(sub)!;
    expect(plan.handle).toBe("sms-pro");
    expect(plan.monthlyFee).toBe("9.99");
    expect(plan.meters.map((m) => [m.handle, m.structure])).toEqual([
      ["sms_sent", "graduated"],
      ["api_calls", "volume"],
    ]);
    // docs/platforms/shopify.md §2.5 example: 250 SMS cost 1.50.
    const [sms, api] = plan.meters;
    assert(sms && api, "both meters are read");
    expect(priceMeterUsage(sms, "250").toFixed(2)).toBe("1.50");
    expect(priceMeterUsage(api, "150").toFixed()).toBe("1350");
  });
});
