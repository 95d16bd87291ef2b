import { afterEach, assert, describe, expect, it } from "vitest";
import { PlatformError } from "../errors";
import { manualClock, startFakeServer, type FakeHandler, type FakeServer } from "../fake-server";
import { ACTIVE_SUBSCRIPTION_QUERY, createShopifyClient, createShopifyPartnerClient } from "./client";

const event = {
  shop_id: "gid://shopify/Shop/23423423",
  event_handle: "sms_sent",
  timestamp: "2026-01-27T14:30:00Z",
  idempotency_key: "sms_23423423_1706365800",
  attributes: { value: 1 },
};
const MIN = 60_000;

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A Shopify that issues token-1, token-2 ... and answers events with `onEvent`. */
async function fakeShopify(
  onEvent: FakeHandler = () => ({ status: 202, body: { success: true } }),
  tokenBody: Record<string, unknown> = { scope: "write_global_api_app_events", expires_in: 3599 },
) {
  let issued = 0;
  server = await startFakeServer((req, i) =>
    req.path === "/auth/access_token" ? { status: 200, body: { access_token: `token-${++issued}`, ...tokenBody } } : onEvent(req, i),
  );
  return server;
}

function client(url: string, clock = manualClock(), timeoutMs?: number) {
  return createShopifyClient({
    baseUrl: url,
    clientId: "4f1c2d9e8a7b6c5d",
    clientSecret: "shpss_secret",
    userAgent: "partner-billing-dashboard/0.1",
    now: clock.now,
    timeoutMs,
  });
}

const tokenCalls = (s: FakeServer) => s.requests.filter((r) => r.path === "/auth/access_token");
const caught = async (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("should have thrown"),
    (err: unknown) => err as PlatformError,
  );

describe("Shopify App Events client", () => {
  it("gets a token with the client credentials and sends each event with it", async () => {
    const s = await fakeShopify();
    const shopify = client(s.url);
    const result = await shopify.sendEvent("unstable", event);
    await shopify.sendEvent("unstable", { ...event, idempotency_key: "k2" });

    expect(result).toEqual({ status: 202, body: { success: true }, replay: false });
    expect(tokenCalls(s)).toHaveLength(1);
    expect(tokenCalls(s)[0]?.body).toEqual({ client_id: "4f1c2d9e8a7b6c5d", client_secret: "shpss_secret", grant_type: "client_credentials" });
    const sent = s.requests.filter((r) => r.path === "/app/unstable/events");
    expect(sent).toHaveLength(2);
    expect(sent[0]?.headers.authorization).toBe("Bearer token-1");
    expect(sent[0]?.headers["user-agent"]).toBe("partner-billing-dashboard/0.1");
    expect(sent[0]?.body).toEqual(event);
  });

  it("refreshes the token 5 minutes before its hour runs out", async () => {
    const s = await fakeShopify();
    const clock = manualClock();
    const shopify = client(s.url, clock);
    expect(await shopify.getToken()).toBe("token-1");
    clock.advance(54 * MIN);
    expect(await shopify.getToken()).toBe("token-1");
    clock.advance(1 * MIN);
    expect(await shopify.getToken()).toBe("token-2");
  });

  it("accepts the 2027-01 token answer without expires_in, assuming 60 minutes", async () => {
    const s = await fakeShopify(undefined, { token_type: "Bearer" });
    const clock = manualClock();
    const shopify = client(s.url, clock);
    await shopify.getToken();
    clock.advance(54 * MIN + 59_000);
    expect(await shopify.getToken()).toBe("token-1");
    clock.advance(1_000);
    expect(await shopify.getToken()).toBe("token-2");
  });

  it("asks for one token when many events start at once", async () => {
    const s = await fakeShopify();
    const shopify = client(s.url);
    await Promise.all([1, 2, 3].map((n) => shopify.sendEvent("2026-10", { ...event, idempotency_key: `k${n}` })));
    expect(tokenCalls(s)).toHaveLength(1);
  });

  it("refreshes the token once on 401 and retries", async () => {
    const s = await fakeShopify((req) =>
      req.headers.authorization === "Bearer token-1" ? { status: 401, body: { error: "Unauthorized" } } : { status: 202, body: { success: true } },
    );
    const result = await client(s.url).sendEvent("unstable", event);
    expect(result.status).toBe(202);
    expect(tokenCalls(s)).toHaveLength(2);
  });

  it("gives up after a second 401, as an error retrying cannot fix", async () => {
    const s = await fakeShopify(() => ({ status: 401, body: { error: "Unauthorized" } }));
    const err = await caught(client(s.url).sendEvent("unstable", event));
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ platform: "shopify", status: 401, code: "UNAUTHORIZED", retryable: false });
    expect(tokenCalls(s)).toHaveLength(2);
  });

  it("reports a replayed key", async () => {
    const s = await fakeShopify(() => ({ status: 202, body: { success: true }, headers: { "Idempotent-Replay": "true" } }));
    expect((await client(s.url).sendEvent("unstable", event)).replay).toBe(true);
  });

  it("turns a 400 into field errors that are not retried", async () => {
    const s = await fakeShopify(() => ({
      status: 400,
      body: { success: false, error: "Invalid request", errors: [{ field: "shop_id", code: "missing", message: "is missing" }] },
    }));
    const err = await caught(client(s.url).sendEvent("unstable", event));
    expect(err).toMatchObject({ status: 400, code: "INVALID_REQUEST", retryable: false, message: "Invalid request: shop_id is missing" });
    expect(err.fieldErrors).toEqual([{ field: "shop_id", code: "missing", message: "is missing" }]);
  });

  it.each([
    [429, { success: false, error: "Rate limit exceeded" }, "RATE_LIMITED", true],
    [409, undefined, "IN_FLIGHT", true],
    [500, undefined, "SERVER_ERROR", true],
    [503, { error: "Service Unavailable" }, "SERVER_ERROR", true],
    [
      403,
      { success: false, error: "Forbidden", errors: [{ field: "shop_id", code: "not_installed", message: "app is not installed on this shop" }] },
      "NOT_INSTALLED",
      false,
    ],
  ])("classifies %i as %s (retryable: %s)", async (status, body, code, retryable) => {
    const headers: Record<string, string> = status === 429 ? { "Retry-After": "2" } : {};
    const s = await fakeShopify(() => ({ status, body, headers }));
    const err = await caught(client(s.url).sendEvent("unstable", event));
    expect(err).toMatchObject({ status, code, retryable });
    if (status === 429) expect(err.retryAfterSeconds).toBe(2);
  });

  it("explains the edge's HTML 403", async () => {
    const s = await fakeShopify(() => ({ status: 403, raw: "<html><body>You do not have permission to access this website</body></html>" }));
    const err = await caught(client(s.url).sendEvent("unstable", event));
    expect(err).toMatchObject({ status: 403, code: "FORBIDDEN", retryable: false });
    expect(err.message).toMatch(/User-Agent/);
  });

  it("times out a hanging request as retryable", async () => {
    const s = await fakeShopify(() => ({ status: 202, body: { success: true }, delayMs: 500 }));
    const err = await caught(client(s.url, manualClock(), 100).sendEvent("unstable", event));
    expect(err).toMatchObject({ status: null, code: "TIMEOUT", retryable: true });
  });

  it("treats an unreachable host as retryable", async () => {
    const s = await fakeShopify();
    const url = s.url;
    await s.close();
    server = undefined;
    const err = await caught(client(url).sendEvent("unstable", event));
    expect(err).toMatchObject({ status: null, code: "NETWORK", retryable: true });
  });

  it("says so when the credentials are refused", async () => {
    server = await startFakeServer(() => ({ status: 401, body: { error: "invalid_client" } }));
    const err = await caught(client(server.url).getToken());
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(err.message).toMatch(/refused the client credentials/);
  });
});

