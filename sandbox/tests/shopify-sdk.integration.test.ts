// @shopify/shopify-api, unmodified, against the sandbox's Admin GraphQL billing surface
// (docs/platforms/shopify.md §3). The only adaptation is the fetch the SDK is given: it sends
// *.myshopify.com to the sandbox, path and headers untouched.
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, BillingError, BillingInterval, BillingReplacementBehavior, Session, shopifyApi, type BillingConfig } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./helpers";

const SHOP = "dev-sms-store.myshopify.com";
const TOKEN = "shpat_sandbox_classic_dev_store"; // the classic (manual pricing) app's install on the dev store

let sbx: TestSandbox;
beforeAll(async () => {
  sbx = await startTestSandbox();
  const sandbox = new URL(sbx.url);
  setAbstractFetchFunc((input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname.endsWith(".myshopify.com")) {
      url.protocol = sandbox.protocol;
      url.host = sandbox.host;
    }
    return globalThis.fetch(url, init);
  });
});
afterAll(() => sbx.close());
beforeEach(() => sbx.api.reset());

const billing: BillingConfig = {
  "Pro with discount": {
    trialDays: 7,
    replacementBehavior: BillingReplacementBehavior.ApplyImmediately,
    lineItems: [
      { interval: BillingInterval.Every30Days, amount: 20, currencyCode: "USD", discount: { durationLimitInIntervals: 3, value: { percentage: 0.25 } } },
      { interval: BillingInterval.Usage, amount: 50, currencyCode: "USD", terms: "$0.01 per SMS" },
    ],
  },
  "Setup fee": { interval: BillingInterval.OneTime, amount: 49, currencyCode: "USD" },
};
const PLANS = Object.keys(billing);
/** billing.check with every plan, as the object (not the boolean). */
const checkPayments = (plans = PLANS) => shopify.billing.check({ session, plans, isTest: true, returnObject: true });

const shopify = shopifyApi({
  apiKey: "sandbox-sms-classic",
  apiSecretKey: "shpss_sandbox_classic_secret",
  scopes: [],
  hostName: "app.example.com",
  hostScheme: "https",
  apiVersion: ApiVersion.January26,
  isEmbeddedApp: false,
  billing,
  logger: { level: 0 },
});
const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: TOKEN });

/** The merchant approves a charge at the confirmation URL the SDK got (the sandbox redirects to the return URL). */
async function approve(confirmationUrl: string) {
  const url = new URL(confirmationUrl);
  const res = await fetch(`${sbx.url}${url.pathname}${url.search}`, { redirect: "manual" });
  expect(res.status).toBe(302);
}

async function subscribe() {
  const { confirmationUrl, appSubscription } = await shopify.billing.request({ session, plan: "Pro with discount", isTest: true, returnObject: true });
  await approve(confirmationUrl);
  if (!appSubscription) throw new Error("billing.request returned no subscription");
  return appSubscription;
}

