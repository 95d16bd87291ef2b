// Contract tests: every request example of docs/platforms/shopify.md, sent as printed, checked against the
// documented answer. A "doc example" app and shop carry the example credentials and ids.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDefaultFixture } from "../server";
import { startTestSandbox, TEST_NOW, type TestSandbox, type Body } from "./helpers";

const DOC_APP = { client_id: "4f1c2d9e8a7b6c5d", client_secret: "shpss_example_secret", grant_type: "client_credentials" };

function contractFixture() {
  const fx = loadDefaultFixture() as Body;
  fx.clock = { now: TEST_NOW, frozen: true };
  fx.shopify.apps.push({
    clientId: DOC_APP.client_id,
    clientSecret: DOC_APP.client_secret,
    gid: "gid://shopify/App/1234",
    title: "Doc Example App",
    orgId: "4242",
    plans: [
      {
        handle: "sms-pro",
        name: "SMS Pro",
        recurringPrice: "9.99",
        meters: [{ handle: "sms_sent", name: "SMS messages sent", structure: "FIXED", unitPrice: "0.01", includedUnits: 100 }],
      },
    ],
  });
  const docInstall = { app: DOC_APP.client_id, installedAt: "2026-01-01T00:00:00Z", subscription: { plan: "sms-pro", startedAt: "2026-01-05T00:00:00Z" } };
  fx.shopify.shops.find((s: Body) => s.id === "23423423").installs.push(docInstall);
  fx.shopify.shops.push({ id: "5678", domain: "doc-example.myshopify.com", installs: [docInstall] });
  return fx;
}

const ACTIVE_SUBSCRIPTION_QUERY = `query ActiveSubscription($appId: ID!, $shopId: ID!) {
  activeSubscription(appId: $appId, shopId: $shopId) {
    billingPeriod cancelAtEndOfCycle trialEndsAt
    currentBillingCycle { startTime endTime }
    items {
      handle description
      price { __typename active currency
        ... on FlatRatePrice { amount }
        ... on TieredPrice { tiersMode tiers { upTo amountPerUnit amount } } }
      discount { amount percentage remainingDiscountCycles }
      usage { quantity cost { amount currencyCode } }
    }
    pendingUpdate { billingPeriod items { handle } }
  }
}`;

let sbx: TestSandbox;
let token: string;
beforeAll(async () => {
  sbx = await startTestSandbox({ fixture: contractFixture() });
});
afterAll(() => sbx.close());
beforeEach(async () => {
  await sbx.api.reset();
  const res = await sbx.api.post("/auth/access_token", DOC_APP, { "user-agent": "partner-billing-dashboard/0.1" });
  token = res.body.access_token;
});

describe("docs/platforms/shopify.md §1.1 POST /auth/access_token", () => {
  it("answers the documented example with all four fields", async () => {
    const res = await sbx.api.post("/auth/access_token", DOC_APP, { "user-agent": "partner-billing-dashboard/0.1" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^eyJhbGciOiJSUzI1NiI/),
      token_type: "Bearer",
      scope: "write_global_api_app_events",
      expires_in: 3599,
    });
    expect(res.body.access_token.split(".")).toHaveLength(3);
  });
});

