// The Wix Custom Charges round trip against a small fake provider that verifies every JWT with
// jose against the published key: charge limit on upgrade, limit updates, previews
// (DISPLAY_ONLY), invoice runs (CREATE_INVOICE -> invoice-created / charges-rejected + retry).
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, assert, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeProvider } from "./fake-provider";
import { startTestSandbox, TEST_NOW, WIX, type TestSandbox, type Body } from "./helpers";

let sbx: TestSandbox;
let provider: FakeProvider;
let publicKeyPem: string;

beforeAll(async () => {
  sbx = await startTestSandbox();
  publicKeyPem = (await sbx.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text;
  provider = await new FakeProvider(WIX.appId, publicKeyPem).start();
});
afterAll(async () => {
  await provider.close();
  await sbx.close();
});
beforeEach(async () => {
  await sbx.api.reset();
  await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { baseUri: provider.baseUri } });
  provider.calls.length = 0;
  provider.refused.length = 0;
  provider.answers = {};
});

const action = (instanceId: string, name: string, body: unknown = {}) => sbx.api.post(`/_sandbox/wix/instances/${instanceId}/${name}`, body);
const invoices = async (instanceId = WIX.usd) => (await sbx.api.get(`/_sandbox/wix/instances/${instanceId}/invoices`)).body;
const charges =
  (...list: unknown[]) =>
  () => ({ body: { charges: list } });

describe("signed requests", () => {
  it("upgrade calls /v1/charge-limit with an RS256 JWT body (iss wix.com, aud app id, data {request, metadata})", async () => {
    const res = await action(WIX.notUpgraded, "upgrade");
    expect(res.status).toBe(200);
    expect(res.body.plan).toMatchObject({ chargeLimit: "50.00", cycleStart: TEST_NOW, packageName: "usage_based" });
    const [call] = provider.callsTo("charge-limit");
    assert(call, "the sandbox called charge-limit");
    expect(call.contentType).toBe("text/plain");
    expect(decodeProtectedHeader(call.token)).toMatchObject({ alg: "RS256" });
    const { iat, exp } = call.payload;
    expect(call.payload).toMatchObject({ iss: "wix.com", aud: WIX.appId });
    expect(exp! - iat!).toBeLessThanOrEqual(300);
    expect(iat! * 1000).toBeLessThanOrEqual(Date.now());
    expect(call.data.request).toEqual({ subscriptionId: null, currency: "USD", cycle: { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } } });
    expect(call.data.metadata).toMatchObject({
      instanceId: WIX.notUpgraded,
      currency: "USD",
      appExtensionType: "PREMIUM_CUSTOM_CHARGES",
      identity: { identityType: "WIX_USER" },
    });
    expect(call.data.metadata.requestId).toEqual(expect.any(String));
  });

  it("a tampered token, or one signed with another key, is refused by the provider", async () => {
    await action(WIX.notUpgraded, "upgrade");
    const genuine = provider.callsTo("charge-limit")[0]?.token;
    assert(genuine, "the sandbox called charge-limit");
    const [header, payload, signature = ""] = genuine.split(".");
    const claims = decodeJwt(genuine);
    const forged = Buffer.from(JSON.stringify({ ...claims, data: { ...(claims.data as object), request: { chargeLimit: "999" } } })).toString("base64url");
    expect(await provider.post("v1/charge-limit", `${header}.${forged}.${signature}`)).toBe(401);
    expect(await provider.post("v1/charge-limit", `${header}.${payload}.${signature.slice(0, -4)}AAAA`)).toBe(401);
    const other = await generateKeyPair("RS256");
    const foreign = await new SignJWT({ data: claims.data as object })
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer("wix.com")
      .setAudience(WIX.appId)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(other.privateKey);
    expect(await provider.post("v1/charge-limit", foreign)).toBe(401);
    expect(provider.refused).toHaveLength(3);
    expect(await provider.post("v1/charge-limit", genuine)).toBe(200);
  });

  it("publishes a stable PEM public key (kept across resets)", async () => {
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    await sbx.api.reset();
    expect((await sbx.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text).toBe(publicKeyPem);
  });
});

