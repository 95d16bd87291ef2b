// Contract tests: every Wix-side request example of docs/platforms/wix.md (and the seed's sample flows),
// sent as printed, checked against the documented answer.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, WIX, type TestSandbox, type Body } from "./helpers";

let sbx: TestSandbox;
beforeAll(async () => {
  sbx = await startTestSandbox();
});
afterAll(() => sbx.close());
beforeEach(() => sbx.api.reset());

const DOC_EVENT_RESPONSE = {
  event: {
    appId: "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96",
    instanceId: "7dd21ebc-a097-43ac-8763-2806daee84a1",
    grossRevenue: "120",
    netRevenue: "100",
    wixShare: "20",
    createdDate: "2025-04-07T08:01:31Z",
    billingType: "CHARGE",
  },
};
const apiKeyHeaders = { authorization: WIX.apiKey, "wix-account-id": WIX.accountId };

describe("docs/platforms/wix.md §1.1 POST /oauth2/token", () => {
  it("answers the documented example", async () => {
    const res = await sbx.api.post("/oauth2/token", {
      grant_type: "client_credentials",
      client_id: "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96",
      client_secret: WIX.secret,
      instance_id: "7dd21ebc-a097-43ac-8763-2806daee84a1",
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.stringMatching(/^OauthNG\.JWS\./), token_type: "Bearer", expires_in: 14400 });
    expect(res.headers.get("x-wix-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives no token for an uninstalled instance, bad secrets or unknown instances (standard Wix errors)", async () => {
    await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/uninstall`);
    const body = { grant_type: "client_credentials", client_id: WIX.appId, client_secret: WIX.secret, instance_id: WIX.usd };
    const gone = await sbx.api.post("/oauth2/token", body);
    expect(gone.status).toBe(403);
    expect(gone.body).toEqual({
      message: `App instance ${WIX.usd} was uninstalled; access tokens can no longer be generated for it`,
      details: {
        applicationError: {
          code: "PERMISSION_DENIED",
          description: `App instance ${WIX.usd} was uninstalled; access tokens can no longer be generated for it`,
          data: {},
        },
      },
    });
    expect((await sbx.api.post("/oauth2/token", { ...body, client_secret: "x" })).body.details.applicationError.code).toBe("UNAUTHENTICATED");
    expect((await sbx.api.post("/oauth2/token", { ...body, instance_id: WIX.eur.replace("3b", "00") })).status).toBe(404);
    const missing = await sbx.api.post("/oauth2/token", { grant_type: "client_credentials" });
    expect(missing.status).toBe(400);
    expect(missing.body.details.validationError.fieldViolations.map((v: Body) => v.field)).toEqual(["client_id", "client_secret", "instance_id"]);
  });

  it("tokens last 4 hours of sandbox time", async () => {
    const token = await sbx.api.wixToken();
    await sbx.api.advance(14_399);
    expect((await sbx.api.get("/apps/v1/instance", { authorization: token })).status).toBe(200);
    await sbx.api.advance(2);
    const expired = await sbx.api.get("/apps/v1/instance", { authorization: token });
    expect(expired.status).toBe(401);
    expect(expired.body.details.applicationError.code).toBe("UNAUTHENTICATED");
  });
});

describe("docs/platforms/wix.md §2 POST /apps/v1/billing-event", () => {
  it("with an access token: the documented example and response", async () => {
    const token = await sbx.api.wixToken();
    const res = await sbx.api.post(
      "/apps/v1/billing-event",
      { event: { createdDate: "2025-04-07T08:01:31Z", grossRevenue: "120", netRevenue: "100", wixShare: "20", billingType: "CHARGE" } },
      { authorization: token },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DOC_EVENT_RESPONSE);
  });

  it("accepts the seed's snake_case body and a Bearer prefix; the snake switch echoes the seed's spelling", async () => {
    const token = await sbx.api.wixToken();
    const seedBody = { event: { created_date: "2025-04-07T08:01:31Z", gross_revenue: "120", net_revenue: "100", wix_share: "20", billing_type: "CHARGE" } };
    const camel = await sbx.api.post("/apps/v1/billing-event", seedBody, { authorization: `Bearer ${token}` });
    expect(camel.body).toEqual(DOC_EVENT_RESPONSE);
    await sbx.api.settings({ wix: { echoCase: "snake" } });
    const snake = await sbx.api.post("/apps/v1/billing-event", seedBody, { authorization: token });
    expect(snake.body).toEqual({
      event: {
        app_id: WIX.appId,
        instance_id: WIX.usd,
        gross_revenue: "120",
        net_revenue: "100",
        wix_share: "20",
        created_date: "2025-04-07T08:01:31Z",
        billing_type: "CHARGE",
      },
    });
  });

  it("with an API key after the site uninstalled the app: the documented refund example", async () => {
    await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/uninstall`);
    const event = {
      appId: WIX.appId,
      instanceId: WIX.usd,
      createdDate: "2025-05-02T10:00:00Z",
      grossRevenue: "-120.50",
      netRevenue: "-100.50",
      wixShare: "-20.10",
      billingType: "REFUND",
    };
    const res = await sbx.api.post("/apps/v1/billing-event", { event }, apiKeyHeaders);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ event });
    const recorded = (await sbx.api.get("/_sandbox/wix/billing-events")).body.items;
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ auth: "api_key", accountId: WIX.accountId, event });
  });

  it("API key path: appId required, wix-account-id required, instanceId optional", async () => {
    const event = { grossRevenue: "10", wixShare: "2", billingType: "CHARGE" };
    const noApp = await sbx.api.post("/apps/v1/billing-event", { event }, apiKeyHeaders);
    expect(noApp.status).toBe(400);
    expect(noApp.body).toEqual({
      message: "event.appId is required",
      details: { validationError: { fieldViolations: [{ field: "event.appId", description: "must not be empty", violatedRule: "REQUIRED_FIELD" }] } },
    });
    const noAccount = await sbx.api.post("/apps/v1/billing-event", { event: { ...event, appId: WIX.appId } }, { authorization: WIX.apiKey });
    expect(noAccount.status).toBe(403);
    const ok = await sbx.api.post("/apps/v1/billing-event", { event: { ...event, appId: WIX.appId } }, apiKeyHeaders);
    expect(ok.status).toBe(200);
    expect(ok.body.event).toEqual({ appId: WIX.appId, grossRevenue: "10", wixShare: "2", billingType: "CHARGE", createdDate: "2026-01-27T16:30:00.000Z" });
    expect((await sbx.api.post("/apps/v1/billing-event", { event }, { authorization: "IST.wrong", "wix-account-id": WIX.accountId })).status).toBe(401);
  });

  it("400 with the documented validation body (missing wixShare) and other field checks", async () => {
    const token = await sbx.api.wixToken();
    const res = await sbx.api.post("/apps/v1/billing-event", { event: { grossRevenue: "120", billingType: "CHARGE" } }, { authorization: token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: "event.wixShare is required",
      details: { validationError: { fieldViolations: [{ field: "event.wixShare", description: "must not be empty", violatedRule: "REQUIRED_FIELD" }] } },
    });
    const bad = await sbx.api.post(
      "/apps/v1/billing-event",
      { event: { grossRevenue: 120, wixShare: "1.12345678901", billingType: "SALE", createdDate: "yesterday" } },
      { authorization: token },
    );
    expect(bad.body.details.validationError.fieldViolations.map((v: Body) => v.field)).toEqual([
      "event.grossRevenue",
      "event.wixShare",
      "event.billingType",
      "event.createdDate",
    ]);
  });

  it("428 FAILED_PRECONDITION when the app is not partner-billed: the documented body", async () => {
    await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { partnerBilled: false } });
    const token = await sbx.api.wixToken();
    const res = await sbx.api.post(
      "/apps/v1/billing-event",
      { event: { grossRevenue: "120", wixShare: "20", billingType: "CHARGE" } },
      { authorization: token },
    );
    expect(res.status).toBe(428);
    expect(res.body).toEqual({
      message: "App is not approved as a Partner Billed App",
      details: { applicationError: { code: "FAILED_PRECONDITION", description: "App is not approved as a Partner Billed App", data: {} } },
    });
  });
});

