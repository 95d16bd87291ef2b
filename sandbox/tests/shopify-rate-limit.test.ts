// The App Events rate limit: 500 requests per second per app (docs/platforms/shopify.md §1.6). The window is
// measured on the sandbox clock; frozen, it makes the limit exact.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDefaultFixture } from "../server";
import { billingEvent, startTestSandbox, TEST_NOW, type TestSandbox, type Body } from "./helpers";

const OTHER_APP = { clientId: "sandbox-other-app", clientSecret: "shpss_other", gid: "gid://shopify/App/1002" };

let sbx: TestSandbox;
beforeAll(async () => {
  const fx = loadDefaultFixture() as Body;
  fx.clock = { now: TEST_NOW, frozen: true };
  fx.shopify.apps.push({ ...OTHER_APP, title: "Other App", orgId: "4242", plans: [] });
  fx.shopify.shops[0].installs.push({ app: OTHER_APP.clientId, installedAt: "-1d" });
  sbx = await startTestSandbox({ fixture: fx });
});
afterAll(() => sbx.close());
beforeEach(() => sbx.api.reset());

async function burst(token: string, count: number, prefix: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) => sbx.api.sendEvent(token, billingEvent({ idempotency_key: `${prefix}_${i + j}` })));
    statuses.push(...(await Promise.all(batch)).map((r) => r.status));
  }
  return statuses;
}

describe("500 requests per second per app", () => {
  it("accepts 500 requests in one second and answers 429 with the documented body after that", async () => {
    const token = await sbx.api.shopifyToken();
    const statuses = await burst(token, 500, "burst");
    expect(statuses.filter((s) => s === 202)).toHaveLength(500);
    const over = await sbx.api.sendEvent(token, billingEvent({ idempotency_key: "one_too_many" }));
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ success: false, error: "Rate limit exceeded" });
    expect((await sbx.api.logs({ status: "429" })).rows).toHaveLength(1);
  });

  it("is a sliding one-second window", async () => {
    const token = await sbx.api.shopifyToken();
    await burst(token, 500, "first");
    await sbx.api.advance(0.999);
    expect((await sbx.api.sendEvent(token, billingEvent())).status).toBe(429);
    await sbx.api.advance(0.001);
    expect((await sbx.api.sendEvent(token, billingEvent())).status).toBe(202);
  });

  it("counts per app: another app is not limited by the first one's burst", async () => {
    const token = await sbx.api.shopifyToken();
    await burst(token, 500, "app1");
    expect((await sbx.api.sendEvent(token, billingEvent())).status).toBe(429);
    const other = await sbx.api.post("/auth/access_token", {
      client_id: OTHER_APP.clientId,
      client_secret: OTHER_APP.clientSecret,
      grant_type: "client_credentials",
    });
    const res = await sbx.api.sendEvent(other.body.access_token, billingEvent({ event_handle: "campaign_sent" }));
    expect(res.status).toBe(202);
  });
});
