import { describe, expect, it } from "vitest";
import { certainShopifyRefusals, predictShopifyVerdict, suggestHandle, type ShopifyPredictInput } from "./shopify-predict";

const now = new Date("2026-01-27T15:00:00Z");
const cycle = { cycleStart: new Date("2026-01-05T00:00:00Z"), cycleEnd: new Date("2026-02-04T00:00:00Z") };

function input(overrides: Partial<ShopifyPredictInput> = {}, event: Partial<ShopifyPredictInput["event"]> = {}): ShopifyPredictInput {
  return {
    event: {
      shop_id: "gid://shopify/Shop/23423423",
      event_handle: "sms_sent",
      timestamp: "2026-01-27T14:30:00Z",
      idempotency_key: "sms_23423423_1706365800",
      attributes: { value: 1 },
      ...event,
    },
    shop: { installState: "installed", uninstalledAt: null, subscription: { status: "ACTIVE", planHandle: "sms-pro", ...cycle } },
    plan: { handle: "sms-pro", meters: [{ handle: "sms_sent" }, { handle: "mms_sent" }] },
    account: {},
    now,
    keyAlreadyUsed: false,
    ...overrides,
  };
}

const predict = (overrides?: Partial<ShopifyPredictInput>, event?: Partial<ShopifyPredictInput["event"]>) => predictShopifyVerdict(input(overrides, event));

describe("predictShopifyVerdict: billable or custom", () => {
  it("bills an event whose handle is a meter of the shop's plan", () => {
    const p = predict();
    expect(p.verdict).toBe("billable");
    expect(p.code).toBeUndefined();
    expect(p.details).toContain("2026-01-05T00:00:00Z to 2026-02-04T00:00:00Z");
  });

  it.each(["SMS_SENT", "sms-sent", "Sms_Sent", "sms.sent", "sms_snet", "sms_sen"])("treats %s as a free custom event and suggests sms_sent", (handle) => {
    const p = predict({}, { event_handle: handle });
    expect(p).toMatchObject({ verdict: "non_billable", hint: "did you mean sms_sent?" });
    expect(p.details).toMatch(/case-sensitive/);
  });

  it("gives no hint for a custom event that resembles no meter", () => {
    const p = predict({}, { event_handle: "sync_failed", attributes: { sync_type: "inventory" } });
    expect(p.verdict).toBe("non_billable");
    expect(p.hint).toBeUndefined();
  });

  it("warns that the shopify. prefix is reserved", () => {
    expect(predict({}, { event_handle: "shopify.sms_sent" }).hint).toMatch(/reserved/);
  });

  it("still rejects a custom event more than 5 minutes in the future", () => {
    expect(predict({}, { event_handle: "sync_failed", timestamp: "2026-01-27T15:06:00Z" })).toMatchObject({ verdict: "failed", code: "INVALID_TIMESTAMP" });
  });
});

describe("predictShopifyVerdict: billing checks in Shopify's order", () => {
  it("checks the account first", () => {
    expect(predict({ account: { invalid: true, frozen: true }, keyAlreadyUsed: true }).code).toBe("INVALID_ACCOUNT");
    expect(predict({ account: { frozen: true }, keyAlreadyUsed: true }).code).toBe("ACCOUNT_FROZEN");
  });

  it("needs an active subscription", () => {
    const none = input();
    none.shop.subscription = null;
    expect(predictShopifyVerdict(none)).toMatchObject({ verdict: "failed", code: "NO_SUBSCRIPTION" });
    const frozen = input();
    frozen.shop.subscription!.status = "FROZEN";
    expect(predictShopifyVerdict(frozen).details).toMatch(/FROZEN/);
  });

  it("classifies a meter of another plan as billing and fails it as not metered", () => {
    expect(predict({ plan: { handle: "basic", meters: [] }, appMeterHandles: ["sms_sent"] })).toMatchObject({ code: "SUBSCRIPTION_NOT_METERED" });
    expect(predict({ plan: { handle: "mms-only", meters: [{ handle: "mms_sent" }] }, appMeterHandles: ["sms_sent"] }).details).toMatch(/no "sms_sent" meter/);
  });

  it("refuses a key already used by another event, and a missing or too long key", () => {
    expect(predict({ keyAlreadyUsed: true })).toMatchObject({ code: "IDEMPOTENCY_KEY_ERROR" });
    expect(predict({}, { idempotency_key: undefined }).code).toBe("IDEMPOTENCY_KEY_ERROR");
    expect(predict({}, { idempotency_key: "k".repeat(65) }).code).toBe("IDEMPOTENCY_KEY_ERROR");
  });

  it("needs a positive numeric value", () => {
    expect(predict({}, { attributes: { campaign: "x" } }).code).toBe("MISSING_VALUE_KEY");
    expect(predict({}, { attributes: undefined }).code).toBe("MISSING_VALUE_KEY");
    for (const value of [0, -3, "5", null, true]) expect(predict({}, { attributes: { value } }).code).toBe("INVALID_VALUE");
    expect(predict({}, { attributes: { value: 0.5 } }).verdict).toBe("billable");
  });

  it("reports the value before the timestamp when both are wrong", () => {
    expect(predict({}, { attributes: { value: 0 }, timestamp: "garbage" }).code).toBe("INVALID_VALUE");
  });
});