describe("charge limit and previews", () => {
  it("raising the limit calls /v1/limit-updated; lowering it is refused", async () => {
    const res = await action(WIX.usd, "raise-limit", { chargeLimit: "100.00" });
    expect(res.status).toBe(200);
    expect(provider.callsTo("limit-updated")[0]?.data.request).toEqual({
      subscriptionId: "2f6a9e10-3c4d-4b5e-8f70-112233445566",
      currency: "USD",
      chargeLimit: "100.00",
    });
    expect((await action(WIX.usd, "raise-limit", { chargeLimit: "80.00" })).status).toBe(400);
  });

  it("GET /apps/v1/metered-billing-charges triggers List Charges DISPLAY_ONLY and relays the answer, without an invoice", async () => {
    provider.answers.charges = charges({
      id: "sms-jan",
      description: "1,250 SMS messages",
      amount: "12.50",
      usagePeriod: { startDate: "2026-01-17T16:30:00.000Z", endDate: "2026-01-27T16:30:00.000Z" },
    });
    const token = await sbx.api.wixToken();
    const res = await sbx.api.get("/apps/v1/metered-billing-charges?currency=USD&startDate=2026-01-17T16:30:00.000Z&endDate=2026-01-27T16:30:00.000Z", {
      authorization: token,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ charges: [{ id: "sms-jan", description: "1,250 SMS messages", amount: "12.50" }] });
    expect(provider.callsTo("charges")[0]?.data.request).toEqual({
      subscriptionId: "2f6a9e10-3c4d-4b5e-8f70-112233445566",
      currency: "USD",
      periodStart: "2026-01-17T16:30:00.000Z",
      periodEnd: "2026-01-27T16:30:00.000Z",
      intent: "DISPLAY_ONLY",
    });
    expect((await invoices()).invoices).toEqual([]);
    expect((await action(WIX.usd, "view-charges")).body.body.charges).toHaveLength(1);
  });
});