describe("@shopify/shopify-api billing against the sandbox", () => {
  it("billing.check says no payment, then billing.request returns a confirmation URL for a recurring plan with a discount", async () => {
    expect(await checkPayments()).toEqual({ hasActivePayment: false, appSubscriptions: [], oneTimePurchases: [] });
    const sub = await subscribe();
    expect(sub.name).toBe("Pro with discount");
    const check = await checkPayments(["Pro with discount"]);
    expect(check.hasActivePayment).toBe(true);
    const recurring = check.appSubscriptions[0]!.lineItems!.find((i) => "price" in i.plan.pricingDetails)!.plan.pricingDetails;
    expect(recurring).toMatchObject({
      price: { amount: 20, currencyCode: "USD" },
      interval: "EVERY_30_DAYS",
      discount: { durationLimitInIntervals: 3, remainingDurationInIntervals: 3, priceAfterDiscount: { amount: 15 }, value: { percentage: 0.25 } },
    });
  });

  it("billing.request for a one-time plan, and billing.check finds the approved purchase", async () => {
    // The SDK's response type names only appSubscription; a one-time plan returns appPurchaseOneTime.
    const { confirmationUrl, appPurchaseOneTime } = (await shopify.billing.request({
      session,
      plan: "Setup fee",
      isTest: true,
      returnObject: true,
    })) as unknown as {
      confirmationUrl: string;
      appPurchaseOneTime: { name: string; test: boolean };
    };
    expect(appPurchaseOneTime).toMatchObject({ name: "Setup fee", test: true });
    expect((await checkPayments()).hasActivePayment).toBe(false);
    await approve(confirmationUrl);
    const check = await checkPayments(["Setup fee"]);
    expect(check.hasActivePayment).toBe(true);
    expect(check.oneTimePurchases).toEqual([expect.objectContaining({ name: "Setup fee", status: "ACTIVE", test: true })]);
  });

  it("billing.subscriptions lists the active subscription; billing.cancel cancels it", async () => {
    const sub = await subscribe();
    const { activeSubscriptions } = await shopify.billing.subscriptions({ session });
    expect(activeSubscriptions.map((s) => s.id)).toEqual([sub.id]);
    const cancelled = await shopify.billing.cancel({ session, subscriptionId: sub.id, isTest: true, prorate: true });
    expect(cancelled).toMatchObject({ id: sub.id, status: "CANCELLED" });
    expect((await shopify.billing.subscriptions({ session })).activeSubscriptions).toEqual([]);
    await expect(shopify.billing.cancel({ session, subscriptionId: sub.id, isTest: true })).rejects.toThrow(BillingError);
  });

  it("billing.createUsageRecord finds the usage line item itself and counts against the capped amount", async () => {
    await subscribe();
    const record = await shopify.billing.createUsageRecord({ session, description: "1,000 SMS", price: { amount: 10, currencyCode: "USD" }, isTest: true });
    // The SDK leaves this price a string (it converts record.price.price); Shopify prints "10.0".
    expect(record).toMatchObject({ description: "1,000 SMS", price: { amount: "10.0", currencyCode: "USD" } });
    expect(record.subscriptionLineItem.plan.pricingDetails).toMatchObject({ balanceUsed: { amount: 10 }, cappedAmount: { amount: 50 } });
    // Over the cap: Shopify's user error comes back as the SDK's BillingError.
    const over = shopify.billing.createUsageRecord({ session, description: "too much", price: { amount: 45, currencyCode: "USD" }, isTest: true });
    await expect(over).rejects.toMatchObject({ errorData: [{ message: "Total price exceeds balance remaining" }] });
  });

  it("an idempotency key declared in the mutation is kept and enforced (the SDK's helper does not declare it)", async () => {
    const sub = await subscribe();
    const lineItem = sub.lineItems.find((i) => "cappedAmount" in i.plan.pricingDetails)!.id;
    const client = new shopify.clients.Graphql({ session });
    const mutation = `mutation($id: ID!, $key: String) {
      appUsageRecordCreate(subscriptionLineItemId: $id, price: { amount: "5.00", currencyCode: USD }, description: "SMS", idempotencyKey: $key) {
        userErrors { field message } appUsageRecord { id idempotencyKey }
      }
    }`;
    const first = await client.request(mutation, { variables: { id: lineItem, key: "sms-2026-01-27" } });
    const again = await client.request(mutation, { variables: { id: lineItem, key: "sms-2026-01-27" } });
    expect(first.data.appUsageRecordCreate.appUsageRecord.idempotencyKey).toBe("sms-2026-01-27");
    expect(again.data.appUsageRecordCreate.appUsageRecord.id).toBe(first.data.appUsageRecordCreate.appUsageRecord.id);
    const check = await checkPayments();
    const usage = check.appSubscriptions[0]!.lineItems!.find((i) => "balanceUsed" in i.plan.pricingDetails)!.plan.pricingDetails;
    expect(usage).toMatchObject({ balanceUsed: { amount: 5 } });
    // The SDK's helper passes idempotencyKey as a variable its mutation does not declare: GraphQL
    // ignores it, so two calls with the same key make two records (as they would on Shopify).
    await shopify.billing.createUsageRecord({ session, description: "SMS", price: { amount: 1, currencyCode: "USD" }, idempotencyKey: "k1", isTest: true });
    const second = await shopify.billing.createUsageRecord({
      session,
      description: "SMS",
      price: { amount: 1, currencyCode: "USD" },
      idempotencyKey: "k1",
      isTest: true,
    });
    expect(second.idempotencyKey).toBeNull();
  });

  it("billing.updateUsageCappedAmount returns a confirmation URL; the new cap applies once approved", async () => {
    await subscribe();
    const update = await shopify.billing.updateUsageCappedAmount({
      session,
      subscriptionLineItemId: (await shopify.billing.subscriptions({ session })).activeSubscriptions[0]!.lineItems!.find(
        (i) => "cappedAmount" in i.plan.pricingDetails,
      )!.id,
      cappedAmount: { amount: 80, currencyCode: "USD" },
    });
    expect(update.confirmationUrl).toContain("confirm_update_capped_amount");
    await approve(update.confirmationUrl);
    const usage = (await shopify.billing.subscriptions({ session })).activeSubscriptions[0]!.lineItems!.find((i) => "cappedAmount" in i.plan.pricingDetails)!
      .plan.pricingDetails;
    expect(usage).toMatchObject({ cappedAmount: { amount: 80 } });
  });

  it("bad input gets Shopify's user errors through the SDK, and nothing is created", async () => {
    const bad = shopifyApi({
      apiKey: "sandbox-sms-classic",
      apiSecretKey: "shpss_sandbox_classic_secret",
      scopes: [],
      hostName: "app.example.com",
      apiVersion: ApiVersion.January26,
      isEmbeddedApp: false,
      logger: { level: 0 },
      billing: {
        Broken: {
          lineItems: [
            { interval: BillingInterval.Every30Days, amount: 20, currencyCode: "USD", discount: { durationLimitInIntervals: 0, value: { percentage: 0.1 } } },
          ],
        },
      },
    });
    await expect(bad.billing.request({ session, plan: "Broken", isTest: true })).rejects.toMatchObject({
      errorData: [{ message: "Duration limit in intervals must be greater than 0" }],
    });
    expect((await checkPayments()).appSubscriptions).toEqual([]);
  });
});