describe("docs/platforms/wix.md §3 GET /apps/v1/instance", () => {
  it("answers the documented shape for the calling instance", async () => {
    const res = await sbx.api.get("/apps/v1/instance", { authorization: await sbx.api.wixToken() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      instance: {
        instanceId: WIX.usd,
        appName: "SMS Blaster for Wix",
        isFree: false,
        billing: {
          packageName: "usage_based",
          billingCycle: "MONTHLY",
          timeStamp: "2026-01-17T16:30:00.000Z",
          expirationDate: null,
          autoRenewing: true,
          source: "",
          freeTrialInfo: { status: "NOT_AVAILABLE" },
        },
        permissions: ["SCOPE.DC.MANAGE-YOUR-APP"],
        availablePlans: [{ packageName: "usage_based", source: "app" }],
        copiedFromTemplate: false,
        freeTrialAvailable: false,
      },
      site: {
        siteDisplayName: "Acme Bakery",
        locale: "en",
        paymentCurrency: "USD",
        multilingual: { isMultiLingual: false, supportedLanguages: [] },
        siteId: "a1b2c3d4-0000-4000-8000-000000000001",
      },
    });
    const free = await sbx.api.get("/apps/v1/instance", { authorization: await sbx.api.wixToken(WIX.notUpgraded) });
    expect(free.body.instance.isFree).toBe(true);
    expect(free.body.instance.billing).toBeUndefined();
    expect((await sbx.api.get("/apps/v1/instance", apiKeyHeaders)).status).toBe(403);
  });

  it("answers for a site added since the fixture, and Wix's NOT_FOUND for an instance it does not know (what a first-seen lookup reads)", async () => {
    const added = await sbx.api.post(`/_sandbox/wix/apps/${WIX.appId}/instances`, { siteDisplayName: "Harbour Books", currency: "EUR" });
    const instanceId = added.body.instances[0].instanceId as string;
    const res = await sbx.api.get("/apps/v1/instance", { authorization: await sbx.api.wixToken(instanceId) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ instance: { instanceId, isFree: true }, site: { siteDisplayName: "Harbour Books", paymentCurrency: "EUR" } });
    const unknown = "0badc0de-0000-4000-8000-000000000000";
    const token = await sbx.api.post("/oauth2/token", {
      grant_type: "client_credentials",
      client_id: WIX.appId,
      client_secret: WIX.secret,
      instance_id: unknown,
    });
    expect(token.status).toBe(404);
    expect(token.body).toMatchObject({ message: expect.stringContaining(unknown), details: { applicationError: { code: "NOT_FOUND" } } });
  });
});