describe("invoice runs", () => {
  it("run-invoice: List Charges CREATE_INVOICE, then Invoice Created with the lines; the invoice is readable", async () => {
    provider.answers.charges = charges(
      {
        id: "inv-2026-01-sms",
        description: "1,250 SMS messages",
        amount: "12.50",
        usagePeriod: { startDate: "2026-01-17T16:30:00.000Z", endDate: "2026-01-27T16:29:59.000Z" },
      },
      { id: "inv-2026-01-mms", description: "40 MMS messages", amount: "2.005" },
    );
    const res = await action(WIX.usd, "run-invoice");
    expect(res.body.runs).toMatchObject([{ outcome: "INVOICED", periodStart: "2026-01-17T16:30:00.000Z", periodEnd: TEST_NOW }]);
    expect(provider.callsTo("charges")[0]?.data.request).toMatchObject({
      intent: "CREATE_INVOICE",
      periodStart: "2026-01-17T16:30:00.000Z",
      periodEnd: TEST_NOW,
    });
    const created = provider.callsTo("invoice-created")[0]?.data.request;
    const {
      invoices: [invoice],
    } = await invoices();
    expect(invoice).toMatchObject({ status: "ISSUED", currency: "USD", total: "14.50", test: false, notification: { httpStatus: 200, error: null } });
    expect(invoice.lines.map((l: Body) => [l.chargeId, l.amount, l.usagePeriod?.startDate ?? null])).toEqual([
      ["inv-2026-01-sms", "12.50", "2026-01-17T16:30:00.000Z"],
      ["inv-2026-01-mms", "2.00", null],
    ]);
    expect(created).toEqual({
      subscriptionId: "2f6a9e10-3c4d-4b5e-8f70-112233445566",
      currency: "USD",
      invoiceId: invoice.invoiceId,
      lineItems: invoice.lines.map((l: Body) => ({ chargeId: l.chargeId, amount: l.amount, id: l.id })),
    });
    const instance = await sbx.api.get("/apps/v1/instance", { authorization: await sbx.api.wixToken() });
    expect(instance.body.instance.billing.invoiceId).toBe(invoice.invoiceId);
  });

  it("the end of a monthly cycle on the sandbox clock runs the invoice", async () => {
    provider.answers.charges = charges({ id: "c1", description: "SMS", amount: "3.00" });
    const early = await sbx.api.advance(20 * 86400);
    expect(early.body.invoiceRuns.filter((r: Body) => r.instanceId === WIX.usd)).toEqual([]);
    expect(early.body.invoiceRuns.find((r: Body) => r.instanceId === WIX.jpy)).toMatchObject({ periodEnd: "2026-02-07T16:30:00.000Z" });
    const res = await sbx.api.advance(2 * 86400);
    const usdRun = res.body.invoiceRuns.find((r: Body) => r.instanceId === WIX.usd);
    expect(usdRun).toMatchObject({ outcome: "INVOICED", periodStart: "2026-01-17T16:30:00.000Z", periodEnd: "2026-02-17T16:30:00.000Z" });
    expect(provider.callsTo("charges").every((c) => c.data.metadata.identity.identityType === "APP")).toBe(true);
  });

  it.each([
    ["TOO_MANY_CHARGES", Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, description: "x", amount: "1.00" }))],
    [
      "CHARGE_LIMIT_EXCEEDED",
      [
        { id: "a", description: "x", amount: "30.00" },
        { id: "b", description: "y", amount: "20.01" },
      ],
    ],
    ["INVALID_FORMAT", [{ id: "a", description: "comma decimal", amount: "12,50" }]],
    ["INVALID_FORMAT", [{ id: "a", description: "below the 0.50 minimum", amount: "0.30" }]],
    ["INVALID_FORMAT", [{ id: "a", description: "other currency", amount: "5.00", currency: "EUR" }]],
  ])("rejects with %s, calls /v1/charges-rejected, and retries on the next clock advance", async (reason, list) => {
    provider.answers.charges = charges(...list);
    const res = await action(WIX.usd, "run-invoice");
    expect(res.body.runs[0]).toMatchObject({ outcome: "REJECTED", reasons: [reason] });
    const rejected = provider.callsTo("charges-rejected")[0]?.data.request;
    expect(rejected).toEqual({
      subscriptionId: "2f6a9e10-3c4d-4b5e-8f70-112233445566",
      currency: "USD",
      chargeIds: list.map((c) => c.id).slice(0, 5),
      chargeLimit: "50.00",
      reasons: [reason],
    });
    expect(provider.callsTo("invoice-created")).toHaveLength(0);
    expect((await invoices()).pendingPeriods).toHaveLength(1);

    provider.answers.charges = charges({ id: "fixed", description: "SMS", amount: "10.00" });
    const retry = await sbx.api.advance(3600);
    expect(retry.body.invoiceRuns).toMatchObject([{ outcome: "INVOICED", attempt: 2, periodEnd: TEST_NOW }]);
    const after = await invoices();
    expect(after.pendingPeriods).toEqual([]);
    expect(after.invoices).toHaveLength(1);
  });

  it("a total equal to the limit is accepted by default; the switch rejects it", async () => {
    provider.answers.charges = charges({ id: "all", description: "x", amount: "50.00" });
    expect((await action(WIX.usd, "run-invoice")).body.runs[0].outcome).toBe("INVOICED");
    await sbx.api.settings({ wix: { acceptSumEqualToLimit: false } });
    await sbx.api.advance(60);
    expect((await action(WIX.usd, "run-invoice")).body.runs[0]).toMatchObject({ outcome: "REJECTED", reasons: ["CHARGE_LIMIT_EXCEEDED"] });
  });

  it("uses the instance currency and truncates extra minor digits (JPY: none)", async () => {
    provider.answers.charges = charges({ id: "yen", description: "SMS", amount: "1234.99" });
    await action(WIX.jpy, "run-invoice");
    expect(provider.callsTo("charges")[0]?.data.request.currency).toBe("JPY");
    expect((await invoices(WIX.jpy)).invoices[0]).toMatchObject({ currency: "JPY", total: "1234", lines: [{ amount: "1234" }] });
  });

  it("a provider that is down or refuses is retried later (PROVIDER_ERROR, then INVOICED)", async () => {
    provider.answers.charges = () => ({ status: 500, body: { error: "boom" } });
    const first = await action(WIX.usd, "run-invoice");
    expect(first.body.runs[0]).toMatchObject({ outcome: "PROVIDER_ERROR", error: "Provider answered HTTP 500" });
    provider.answers.charges = charges({ id: "ok", description: "SMS", amount: "1.00" });
    const retry = await action(WIX.usd, "run-invoice", { retryOnly: true });
    expect(retry.body.runs).toMatchObject([{ outcome: "INVOICED", attempt: 2 }]);
    const calls = (await sbx.api.get(`/_sandbox/wix/plugin-calls?instanceId=${WIX.usd}&method=listCharges`)).body.items;
    expect(calls.map((c: Body) => c.httpStatus)).toEqual([200, 500]);
  });
});
