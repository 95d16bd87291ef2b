// Idempotency of the App Events API: replay header inside the window, permanent billing keys,
// 409 while a request with the same key is in flight.
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

const advance = async (seconds: number) => {
  await sbx.api.advance(seconds);
  token = await sbx.api.shopifyToken();
};
const devUsage = async () => {
  const shops = (await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-blaster/shops")).body.shops;
  return shops.find((s: Body) => s.id === SHOPS.dev).subscription.usage.find((u: Body) => u.meter === "sms_sent").quantity;
};

describe("replay inside the idempotency window", () => {
  it("a repeated key returns the original answer with Idempotent-Replay: true and bills once", async () => {
    const event = billingEvent({ idempotency_key: "replay_me", attributes: { value: 3 } });
    const first = await sbx.api.sendEvent(token, event);
    const again = await sbx.api.sendEvent(token, event);
    expect(first.status).toBe(202);
    expect(first.headers.get("idempotent-replay")).toBeNull();
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ success: true });
    expect(again.headers.get("idempotent-replay")).toBe("true");
    expect((await sbx.api.logs({ handle: "sms_sent" })).rows).toHaveLength(1);
    expect(await devUsage()).toBe("3");
  });

  it("counts every request per key, the replayed resend included, though the log shows one row", async () => {
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "counted_twice" }));
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "counted_twice" }));
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "counted_once" }));
    expect((await sbx.api.logs({ handle: "sms_sent" })).rows).toHaveLength(2);
    const counts = (await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-blaster/requests")).body;
    expect(counts).toEqual({ requests: 3, keys: 2, repeated_requests: 1, repeated: [{ idempotency_key: "counted_twice", requests: 2 }] });
  });

  it("replays up to 24 h of sandbox time, then takes the key as a new request", async () => {
    const event = billingEvent({ idempotency_key: "window" });
    await sbx.api.sendEvent(token, event);
    await advance(23 * 3600);
    expect((await sbx.api.sendEvent(token, event)).headers.get("idempotent-replay")).toBe("true");
    await advance(2 * 3600);
    const late = await sbx.api.sendEvent(token, event);
    expect(late.headers.get("idempotent-replay")).toBeNull();
    expect((await sbx.api.logs({ limit: "1" })).rows[0].billing_result_code).toBe("IDEMPOTENCY_KEY_ERROR");
  });

  it("same key, different body: replays by default; switch new_event takes it as a new event", async () => {
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "k_body", attributes: { value: 1 } }));
    const replayed = await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "k_body", attributes: { value: 9 } }));
    expect(replayed.headers.get("idempotent-replay")).toBe("true");
    await sbx.api.settings({ shopify: { keyReuseWithDifferentBody: "new_event" } });
    const fresh = await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "k_body", attributes: { value: 9 } }));
    expect(fresh.headers.get("idempotent-replay")).toBeNull();
    expect((await sbx.api.logs({ limit: "1" })).rows[0].billing_result_code).toBe("IDEMPOTENCY_KEY_ERROR");
    expect(await devUsage()).toBe("1");
  });

  it("a rejected (400) request is not stored: fixing the body with the same key succeeds", async () => {
    const bad = await sbx.api.sendEvent(token, { ...billingEvent({ idempotency_key: "fix_me" }), shop_id: undefined });
    expect(bad.status).toBe(400);
    const good = await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "fix_me" }));
    expect(good.status).toBe(202);
    expect(good.headers.get("idempotent-replay")).toBeNull();
  });
});

describe("billing keys are permanent", () => {
  it("a billing key never bills twice, even months later", async () => {
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "forever", attributes: { value: 2 } }));
    await advance(10 * 86400);
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "forever", attributes: { value: 2 }, timestamp: "2026-02-06T16:00:00Z" }));
    const { rows } = await sbx.api.logs({ handle: "sms_sent" });
    expect(rows.map((r) => r.billing_result_code)).toEqual(["IDEMPOTENCY_KEY_ERROR", "SUCCESS"]);
    expect(await devUsage()).toBe("2");
  });

  it("custom event keys only last the 24 h window", async () => {
    const custom = billingEvent({ idempotency_key: "custom_key", event_handle: "campaign_opened", timestamp: "2026-01-27T16:00:00Z" });
    await sbx.api.sendEvent(token, custom);
    await advance(25 * 3600);
    const again = await sbx.api.sendEvent(token, custom);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replay")).toBeNull();
    expect((await sbx.api.logs({ handle: "campaign_opened" })).rows.map((r) => r.billable)).toEqual([false, false]);
  });

  it("switch billingKeyConsumedOn=success: a key whose event failed can be used again", async () => {
    const shop = `gid://shopify/Shop/${SHOPS.noSubscription}`;
    const attempt = (ts: string) => sbx.api.eventRow(token, billingEvent({ shop_id: shop, idempotency_key: "retry_after_subscribe", timestamp: ts }));
    await sbx.api.settings({ shopify: { billingKeyConsumedOn: "success" } });
    expect((await attempt("2026-01-27T16:00:00Z")).billing_result_code).toBe("NO_SUBSCRIPTION");
    await sbx.api.shopAction(SHOPS.noSubscription, "subscribe", { plan: "sms-pro" });
    await advance(25 * 3600);
    expect((await attempt("2026-01-28T17:00:00Z")).billing_result_code).toBe("SUCCESS");
  });
});

describe("409 while the same key is in flight", () => {
  it("a second request during processing gets 409; afterwards the key replays", async () => {
    await sbx.api.settings({ shopify: { eventProcessingMs: 1000 } });
    const event = billingEvent({ idempotency_key: "in_flight" });
    const [a, b] = await Promise.all([sbx.api.sendEvent(token, event), new Promise((r) => setTimeout(r, 50)).then(() => sbx.api.sendEvent(token, event))]);
    expect(a.status).toBe(202);
    expect(b.status).toBe(409);
    expect(b.body).toEqual({
      success: false,
      error: "Conflict",
      errors: [{ field: "idempotency_key", code: "in_progress", message: "a request with this idempotency_key is still being processed; retry shortly" }],
    });
    const c = await sbx.api.sendEvent(token, event);
    expect(c.status).toBe(202);
    expect(c.headers.get("idempotent-replay")).toBe("true");
    expect((await sbx.api.logs({ status: "409" })).rows).toHaveLength(1);
  });
});
