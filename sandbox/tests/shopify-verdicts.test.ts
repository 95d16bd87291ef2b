// Asynchronous billing verdicts: one test per result code, the check order, non-billable
// custom events, the 24-hour uninstall grace, cycle rollover and "pending first".
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingEvent, SHOPS, startTestSandbox, type TestSandbox, type Body } from "./helpers";

let sbx: TestSandbox;
let token: string;
beforeAll(async () => {
  sbx = await startTestSandbox();
});
afterAll(() => sbx.close());
beforeEach(async () => {
  await sbx.api.reset();
  token = await sbx.api.shopifyToken();
});

const shop = (id: string) => `gid://shopify/Shop/${id}`;
const verdict = async (overrides: Record<string, unknown>) => {
  const row = await sbx.api.eventRow(token, billingEvent(overrides));
  return row as { billable: boolean; billing_result_code: string | null; result_status: string; result_details: string; type: string };
};
/** Moves the sandbox clock; tokens live 60 sandbox minutes, so take a fresh one. */
const advance = async (seconds: number) => {
  await sbx.api.advance(seconds);
  token = await sbx.api.shopifyToken();
};
const partnerStatus = (status: string) => sbx.api.call("PUT", "/_sandbox/shopify/partners/4242", { body: { status } });

describe("billing result codes (one test each)", () => {
  it("SUCCESS: a sms_sent event on the development store is billed", async () => {
    const row = await verdict({});
    expect(row).toMatchObject({ type: "app_billing_event", billable: true, billing_result_code: "SUCCESS", result_status: "RESULT_STATUS_SUCCESS" });
    expect(row.result_details).toMatch(/Billed 1 unit\(s\) of sms_sent.*Development store/);
  });

  it("NO_SUBSCRIPTION: installed shop without an App Pricing subscription", async () => {
    const row = await verdict({ shop_id: shop(SHOPS.noSubscription) });
    expect(row).toMatchObject({ billable: true, billing_result_code: "NO_SUBSCRIPTION", result_status: "RESULT_STATUS_FAILURE" });
  });

  it("ACCOUNT_FROZEN: the partner account is frozen", async () => {
    await partnerStatus("frozen");
    expect((await verdict({})).billing_result_code).toBe("ACCOUNT_FROZEN");
  });

  it("INVALID_ACCOUNT: the partner account is not valid", async () => {
    await partnerStatus("invalid");
    expect((await verdict({})).billing_result_code).toBe("INVALID_ACCOUNT");
  });

  it("SUBSCRIPTION_NOT_METERED: the shop's plan (basic) has no usage meters", async () => {
    expect((await verdict({ shop_id: shop(SHOPS.basic) })).billing_result_code).toBe("SUBSCRIPTION_NOT_METERED");
  });

  it("INVALID_TIMESTAMP: > 5 min in the future, malformed, or before the subscription (all still 202)", async () => {
    const future = await verdict({ timestamp: "2026-01-27T16:36:00Z" });
    expect(future.billing_result_code).toBe("INVALID_TIMESTAMP");
    expect(future.result_details).toMatch(/more than 5 minutes/);
    expect((await verdict({ timestamp: "2026-01-27T16:34:59Z" })).billing_result_code).toBe("SUCCESS");
    expect((await verdict({ timestamp: "yesterday" })).billing_result_code).toBe("INVALID_TIMESTAMP");
    const before = await verdict({ shop_id: shop(SHOPS.pro), timestamp: "2026-01-10T00:00:00Z" });
    expect(before.billing_result_code).toBe("INVALID_TIMESTAMP");
    expect(before.result_details).toMatch(/before the subscription started/);
  });

  it("IDEMPOTENCY_KEY_ERROR: a billing key reused after the 24 h replay window", async () => {
    const key = "sms_once_only";
    expect((await verdict({ idempotency_key: key })).billing_result_code).toBe("SUCCESS");
    await advance(25 * 3600);
    const res = await sbx.api.sendEvent(token, billingEvent({ idempotency_key: key, timestamp: "2026-01-28T17:00:00Z" }));
    expect(res.status).toBe(202);
    expect(res.headers.get("idempotent-replay")).toBeNull();
    const { rows } = await sbx.api.logs({ limit: "1" });
    expect(rows[0]).toMatchObject({ billing_result_code: "IDEMPOTENCY_KEY_ERROR", idempotency_key: key });
    expect(rows[0].result_details).toMatch(/enforced permanently/);
  });

  it("INVALID_VALUE: zero, negative, non-numeric", async () => {
    for (const value of [0, -3, "five", true]) {
      expect((await verdict({ attributes: { value } })).billing_result_code).toBe("INVALID_VALUE");
    }
    expect((await verdict({ attributes: { value: 0.5 } })).billing_result_code).toBe("SUCCESS");
  });

  it("MISSING_VALUE_KEY: attributes without value", async () => {
    expect((await verdict({ attributes: { campaign: "spring" } })).billing_result_code).toBe("MISSING_VALUE_KEY");
  });

  it("PERIOD_CLOSED: a timestamp in a past billing cycle, or more than 24 h after an uninstall", async () => {
    const past = await verdict({ timestamp: "2026-01-10T12:00:00Z" });
    expect(past.billing_result_code).toBe("PERIOD_CLOSED");
    expect(past.result_details).toMatch(/is closed; allowed window \[2026-01-17T16:30:00.000Z, 2026-02-16T16:30:00.000Z\)/);
    const gone = await verdict({ shop_id: shop(SHOPS.uninstalled), timestamp: "2026-01-24T10:00:00Z" });
    expect(gone.billing_result_code).toBe("PERIOD_CLOSED");
    expect(gone.result_details).toMatch(/uninstalled at 2026-01-24T16:30:00.000Z/);
  });
});

