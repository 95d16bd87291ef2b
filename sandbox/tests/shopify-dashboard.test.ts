// Tokens, the strict-edge switch, the Dev Dashboard log API, the Partner API usage per meter,
// the plans export and development stores.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingEvent, PARTNER, rawRequest, SHOPIFY_APP, SHOPS, startTestSandbox, type TestSandbox, type Body } from "./helpers";

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

describe("POST /auth/access_token", () => {
  const creds = { client_id: SHOPIFY_APP.clientId, client_secret: SHOPIFY_APP.clientSecret, grant_type: "client_credentials" };

  it("refuses bad credentials with a clear 4xx body", async () => {
    const wrongSecret = await sbx.api.post("/auth/access_token", { ...creds, client_secret: "nope" });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed: unknown client_id or wrong client_secret" });
    expect((await sbx.api.post("/auth/access_token", { ...creds, client_id: "unknown" })).status).toBe(401);
    const grant = await sbx.api.post("/auth/access_token", { ...creds, grant_type: "authorization_code" });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe("unsupported_grant_type");
    const missing = await sbx.api.post("/auth/access_token", { client_id: creds.client_id });
    expect(missing.body).toEqual({ error: "invalid_request", error_description: "Missing required parameter(s): client_secret, grant_type" });
  });

  it("accepts form encoding too", async () => {
    const res = await sbx.api.call("POST", "/auth/access_token", {
      raw: new URLSearchParams(creds).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(200);
  });

  it("tokens expire after 60 minutes of sandbox time", async () => {
    await sbx.api.advance(3599);
    expect((await sbx.api.sendEvent(token, billingEvent())).status).toBe(202);
    await sbx.api.advance(2);
    expect((await sbx.api.sendEvent(token, billingEvent())).status).toBe(401);
  });

  it("strict edge switch: no User-Agent -> 403 HTML before any credential check", async () => {
    const body = JSON.stringify(creds);
    const plain = await rawRequest(sbx.url, "POST", "/auth/access_token", { "content-type": "application/json" }, body);
    expect(plain.status).toBe(200);
    await sbx.api.settings({ shopify: { strictEdge: true } });
    for (const path of ["/auth/access_token", "/app/unstable/events"]) {
      const res = await rawRequest(sbx.url, "POST", path, { "content-type": "application/json" }, body);
      expect(res.status).toBe(403);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
      expect(res.text).toMatch(/You do not have permission to access this website/);
    }
    const withAgent = await rawRequest(sbx.url, "POST", "/auth/access_token", { "content-type": "application/json", "user-agent": "curl/8" }, body);
    expect(withAgent.status).toBe(200);
  });

  it("unknown API version shapes are 404", async () => {
    expect((await sbx.api.sendEvent(token, billingEvent(), "v1")).status).toBe(404);
    expect((await sbx.api.sendEvent(token, billingEvent(), "2026-10")).status).toBe(202);
  });
});

describe("Dev Dashboard log API", () => {
  const ROW_KEYS = [
    "billable",
    "billing_result_code",
    "event_handle",
    "id",
    "idempotency_key",
    "received_at",
    "result_details",
    "result_status",
    "shop_domain",
    "shop_id",
    "status",
    "timestamp",
    "type",
    "value",
  ];

  async function seedEvents() {
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "a1" }));
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "a2", event_handle: "SMS_SENT" }));
    await sbx.api.advance(60);
    token = await sbx.api.shopifyToken();
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "a3", shop_id: SHOPS.noSubscription }));
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "a4", shop_id: SHOPS.pro, attributes: { value: 7 } }));
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "a5", event_handle: "mms_sent", shop_id: SHOPS.pro }));
    await sbx.api.sendEvent(token, { ...billingEvent({ idempotency_key: "a6" }), timestamp: undefined });
    await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "a7", shop_id: SHOPS.neverInstalled }));
  }
  const keys = (rows: Body[]) => rows.map((r) => r.idempotency_key);

  it("rows carry the documented columns, the key and the value, newest first", async () => {
    await seedEvents();
    const { rows, next_cursor } = await sbx.api.logs();
    expect(next_cursor).toBeNull();
    expect(keys(rows)).toEqual(["a7", "a6", "a5", "a4", "a3", "a2", "a1"]);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(ROW_KEYS);
    expect(rows.find((r) => r.idempotency_key === "a4")).toMatchObject({
      value: 7,
      shop_domain: "sunrise-texts.myshopify.com",
      status: 200,
      billable: true,
      billing_result_code: "SUCCESS",
    });
    expect(rows.find((r) => r.idempotency_key === "a6")).toMatchObject({
      status: 400,
      billable: false,
      result_status: "RESULT_STATUS_FAILURE",
      result_details: "timestamp is missing",
    });
    expect(rows.find((r) => r.idempotency_key === "a7")).toMatchObject({ status: 403, shop_domain: "never-installed.myshopify.com" });
  });

  it("filters like the Dev Dashboard: type, handle, shop, status, time range, code, billable", async () => {
    await seedEvents();
    expect(keys((await sbx.api.logs({ type: "app_billing_event" })).rows)).toEqual(["a5", "a4", "a3", "a1"]);
    expect((await sbx.api.logs({ type: "app_event" })).rows).toHaveLength(7);
    expect(keys((await sbx.api.logs({ handle: "SMS_SENT" })).rows)).toEqual(["a2"]);
    expect(keys((await sbx.api.logs({ shop: "sunrise-texts.myshopify.com" })).rows)).toEqual(["a5", "a4"]);
    expect(keys((await sbx.api.logs({ shop: `gid://shopify/Shop/${SHOPS.pro}` })).rows)).toEqual(["a5", "a4"]);
    expect(keys((await sbx.api.logs({ status: "failure" })).rows)).toEqual(["a7", "a6", "a3"]);
    expect(keys((await sbx.api.logs({ status: "400" })).rows)).toEqual(["a6"]);
    expect(keys((await sbx.api.logs({ status: "success", billable: "true" })).rows)).toEqual(["a5", "a4", "a1"]);
    expect(keys((await sbx.api.logs({ billable: "false", status: "200" })).rows)).toEqual(["a2"]);
    expect(keys((await sbx.api.logs({ code: "NO_SUBSCRIPTION" })).rows)).toEqual(["a3"]);
    expect(keys((await sbx.api.logs({ to: "2026-01-27T16:31:00Z" })).rows)).toEqual(["a2", "a1"]);
    expect(keys((await sbx.api.logs({ from: "2026-01-27T16:31:00Z", type: "app_billing_event" })).rows)).toEqual(["a5", "a4", "a3"]);
  });

  it("paginates with cursors", async () => {
    await seedEvents();
    const page1 = await sbx.api.logs({ limit: "3" });
    const page2 = await sbx.api.logs({ limit: "3", after: page1.next_cursor! });
    const page3 = await sbx.api.logs({ limit: "3", after: page2.next_cursor! });
    expect([keys(page1.rows), keys(page2.rows), keys(page3.rows)]).toEqual([["a7", "a6", "a5"], ["a4", "a3", "a2"], ["a1"]]);
    expect(page3.next_cursor).toBeNull();
    const asc = await sbx.api.logs({ limit: "2", order: "asc" });
    expect(keys(asc.rows)).toEqual(["a1", "a2"]);
    expect((await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-blaster/logs?after=zzz")).status).toBe(400);
    expect((await sbx.api.get("/_sandbox/shopify/apps/nope/logs")).status).toBe(404);
  });
});