describe("docs/platforms/shopify.md §1.3 POST /app/{version}/events examples", () => {
  const send = (body: unknown) => sbx.api.sendEvent(token, body);

  it("billing event example -> 202 {success: true}, billed", async () => {
    const res = await send({
      shop_id: "gid://shopify/Shop/23423423",
      event_handle: "sms_sent",
      timestamp: "2026-01-27T14:30:00Z",
      idempotency_key: "sms_23423423_1706365800",
      attributes: { value: 1 },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true });
    expect(res.headers.get("idempotent-replay")).toBeNull();
    const row = await logRow("sms_23423423_1706365800");
    expect(row).toMatchObject({
      type: "app_billing_event",
      status: 200,
      billable: true,
      billing_result_code: "SUCCESS",
      result_status: "RESULT_STATUS_SUCCESS",
      shop_domain: "dev-sms-store.myshopify.com",
      value: 1,
    });
  });

  it("batch-as-quantity example (value 5, numeric shop id) -> 202, billed", async () => {
    const res = await send({
      shop_id: "23423423",
      event_handle: "sms_sent",
      timestamp: "2026-01-27T14:35:00Z",
      idempotency_key: "campaign_8812_batch_1",
      attributes: { value: 5, campaign_kind: "abandoned_cart" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true });
    expect(await logRow("campaign_8812_batch_1")).toMatchObject({ billable: true, billing_result_code: "SUCCESS", value: 5, shop_id: "23423423" });
  });

  it("custom event example -> 202, non-billable", async () => {
    const res = await send({
      shop_id: "gid://shopify/Shop/23423423",
      event_handle: "sync_failed",
      timestamp: "2026-01-27T16:00:00Z",
      idempotency_key: "sync_fail_inventory_xyz789",
      attributes: { sync_type: "inventory", retry_count: 3, source_system: "erp_integration" },
    });
    expect(res.status).toBe(202);
    expect(await logRow("sync_fail_inventory_xyz789")).toMatchObject({
      type: "app_event",
      billable: false,
      billing_result_code: null,
      result_status: "RESULT_STATUS_SUCCESS",
    });
  });

  async function logRow(key: string) {
    const res = await sbx.api.get(`/_sandbox/shopify/apps/${DOC_APP.client_id}/logs?type=app_event`);
    return res.body.rows.find((r: Body) => r.idempotency_key === key);
  }
});

describe("docs/platforms/shopify.md §1.4 error examples", () => {
  const send = (body: unknown) => sbx.api.sendEvent(token, body);
  const valid = { shop_id: "23423423", event_handle: "sms_sent", timestamp: "2026-01-27T14:30:00Z", idempotency_key: "err_1", attributes: { value: 1 } };

  it("400 missing shop_id: exactly the documented body", async () => {
    const { shop_id: _omit, ...body } = valid;
    const res = await send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, error: "Invalid request", errors: [{ field: "shop_id", code: "missing", message: "is missing" }] });
  });

  it("400 more than 15 attributes: exactly the documented body", async () => {
    const attributes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]));
    const res = await send({ ...valid, attributes });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error: "Invalid request",
      errors: [{ field: "attributes", code: "invalid", message: "must not contain more than 15 keys" }],
    });
  });

  it("403 not installed: exactly the documented (INFERRED) body", async () => {
    const res = await send({ ...valid, shop_id: "gid://shopify/Shop/1002003010" });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      success: false,
      error: "Forbidden",
      errors: [{ field: "shop_id", code: "not_installed", message: "app is not installed on this shop" }],
    });
  });

  it("401 without or with a bad bearer token", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer not-a-token" }, { authorization: token }];
    for (const headers of attempts) {
      const res = await sbx.api.post("/app/unstable/events", valid, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "Unauthorized" });
    }
  });

  it("429 over the rate limit: the documented body", async () => {
    await sbx.api.settings({ shopify: { rateLimitPerSecond: 1 } });
    expect((await send(valid)).status).toBe(202);
    const res = await send({ ...valid, idempotency_key: "err_2" });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ success: false, error: "Rate limit exceeded" });
  });

  it("documented type/limit checks: invalid_type, key length, key charset, value length, nested values", async () => {
    const res = await send({
      shop_id: 23423423,
      event_handle: "sms_sent",
      timestamp: "2026-01-27T14:30:00Z",
      idempotency_key: "x".repeat(65),
      attributes: { ["k".repeat(65)]: 1, "bad key": 1, long: "é".repeat(129), nested: { a: 1 }, list: [1] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: "shop_id", code: "invalid_type", message: "must be a string" },
        { field: "idempotency_key", code: "invalid", message: "must be at most 64 characters" },
        { field: `attributes.${"k".repeat(65)}`, code: "invalid", message: "key must be at most 64 characters" },
        { field: "attributes.bad key", code: "invalid", message: "key may only contain ASCII letters, digits, _ . -" },
        { field: "attributes.long", code: "invalid", message: "must be at most 128 characters" },
        { field: "attributes.nested", code: "invalid_type", message: "must be a string, number or boolean" },
        { field: "attributes.list", code: "invalid_type", message: "must be a string, number or boolean" },
      ]),
    );
    expect(res.body.errors).toHaveLength(7);
  });
});