describe("classification and check order", () => {
  it("a wrong-case handle is a non-billable custom event", async () => {
    const row = await verdict({ event_handle: "SMS_SENT" });
    expect(row).toMatchObject({ type: "app_event", billable: false, billing_result_code: null, result_status: "RESULT_STATUS_SUCCESS" });
    expect(row.result_details).toMatch(/Did you mean "sms_sent"\?/);
  });

  it("a meter of another plan is non-billable on the shop's metered plan (switch: SUBSCRIPTION_NOT_METERED)", async () => {
    expect((await verdict({ shop_id: shop(SHOPS.volume), event_handle: "mms_sent" })).billable).toBe(false);
    await sbx.api.settings({ shopify: { handleNotInShopPlan: "not_metered" } });
    expect((await verdict({ shop_id: shop(SHOPS.volume), event_handle: "mms_sent" })).billing_result_code).toBe("SUBSCRIPTION_NOT_METERED");
  });

  it("account -> subscription -> metered -> idempotency -> value -> timestamp", async () => {
    await verdict({ idempotency_key: "used_1" });
    await verdict({ idempotency_key: "used_2" });
    await advance(25 * 3600);
    const late = "2026-01-28T17:00:00Z";
    expect((await verdict({ shop_id: shop(SHOPS.noSubscription), attributes: {} })).billing_result_code).toBe("NO_SUBSCRIPTION");
    expect((await verdict({ shop_id: shop(SHOPS.basic), idempotency_key: "used_1" })).billing_result_code).toBe("SUBSCRIPTION_NOT_METERED");
    expect((await verdict({ idempotency_key: "used_2", attributes: { value: -1 }, timestamp: late })).billing_result_code).toBe("IDEMPOTENCY_KEY_ERROR");
    expect((await verdict({ attributes: { value: -1 }, timestamp: "bad" })).billing_result_code).toBe("INVALID_VALUE");
    expect((await verdict({ attributes: {}, timestamp: "bad" })).billing_result_code).toBe("MISSING_VALUE_KEY");
    await partnerStatus("frozen");
    expect((await verdict({ shop_id: shop(SHOPS.noSubscription), attributes: {} })).billing_result_code).toBe("ACCOUNT_FROZEN");
  });
});