describe("Partner API usage per meter and the plans export", () => {
  const USAGE = `query($a: ID!, $s: ID!) { activeSubscription(appId: $a, shopId: $s) {
    items { handle price { __typename ... on FlatRatePrice { amount } ... on TieredPrice { tiersMode tiers { upTo amountPerUnit } } } usage { quantity cost { amount currencyCode } } } } }`;
  const items = async (shopId: string) => {
    const res = await sbx.api.partnerQuery(USAGE, { a: SHOPIFY_APP.gid, s: `gid://shopify/Shop/${shopId}` });
    return Object.fromEntries(res.body.data.activeSubscription.items.map((i: Body) => [i.handle, i]));
  };
  const send = (shop: string, handle: string, value: number) =>
    sbx.api.sendEvent(token, billingEvent({ shop_id: shop, event_handle: handle, attributes: { value } }));

  it("prices fixed (with included units), graduated and volume meters per cycle", async () => {
    await send(SHOPS.pro, "sms_sent", 200);
    await send(SHOPS.pro, "sms_sent", 50);
    await send(SHOPS.pro, "mms_sent", 80);
    await send(SHOPS.volume, "sms_sent", 1500);
    await send(SHOPS.testPlan, "sms_sent", 30);
    const pro = await items(SHOPS.pro);
    expect(pro["sms-pro"].price).toEqual({ __typename: "FlatRatePrice", amount: "9.99" });
    expect(pro.sms_sent.usage).toEqual({ quantity: "250", cost: { amount: "1.50", currencyCode: "USD" } });
    expect(pro.mms_sent.usage).toEqual({ quantity: "80", cost: { amount: "3.40", currencyCode: "USD" } });
    const volume = await items(SHOPS.volume);
    expect(volume.sms_sent.price.tiersMode).toBe("VOLUME");
    expect(volume.sms_sent.usage.cost.amount).toBe("12.00");
    const test = await items(SHOPS.testPlan);
    expect(test["test-plan"].price.amount).toBe("0.00");
    expect(test.sms_sent.usage).toEqual({ quantity: "30", cost: { amount: "0.30", currencyCode: "USD" } });
  });

  it("exports the app's plans with meters (for the one-click import) and flags development stores", async () => {
    const plans = (await sbx.api.get(`/_sandbox/shopify/apps/${SHOPIFY_APP.clientId}/plans`)).body;
    expect(plans.app).toEqual({ clientId: SHOPIFY_APP.clientId, gid: SHOPIFY_APP.gid, title: "SMS Blaster" });
    expect(plans.plans.map((p: Body) => p.handle)).toEqual(["sms-pro", "sms-volume", "basic", "test-plan"]);
    expect(plans.plans[0].meters[0]).toEqual({
      handle: "sms_sent",
      name: "SMS messages sent",
      structure: "FIXED",
      unitPrice: "0.01",
      includedUnits: 100,
      tiers: [],
    });
    const shops = (await sbx.api.get(`/_sandbox/shopify/apps/${SHOPIFY_APP.clientId}/shops`)).body.shops;
    expect(shops.filter((s: Body) => s.development).map((s: Body) => s.id)).toEqual([SHOPS.dev, SHOPS.testPlan]);
    expect(shops.find((s: Body) => s.id === SHOPS.uninstalled)).toMatchObject({ installed: false, subscription: null });
  });

  it("the partner token is checked", async () => {
    const res = await sbx.api.partnerQuery(USAGE, {}, "2026-07", "prtapi_wrong");
    expect(res.status).toBe(401);
    expect(PARTNER.orgId).toBe("4242");
  });
});