describe("docs/platforms/shopify.md §2.5 Partner API activeSubscription", () => {
  it("answers the documented query with the documented example response", async () => {
    await sbx.api.sendEvent(token, {
      shop_id: "gid://shopify/Shop/5678",
      event_handle: "sms_sent",
      timestamp: "2026-01-27T14:30:00Z",
      idempotency_key: "usage_250",
      attributes: { value: 250 },
    });
    const res = await sbx.api.partnerQuery(ACTIVE_SUBSCRIPTION_QUERY, { appId: "gid://shopify/App/1234", shopId: "gid://shopify/Shop/5678" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        activeSubscription: {
          billingPeriod: "EVERY_30_DAYS",
          cancelAtEndOfCycle: false,
          trialEndsAt: null,
          currentBillingCycle: { startTime: "2026-01-05T00:00:00.000Z", endTime: "2026-02-04T00:00:00.000Z" },
          items: [
            {
              handle: "sms-pro",
              description: "SMS Pro",
              price: { __typename: "FlatRatePrice", active: true, currency: "USD", amount: "9.99" },
              discount: null,
              usage: null,
            },
            {
              handle: "sms_sent",
              description: "SMS messages sent",
              price: {
                __typename: "TieredPrice",
                active: true,
                currency: "USD",
                tiersMode: "GRADUATED",
                tiers: [
                  { upTo: 100, amountPerUnit: "0.00", amount: "0.00" },
                  { upTo: null, amountPerUnit: "0.01", amount: "0.00" },
                ],
              },
              discount: null,
              usage: { quantity: "250", cost: { amount: "1.50", currencyCode: "USD" } },
            },
          ],
          pendingUpdate: null,
        },
      },
    });
  });

  it("needs X-Shopify-Access-Token, and the field exists from 2026-07 only", async () => {
    const vars = { appId: "gid://shopify/App/1234", shopId: "gid://shopify/Shop/5678" };
    expect((await sbx.api.partnerQuery(ACTIVE_SUBSCRIPTION_QUERY, vars, "2026-07", "wrong")).status).toBe(401);
    expect((await sbx.api.partnerQuery(ACTIVE_SUBSCRIPTION_QUERY, vars, "unstable")).body.data.activeSubscription).not.toBeNull();
    const old = await sbx.api.partnerQuery(ACTIVE_SUBSCRIPTION_QUERY, vars, "2026-04");
    expect(old.body.errors[0].message).toMatch(/Cannot query field "activeSubscription"/);
  });

  it("returns null when the shop has no active App Pricing contract", async () => {
    for (const shop of ["1002003007", "1002003008", "1002003010", "999"]) {
      const res = await sbx.api.partnerQuery(ACTIVE_SUBSCRIPTION_QUERY, { appId: "gid://shopify/App/1001", shopId: `gid://shopify/Shop/${shop}` });
      expect(res.body).toEqual({ data: { activeSubscription: null } });
    }
  });
});