describe("predictShopifyVerdict: timestamps and periods", () => {
  const at = (timestamp: string, overrides: Partial<ShopifyPredictInput> = {}) => predict(overrides, { timestamp });

  it("accepts up to 5 minutes in the future, not more", () => {
    expect(at("2026-01-27T15:05:00Z").verdict).toBe("billable");
    expect(at("2026-01-27T15:05:01Z")).toMatchObject({ code: "INVALID_TIMESTAMP", details: expect.stringMatching(/5 minutes in the future/) });
  });

  it("rejects a missing or malformed timestamp", () => {
    expect(at("27/01/2026").code).toBe("INVALID_TIMESTAMP");
    expect(predict({}, { timestamp: undefined }).details).toMatch(/missing/);
  });

  it("bills the first instant of the cycle", () => {
    expect(at("2026-01-05T00:00:00Z").verdict).toBe("billable");
  });

  it("calls a time before the only cycle we know INVALID_TIMESTAMP", () => {
    expect(at("2026-01-04T23:59:59Z").code).toBe("INVALID_TIMESTAMP");
  });

  it("calls a time in an earlier cycle of the subscription PERIOD_CLOSED when the start is known", () => {
    const p = predictShopifyVerdict({
      ...input({}, { timestamp: "2026-01-04T12:00:00Z" }),
      shop: {
        installState: "installed",
        uninstalledAt: null,
        subscription: { status: "ACTIVE", planHandle: "sms-pro", ...cycle, startedAt: new Date("2025-12-06T00:00:00Z") },
      },
    });
    expect(p).toMatchObject({ code: "PERIOD_CLOSED", details: expect.stringContaining("closed at 2026-01-05T00:00:00Z") });
  });

  it("calls usage of a cycle that ended since our last sync PERIOD_CLOSED, and bills the renewed cycle", () => {
    const later = new Date("2026-02-05T10:00:00Z");
    expect(at("2026-02-03T12:00:00Z", { now: later }).code).toBe("PERIOD_CLOSED");
    expect(at("2026-02-05T09:00:00Z", { now: later })).toMatchObject({
      verdict: "billable",
      details: expect.stringContaining("2026-02-04T00:00:00Z to 2026-03-06T00:00:00Z"),
    });
  });

  it("allows 24 hours after an uninstall, then closes the period", () => {
    const uninstalledAt = new Date("2026-01-27T00:00:00Z");
    const shop = (status: string) => ({ installState: "uninstalled" as const, uninstalledAt, subscription: { status, planHandle: "sms-pro", ...cycle } });
    expect(predict({ shop: shop("CANCELLED") }, { timestamp: "2026-01-26T20:00:00Z" }).verdict).toBe("billable");
    expect(predict({ shop: shop("CANCELLED"), now: new Date("2026-01-28T00:00:01Z") }, { timestamp: "2026-01-26T20:00:00Z" })).toMatchObject({
      code: "PERIOD_CLOSED",
      details: expect.stringMatching(/24 hours/),
    });
  });

  it("does not check the period during a trial, when there is no cycle", () => {
    const trial = input();
    trial.shop.subscription = { status: "ACTIVE", planHandle: "sms-pro", cycleStart: null, cycleEnd: null };
    expect(predictShopifyVerdict(trial)).toMatchObject({ verdict: "billable", details: expect.stringMatching(/not checked/) });
  });
});

describe("suggestHandle", () => {
  it("does not suggest unrelated or very short handles", () => {
    expect(suggestHandle("orders", ["sms_sent"])).toBeUndefined();
    expect(suggestHandle("ab", ["ac"])).toBeUndefined();
    expect(suggestHandle("mms_sent", ["sms_sent", "mms_sent2"])).toBe("did you mean mms_sent2?");
  });
});

describe("certainShopifyRefusals", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const meters = new Set(["sms_sent"]);
  const ev = (attributes: unknown, timestamp = "2026-03-01T11:59:00Z", event_handle = "sms_sent") => ({ event_handle, timestamp, attributes });
  it("refuses a billing event's missing, non-numeric or non-positive value", () => {
    expect(certainShopifyRefusals(ev({}), meters, now)).toEqual({ "attributes.value": [expect.stringContaining("MISSING_VALUE_KEY")] });
    expect(certainShopifyRefusals(ev({ value: "" }), meters, now)).toEqual({ "attributes.value": [expect.stringContaining("required")] });
    expect(certainShopifyRefusals(ev({ value: "5" }), meters, now)?.["attributes.value"]?.[0]).toMatch(/must be a number/);
    expect(certainShopifyRefusals(ev({ value: 0 }), meters, now)?.["attributes.value"]?.[0]).toMatch(/greater than 0, not 0/);
    expect(certainShopifyRefusals(ev({ value: -5 }), meters, now)?.["attributes.value"]?.[0]).toMatch(/not -5/);
    expect(certainShopifyRefusals(ev({ value: 0.5 }), meters, now)).toBeNull();
  });
  it("leaves a custom event's attributes alone", () => {
    expect(certainShopifyRefusals(ev({}, "2026-03-01T11:59:00Z", "page_viewed"), meters, now)).toBeNull();
    expect(certainShopifyRefusals(ev({}, "2026-03-01T11:59:00Z", "SMS_SENT"), meters, now)).toBeNull();
  });
  it("refuses a timestamp more than 5 minutes ahead, for any event", () => {
    expect(certainShopifyRefusals(ev({ value: 1 }, "2026-03-01T12:05:00Z"), meters, now)).toBeNull();
    expect(certainShopifyRefusals(ev({ value: 1 }, "2026-03-01T12:05:01Z"), meters, now)?.timestamp?.[0]).toMatch(/5 minutes in the future/);
    expect(certainShopifyRefusals(ev({}, "2031-01-01T00:00:00Z", "page_viewed"), meters, now)).toEqual({
      timestamp: [expect.stringContaining("INVALID_TIMESTAMP")],
    });
  });
});