describe("uninstall, reinstall and cycles on the sandbox clock", () => {
  it("usage before an uninstall is accepted for 24 hours, then PERIOD_CLOSED", async () => {
    await sbx.api.shopAction(SHOPS.pro, "uninstall");
    await advance(3600);
    expect((await verdict({ shop_id: shop(SHOPS.pro), timestamp: "2026-01-27T16:00:00Z" })).billing_result_code).toBe("SUCCESS");
    expect((await verdict({ shop_id: shop(SHOPS.pro), timestamp: "2026-01-27T17:00:00Z" })).billing_result_code).toBe("INVALID_TIMESTAMP");
    await advance(24 * 3600);
    expect((await verdict({ shop_id: shop(SHOPS.pro), timestamp: "2026-01-27T16:00:00Z" })).billing_result_code).toBe("PERIOD_CLOSED");
  });

  it("a reinstalled shop has no subscription until it subscribes again", async () => {
    await sbx.api.shopAction(SHOPS.pro, "uninstall");
    expect((await sbx.api.shopAction(SHOPS.pro, "reinstall")).status).toBe(200);
    expect((await verdict({ shop_id: shop(SHOPS.pro) })).billing_result_code).toBe("NO_SUBSCRIPTION");
    const sub = await sbx.api.shopAction(SHOPS.pro, "subscribe", { plan: "sms-pro" });
    expect(sub.body.subscription).toMatchObject({ planHandle: "sms-pro", startedAt: "2026-01-27T16:30:00.000Z" });
    expect((await verdict({ shop_id: shop(SHOPS.pro), timestamp: "2026-01-27T16:31:00Z" })).billing_result_code).toBe("SUCCESS");
  });

  it("a cancelled subscription gives NO_SUBSCRIPTION; cancel at end of cycle keeps billing until then", async () => {
    await sbx.api.shopAction(SHOPS.pro, "cancel", { atEndOfCycle: true });
    expect((await verdict({ shop_id: shop(SHOPS.pro) })).billing_result_code).toBe("SUCCESS");
    await sbx.api.shopAction(SHOPS.pro, "cancel");
    expect((await verdict({ shop_id: shop(SHOPS.pro) })).billing_result_code).toBe("NO_SUBSCRIPTION");
  });

  it("usage accumulates per cycle; after the cycle ends the old period is closed", async () => {
    await verdict({ shop_id: shop(SHOPS.pro), attributes: { value: 150 } });
    const before = (await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-blaster/shops")).body.shops.find((s: Body) => s.id === SHOPS.pro);
    expect(before.subscription.usage[0]).toEqual({ meter: "sms_sent", quantity: "150", cost: "0.50" });
    await advance(19 * 86400);
    const after = (await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-blaster/shops")).body.shops.find((s: Body) => s.id === SHOPS.pro);
    expect(after.subscription.currentBillingCycle.startTime).toBe("2026-02-14T16:30:00.000Z");
    expect(after.subscription.usage[0]).toEqual({ meter: "sms_sent", quantity: "0", cost: "0.00" });
    expect((await verdict({ shop_id: shop(SHOPS.pro), timestamp: "2026-02-14T16:00:00Z" })).billing_result_code).toBe("PERIOD_CLOSED");
  });
});

describe("verdict delay", () => {
  it("clients see pending first, then the verdict", async () => {
    await sbx.api.settings({ verdictDelayMs: 800 });
    const sent = Date.now();
    const res = await sbx.api.sendEvent(token, billingEvent());
    expect(res.status).toBe(202);
    const pending = (await sbx.api.logs({ limit: "1" })).rows[0];
    expect(pending).toMatchObject({ billable: null, billing_result_code: null, result_status: "RESULT_STATUS_PENDING", result_details: null });
    expect((await sbx.api.logs({ status: "pending" })).rows).toHaveLength(1);
    let row = pending;
    while (row.result_status === "RESULT_STATUS_PENDING" && Date.now() - sent < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      row = (await sbx.api.logs({ limit: "1" })).rows[0];
    }
    expect(Date.now() - sent).toBeGreaterThanOrEqual(750);
    expect(row).toMatchObject({ billable: true, billing_result_code: "SUCCESS" });
  });
});