describe("docs/platforms/shopify.md §3 legacy GraphQL Admin Billing API examples", () => {
  const CREATE = `mutation {
  appSubscriptionCreate(
    name: "SMS Pro (usage)"
    returnUrl: "https://app.example.com/billing/return"
    test: true
    lineItems: [
      { plan: { appRecurringPricingDetails: { price: { amount: 9.99, currencyCode: USD }, interval: EVERY_30_DAYS } } },
      { plan: { appUsagePricingDetails: { terms: "$0.01 per SMS after 100 free", cappedAmount: { amount: 50.00, currencyCode: USD } } } }
    ]
  ) {
    userErrors { field message }
    confirmationUrl
    appSubscription { id lineItems { id plan { pricingDetails { __typename } } } }
  }
}`;
  const usageRecord = (lineItemId: string, amount: string, key: string) => `mutation {
  appUsageRecordCreate(
    subscriptionLineItemId: "${lineItemId}"
    description: "150 SMS over the free 100"
    price: { amount: ${amount}, currencyCode: USD }
    idempotencyKey: "${key}"
  ) {
    userErrors { field message }
    appUsageRecord { id idempotencyKey price { amount currencyCode }
      subscriptionLineItem { plan { pricingDetails { ... on AppUsagePricing {
        balanceUsed { amount currencyCode } cappedAmount { amount currencyCode } terms } } } } }
  }
}`;
  const admin = (query: string) => sbx.api.post("/admin/api/2026-01/graphql.json", { query }, { "x-shopify-access-token": "shpat_sandbox_classic_dev_store" });

  it("appSubscriptionCreate, approval at the confirmation URL, appUsageRecordCreate and the cap error", async () => {
    const created = await admin(CREATE);
    expect(created.status).toBe(200);
    const id = /^gid:\/\/shopify\/AppSubscription\/(\d+)$/.exec(created.body.data.appSubscriptionCreate.appSubscription.id)![1];
    expect(created.body).toEqual({
      data: {
        appSubscriptionCreate: {
          userErrors: [],
          confirmationUrl: expect.stringMatching(new RegExp(`/admin/charges/${id}/confirm_recurring_application_charge\\?signature=\\w+$`)),
          appSubscription: {
            id: `gid://shopify/AppSubscription/${id}`,
            lineItems: [
              { id: `gid://shopify/AppSubscriptionLineItem/${id}?v=1&index=0`, plan: { pricingDetails: { __typename: "AppRecurringPricing" } } },
              { id: `gid://shopify/AppSubscriptionLineItem/${id}?v=1&index=1`, plan: { pricingDetails: { __typename: "AppUsagePricing" } } },
            ],
          },
        },
      },
    });

    const approval = await fetch(created.body.data.appSubscriptionCreate.confirmationUrl, { redirect: "manual" });
    expect(approval.status).toBe(302);
    expect(approval.headers.get("location")).toBe(`https://app.example.com/billing/return?charge_id=${id}`);

    const lineItemId = `gid://shopify/AppSubscriptionLineItem/${id}?v=1&index=1`;
    const record = await admin(usageRecord(lineItemId, "1.50", "shop42-2026-01-sms-batch-7"));
    expect(record.body).toEqual({
      data: {
        appUsageRecordCreate: {
          userErrors: [],
          appUsageRecord: {
            id: expect.stringMatching(/^gid:\/\/shopify\/AppUsageRecord\/\d+$/),
            idempotencyKey: "shop42-2026-01-sms-batch-7",
            price: { amount: "1.5", currencyCode: "USD" },
            subscriptionLineItem: {
              plan: {
                pricingDetails: {
                  balanceUsed: { amount: "1.5", currencyCode: "USD" },
                  cappedAmount: { amount: "50.0", currencyCode: "USD" },
                  terms: "$0.01 per SMS after 100 free",
                },
              },
            },
          },
        },
      },
    });

    const over = await admin(usageRecord(lineItemId, "48.51", "shop42-2026-01-sms-batch-8"));
    expect(over.body).toEqual({
      data: { appUsageRecordCreate: { userErrors: [{ field: null, message: "Total price exceeds balance remaining" }], appUsageRecord: null } },
    });
  });
});