describe("Shopify Partner API client", () => {
  const subscription = {
    billingPeriod: "EVERY_30_DAYS",
    cancelAtEndOfCycle: false,
    trialEndsAt: null,
    currentBillingCycle: { startTime: "2026-01-05T00:00:00Z", endTime: "2026-02-04T00:00:00Z" },
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
  };

  it("sends the documented query with the partner token and reads the subscription", async () => {
    server = await startFakeServer(() => ({ status: 200, body: { data: { activeSubscription: subscription } } }));
    const partner = createShopifyPartnerClient({ url: `${server.url}/1234/api/2026-07/graphql.json`, accessToken: "prtapi_token" });
    const sub = await partner.activeSubscription("gid://shopify/App/1234", "5678");
    const [req] = server.requests;
    assert(req, "the Partner API was called");
    expect(req.path).toBe("/1234/api/2026-07/graphql.json");
    expect(req.headers["x-shopify-access-token"]).toBe("prtapi_token");
    expect(req.body).toEqual({ query: ACTIVE_SUBSCRIPTION_QUERY, variables: { appId: "gid://shopify/App/1234", shopId: "gid://shopify/Shop/5678" } });
    expect(sub?.currentBillingCycle).toEqual({ startTime: "2026-01-05T00:00:00Z", endTime: "2026-02-04T00:00:00Z" });
    expect(sub?.items[1]?.price).toMatchObject({ tiers: [{ upTo: "100", amountPerUnit: "0.00" }, { upTo: null }] });
  });

  it("returns null for a shop without a subscription", async () => {
    server = await startFakeServer(() => ({ status: 200, body: { data: { activeSubscription: null } } }));
    expect(
      await createShopifyPartnerClient({ url: server.url, accessToken: "t" }).activeSubscription("gid://shopify/App/1", "gid://shopify/Shop/2"),
    ).toBeNull();
  });

  it("retries throttling but not other GraphQL errors", async () => {
    server = await startFakeServer((_, i) => ({
      status: 200,
      body: {
        data: null,
        errors: [i === 0 ? { message: "Throttled", extensions: { code: "THROTTLED" } } : { message: "Field 'activeSubscription' doesn't exist" }],
      },
    }));
    const partner = createShopifyPartnerClient({ url: server.url, accessToken: "t" });
    expect(await caught(partner.activeSubscription("a", "b"))).toMatchObject({ code: "THROTTLED", retryable: true });
    expect(await caught(partner.activeSubscription("a", "b"))).toMatchObject({ code: "GRAPHQL_ERROR", retryable: false });
  });
});

describe("Shopify token refresh under load", () => {
  it("shares one refresh between events rejected with the same expired token", async () => {
    const s = await fakeShopify((req) =>
      req.headers.authorization === "Bearer token-1" ? { status: 401, body: { error: "Unauthorized" }, delayMs: 20 } : { status: 202, body: { success: true } },
    );
    const shopify = client(s.url);
    await shopify.getToken();
    const results = await Promise.all([1, 2, 3].map((n) => shopify.sendEvent("unstable", { ...event, idempotency_key: `k${n}` })));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(tokenCalls(s)).toHaveLength(2);
  });
});
