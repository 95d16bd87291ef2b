import { afterEach, assert, describe, expect, it } from "vitest";
import { PlatformError } from "../errors";
import { manualClock, startFakeServer, type FakeHandler, type FakeServer } from "../fake-server";
import { createWixClient, type WixClientOptions } from "./client";

const APP = "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96";
const INSTANCE = "7dd21ebc-a097-43ac-8763-2806daee84a1";
const event = { createdDate: "2025-04-07T08:01:31Z", grossRevenue: "120", netRevenue: "100", wixShare: "20", billingType: "CHARGE" as const };
const MIN = 60_000;

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A Wix that issues tok-<instance>-1, -2 ... and answers other calls with `onCall`. */
async function fakeWix(onCall: FakeHandler) {
  const issued = new Map<string, number>();
  server = await startFakeServer((req, i) => {
    if (req.path !== "/oauth2/token") return onCall(req, i);
    const id = (req.body as { instance_id: string }).instance_id;
    issued.set(id, (issued.get(id) ?? 0) + 1);
    return { status: 200, body: { access_token: `tok-${id}-${issued.get(id)}`, token_type: "Bearer", expires_in: 14400 } };
  });
  return server;
}

const echo: FakeHandler = (req) => ({
  status: 200,
  body: { event: { app_id: APP, instance_id: INSTANCE, ...snake((req.body as { event: Record<string, unknown> }).event) } },
});
const snake = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
const tokenCalls = (s: FakeServer) => s.requests.filter((r) => r.path === "/oauth2/token");
const caught = async (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("should have thrown"),
    (err: unknown) => err as PlatformError,
  );
const client = (url: string, extra: Partial<WixClientOptions> = {}) => createWixClient({ baseUrl: url, appId: APP, appSecret: "secret", ...extra });

