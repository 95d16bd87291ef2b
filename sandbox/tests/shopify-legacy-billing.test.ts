// The legacy GraphQL Admin Billing API (docs/platforms/shopify.md §3): approval, 2-day expiry, capped usage per
// 30-day period, cap raises, idempotency keys, App Pricing apps refused, uninstall.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SHOPS, startTestSandbox, type Body, type TestSandbox } from "./helpers";

const CLASSIC_TOKEN = "shpat_sandbox_classic_dev_store";
let sbx: TestSandbox;
beforeAll(async () => {
  sbx = await startTestSandbox();
});
afterAll(() => sbx.close());
beforeEach(() => sbx.api.reset());

const admin = (query: string, variables: Record<string, unknown> = {}, token = CLASSIC_TOKEN) =>
  sbx.api.post("/admin/api/2026-01/graphql.json", { query, variables }, { "x-shopify-access-token": token });

const CREATE = `mutation($items: [AppSubscriptionLineItemInput!]!) {
  appSubscriptionCreate(name: "SMS", returnUrl: "https://app.example.com/return", lineItems: $items, test: true) {
    userErrors { field message } confirmationUrl appSubscription { id status lineItems { id } }
  }
}`;
const RECORD = `mutation($id: ID!, $amount: Decimal!, $key: String) {
  appUsageRecordCreate(subscriptionLineItemId: $id, price: { amount: $amount, currencyCode: USD }, description: "SMS", idempotencyKey: $key) {
    userErrors { field message } appUsageRecord { id price { amount } subscriptionLineItem { plan { pricingDetails { ... on AppUsagePricing { balanceUsed { amount } cappedAmount { amount } } } } } }
  }
}`;
const ACTIVE = `{ currentAppInstallation { activeSubscriptions { id name status test currentPeriodEnd } } }`;
const recurring = { plan: { appRecurringPricingDetails: { price: { amount: "9.99", currencyCode: "USD" } } } };
const usage = (cap = "50.00") => ({ plan: { appUsagePricingDetails: { cappedAmount: { amount: cap, currencyCode: "USD" }, terms: "$0.01 per SMS" } } });

async function createCharge(items: unknown[] = [recurring, usage()]) {
  const res = await admin(CREATE, { items });
  const payload = res.body.data.appSubscriptionCreate;
  const id = payload.appSubscription.id.split("/").pop() as string;
  return { id, payload, usageLineItem: payload.appSubscription.lineItems.at(-1).id as string };
}
const approve = (id: string) => sbx.api.post(`/_sandbox/shopify/legacy-subscriptions/${id}/approve`);
const record = async (lineItem: string, amount: string, key?: string) =>
  (await admin(RECORD, { id: lineItem, amount, key })).body.data.appUsageRecordCreate as Body;