describe("Wix client", () => {
  it("reports a billing event with the instance token, raw, and reads the snake_case echo", async () => {
    const s = await fakeWix(echo);
    const echoed = await client(s.url).reportBillingEvent({ instanceId: INSTANCE, uninstalled: false, event });
    expect(tokenCalls(s)[0]?.body).toEqual({ grant_type: "client_credentials", client_id: APP, client_secret: "secret", instance_id: INSTANCE });
    const call = s.requests.find((r) => r.path === "/apps/v1/billing-event")!;
    expect(call.headers.authorization).toBe(`tok-${INSTANCE}-1`);
    expect(call.body).toEqual({ event });
    expect(echoed).toMatchObject({ appId: APP, instanceId: INSTANCE, grossRevenue: "120", wixShare: "20", billingType: "CHARGE" });
  });

  it("reports with the API key and account id once the site uninstalled the app", async () => {
    const s = await fakeWix(echo);
    await client(s.url, { apiKey: "IST.key", accountId: "0f3d7a52" }).reportBillingEvent({
      instanceId: INSTANCE,
      uninstalled: true,
      event: { ...event, billingType: "REFUND", grossRevenue: "-120.50" },
    });
    expect(tokenCalls(s)).toHaveLength(0);
    const [call] = s.requests;
    assert(call, "Wix was called");
    expect(call.headers.authorization).toBe("IST.key");
    expect(call.headers["wix-account-id"]).toBe("0f3d7a52");
    expect(call.body).toEqual({ event: { ...event, billingType: "REFUND", grossRevenue: "-120.50", appId: APP, instanceId: INSTANCE } });
  });

  it("refuses to report for an uninstalled site without an API key", async () => {
    const err = await caught(client("http://127.0.0.1:9").reportBillingEvent({ instanceId: INSTANCE, uninstalled: true, event }));
    expect(err).toMatchObject({ code: "NOT_CONFIGURED", retryable: false });
  });

  it("caches a token per instance for 4 hours minus 5 minutes", async () => {
    const s = await fakeWix(echo);
    const clock = manualClock();
    const wix = client(s.url, { now: clock.now });
    expect(await wix.getInstanceToken(INSTANCE)).toBe(`tok-${INSTANCE}-1`);
    expect(await wix.getInstanceToken("other")).toBe("tok-other-1");
    clock.advance(234 * MIN);
    expect(await wix.getInstanceToken(INSTANCE)).toBe(`tok-${INSTANCE}-1`);
    clock.advance(1 * MIN);
    expect(await wix.getInstanceToken(INSTANCE)).toBe(`tok-${INSTANCE}-2`);
    await Promise.all([wix.getInstanceToken("third"), wix.getInstanceToken("third")]);
    expect(tokenCalls(s).filter((r) => (r.body as { instance_id: string }).instance_id === "third")).toHaveLength(1);
  });

  it("gets a fresh token once on 401", async () => {
    const s = await fakeWix((req) => (req.headers.authorization?.endsWith("-1") ? { status: 401, body: { message: "expired" } } : echo(req, 0)));
    await client(s.url).reportBillingEvent({ instanceId: INSTANCE, uninstalled: false, event });
    expect(tokenCalls(s)).toHaveLength(2);
  });

  it("reads Wix's application errors: 428 FAILED_PRECONDITION is not retried", async () => {
    const s = await fakeWix(() => ({
      status: 428,
      headers: { "x-wix-request-id": "req-42" },
      body: {
        message: "App is not approved as a Partner Billed App",
        details: { applicationError: { code: "FAILED_PRECONDITION", description: "App is not approved as a Partner Billed App", data: {} } },
      },
    }));
    const err = await caught(client(s.url).reportBillingEvent({ instanceId: INSTANCE, uninstalled: false, event }));
    expect(err).toMatchObject({
      platform: "wix",
      status: 428,
      code: "FAILED_PRECONDITION",
      retryable: false,
      requestId: "req-42",
      message: "App is not approved as a Partner Billed App",
    });
  });

  it("reads Wix's validation errors as field errors", async () => {
    const s = await fakeWix(() => ({
      status: 400,
      body: {
        message: "event.wixShare is required",
        details: { validationError: { fieldViolations: [{ field: "event.wixShare", description: "must not be empty", violatedRule: "REQUIRED_FIELD" }] } },
      },
    }));
    const err = await caught(client(s.url).reportBillingEvent({ instanceId: INSTANCE, uninstalled: false, event }));
    expect(err).toMatchObject({ status: 400, code: "INVALID_ARGUMENT", retryable: false });
    expect(err.fieldErrors).toEqual([{ field: "event.wixShare", code: "REQUIRED_FIELD", message: "must not be empty" }]);
  });

  it.each([
    [429, "RESOURCE_EXHAUSTED", true],
    [500, "INTERNAL", true],
    [503, "UNAVAILABLE", true],
    [409, "ALREADY_EXISTS", false],
    [403, "PERMISSION_DENIED", false],
  ])("classifies %i as %s (retryable: %s)", async (status, code, retryable) => {
    const s = await fakeWix(() => ({ status, body: { message: "nope", details: {} } }));
    expect(await caught(client(s.url).getInstance(INSTANCE))).toMatchObject({ status, code, retryable });
  });

  it("fails a token request for an instance Wix refuses, without retrying", async () => {
    server = await startFakeServer(() => ({ status: 404, body: { message: "Instance not found", details: { applicationError: { code: "NOT_FOUND" } } } }));
    const err = await caught(client(server.url).getInstanceToken(INSTANCE));
    expect(err).toMatchObject({ status: 404, code: "NOT_FOUND", retryable: false });
    expect(err.message).toMatch(/no token for instance/);
  });

  it("times out a hanging call as retryable", async () => {
    const s = await fakeWix(() => ({ status: 200, body: {}, delayMs: 500 }));
    expect(await caught(client(s.url, { timeoutMs: 100 }).getInstance(INSTANCE))).toMatchObject({ code: "TIMEOUT", retryable: true });
  });

  it("reads the app instance", async () => {
    const s = await fakeWix(() => ({
      status: 200,
      body: {
        instance: { instanceId: INSTANCE, appName: "SMS Blaster", isFree: false, billing: { packageName: "usage_based", billingCycle: "MONTHLY" } },
        site: { paymentCurrency: "USD", siteId: "a1b2" },
      },
    }));
    const answer = await client(s.url).getInstance(INSTANCE);
    expect(s.requests.at(-1)).toMatchObject({ method: "GET", path: "/apps/v1/instance" });
    expect(answer.instance.billing?.billingCycle).toBe("MONTHLY");
    expect(answer.site?.paymentCurrency).toBe("USD");
  });

  it("asks Wix for the metered charges of a period", async () => {
    const s = await fakeWix(() => ({ status: 200, body: { charges: [{ id: "20260105-sms-abc", description: "1,250 SMS", amount: "12.50" }] } }));
    const answer = await client(s.url).meteredBillingCharges(INSTANCE, {
      currency: "USD",
      startDate: "2026-01-05T00:00:00.000Z",
      endDate: "2026-02-05T00:00:00.000Z",
    });
    const url = new URL(s.requests.at(-1)!.path, "http://x");
    expect(url.pathname).toBe("/apps/v1/metered-billing-charges");
    expect(Object.fromEntries(url.searchParams)).toEqual({ currency: "USD", startDate: "2026-01-05T00:00:00.000Z", endDate: "2026-02-05T00:00:00.000Z" });
    expect(answer.charges).toEqual([{ id: "20260105-sms-abc", description: "1,250 SMS", amount: "12.50" }]);
  });
});