describe("legacy Admin Billing API", () => {
  it("refuses a bad token with the Admin API's 401 body", async () => {
    const res = await admin(ACTIVE, {}, "shpat_nope");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  });

  it("an app on Shopify App Pricing can't create charges through the Billing API", async () => {
    const shops = (await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-blaster/shops")).body.shops;
    const token = shops.find((s: Body) => s.id === SHOPS.dev).adminAccessToken;
    const res = await admin(CREATE, { items: [recurring] }, token);
    expect(res.body.data.appSubscriptionCreate.userErrors[0].message).toMatch(/App Pricing/);
  });

  it("a charge is PENDING until the merchant approves it, and EXPIRED after two days", async () => {
    const { id, payload } = await createCharge();
    expect(payload.appSubscription.status).toBe("PENDING");
    expect((await admin(ACTIVE)).body.data.currentAppInstallation.activeSubscriptions).toEqual([]);
    await approve(id);
    const active = (await admin(ACTIVE)).body.data.currentAppInstallation.activeSubscriptions;
    expect(active).toEqual([
      { id: `gid://shopify/AppSubscription/${id}`, name: "SMS", status: "ACTIVE", test: true, currentPeriodEnd: "2026-02-26T16:30:00.000Z" },
    ]);

    const late = await createCharge();
    await sbx.api.advance(49 * 3600);
    const confirm = await fetch(late.payload.confirmationUrl, { redirect: "manual" });
    expect(confirm.status).toBe(422);
    const list = (await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-classic/legacy-subscriptions")).body.subscriptions;
    expect(list.map((s: Body) => s.status)).toEqual(["ACTIVE", "EXPIRED"]);
  });

  it("counts usage against the capped amount per 30-day period", async () => {
    const { id, usageLineItem } = await createCharge();
    expect((await record(usageLineItem, "1.00")).userErrors).toEqual([{ field: null, message: "The subscription is not active" }]);
    await approve(id);
    expect((await record(usageLineItem, "40.00")).userErrors).toEqual([]);
    expect((await record(usageLineItem, "10.01")).userErrors).toEqual([{ field: null, message: "Total price exceeds balance remaining" }]);
    const full = await record(usageLineItem, "10.00");
    expect(full.appUsageRecord.subscriptionLineItem.plan.pricingDetails).toEqual({ balanceUsed: { amount: "50.0" }, cappedAmount: { amount: "50.0" } });
    await sbx.api.advance(30 * 86400);
    const next = await record(usageLineItem, "40.00");
    expect(next.appUsageRecord.subscriptionLineItem.plan.pricingDetails.balanceUsed).toEqual({ amount: "40.0" });
  });

  it("an idempotencyKey used before returns the first record (switch: a user error)", async () => {
    const { id, usageLineItem } = await createCharge();
    await approve(id);
    const first = await record(usageLineItem, "5.00", "batch-1");
    const again = await record(usageLineItem, "5.00", "batch-1");
    expect(again.appUsageRecord.id).toBe(first.appUsageRecord.id);
    expect(again.appUsageRecord.subscriptionLineItem.plan.pricingDetails.balanceUsed).toEqual({ amount: "5.0" });
    await sbx.api.settings({ shopify: { legacyUsageKeyReuse: "user_error" } });
    expect((await record(usageLineItem, "5.00", "batch-1")).userErrors).toEqual([
      { field: ["idempotencyKey"], message: "Idempotency key has already been taken" },
    ]);
    expect((await record(usageLineItem, "5.00", "k".repeat(256))).userErrors[0].field).toEqual(["idempotencyKey"]);
  });

  it("raising the cap needs the merchant's approval", async () => {
    const { id, usageLineItem } = await createCharge();
    await approve(id);
    const update = await admin(
      `mutation($id: ID!) { appSubscriptionLineItemUpdate(id: $id, cappedAmount: { amount: "100.00", currencyCode: USD }) { userErrors { message } confirmationUrl } }`,
      { id: usageLineItem },
    );
    const { confirmationUrl } = update.body.data.appSubscriptionLineItemUpdate;
    expect(confirmationUrl).toMatch(/confirm_update_capped_amount\?signature=/);
    expect((await record(usageLineItem, "60.00")).userErrors[0].message).toBe("Total price exceeds balance remaining");
    expect((await fetch(confirmationUrl, { redirect: "manual" })).status).toBe(302);
    expect((await record(usageLineItem, "60.00")).userErrors).toEqual([]);
  });

  it("checks line items: usage only on usage lines, one plan per type, usage only with a 30-day fee", async () => {
    const { id, payload } = await createCharge();
    await approve(id);
    expect((await record(payload.appSubscription.lineItems[0].id, "1.00")).userErrors[0].message).toBe("Subscription line item must be a usage line item");
    const twice = await admin(CREATE, { items: [recurring, recurring] });
    expect(twice.body.data.appSubscriptionCreate.userErrors).toEqual([{ field: ["lineItems"], message: "Only one plan of each pricing type is allowed" }]);
    const annual = { plan: { appRecurringPricingDetails: { price: { amount: "99", currencyCode: "USD" }, interval: "ANNUAL" } } };
    const mixed = await admin(CREATE, { items: [annual, usage()] });
    expect(mixed.body.data.appSubscriptionCreate.userErrors[0].message).toMatch(/EVERY_30_DAYS/);
  });

  it("freeze, unfreeze and uninstall", async () => {
    const { id, usageLineItem } = await createCharge();
    await approve(id);
    await sbx.api.post(`/_sandbox/shopify/legacy-subscriptions/${id}/freeze`);
    expect((await record(usageLineItem, "1.00")).userErrors[0].message).toBe("The subscription is not active");
    await sbx.api.post(`/_sandbox/shopify/legacy-subscriptions/${id}/unfreeze`);
    expect((await record(usageLineItem, "1.00")).userErrors).toEqual([]);
    await sbx.api.shopAction(SHOPS.dev, "uninstall", { app: "sandbox-sms-classic" });
    expect((await admin(ACTIVE)).status).toBe(401);
    const list = (await sbx.api.get("/_sandbox/shopify/apps/sandbox-sms-classic/legacy-subscriptions")).body.subscriptions;
    expect(list[0]).toMatchObject({ status: "CANCELLED", usageRecords: [{ price: { amount: "1.00", currencyCode: "USD" } }] });
  });
});
