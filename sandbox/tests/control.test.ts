// The control API: state that survives a restart, reset and seed, the clock, settings and
// fault injection.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingEvent, startTestSandbox, TEST_NOW, WIX, type TestSandbox } from "./helpers";

describe("state file", () => {
  it("survives a restart and can be reset (keys are kept)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-state-"));
    const stateFile = path.join(dir, "nested", "state.json");
    const first = await startTestSandbox({ stateFile });
    const token = await first.api.shopifyToken();
    await first.api.sendEvent(token, billingEvent({ idempotency_key: "persisted" }));
    await first.api.advance(90);
    const key = (await first.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text;
    await first.close();
    expect(fs.existsSync(stateFile)).toBe(true);

    const second = await startTestSandbox({ stateFile });
    try {
      expect((await second.api.logs()).rows.map((r) => r.idempotency_key)).toEqual(["persisted"]);
      expect((await second.api.get("/_sandbox/clock")).body).toEqual({ now: "2026-01-27T16:31:30.000Z", frozen: true });
      expect((await second.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text).toBe(key);
      expect((await second.api.sendEvent(token, billingEvent({ idempotency_key: "persisted" }))).headers.get("idempotent-replay")).toBe("true");
      const reset = await second.api.reset();
      expect(reset.body).toMatchObject({ ok: true, now: TEST_NOW, shopify: { apps: 2, shops: 8 }, wix: { apps: 1, instances: 5 } });
      expect((await second.api.logs()).rows).toEqual([]);
      expect((await second.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text).toBe(key);
    } finally {
      await second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("control API", () => {
  let sbx: TestSandbox;
  beforeAll(async () => {
    sbx = await startTestSandbox();
  });
  afterAll(() => sbx.close());
  beforeEach(() => sbx.api.reset());

  it("seeds from a fixture and explains an invalid one", async () => {
    const fixture = {
      clock: { now: "2030-05-01T00:00:00Z", frozen: true },
      shopify: {
        partners: [{ orgId: "1", apiTokens: ["t"] }],
        apps: [
          {
            clientId: "c",
            clientSecret: "s",
            gid: "gid://shopify/App/7",
            title: "Tiny",
            orgId: "1",
            plans: [{ handle: "p", name: "P", meters: [{ handle: "m", name: "M", structure: "FIXED", unitPrice: "0.10" }] }],
          },
        ],
        shops: [{ id: "1", domain: "one.myshopify.com", installs: [{ app: "c", installedAt: "-2d", subscription: { plan: "p", startedAt: "-1d" } }] }],
      },
    };
    const res = await sbx.api.post("/_sandbox/seed", fixture);
    expect(res.body).toMatchObject({ ok: true, now: "2030-05-01T00:00:00.000Z", shopify: { apps: 1, shops: 1 }, wix: { apps: 0, instances: 0 } });
    const shops = (await sbx.api.get("/_sandbox/shopify/apps/c/shops")).body.shops;
    expect(shops[0].subscription).toMatchObject({ planHandle: "p", startedAt: "2030-04-30T00:00:00.000Z" });

    const bad = await sbx.api.post("/_sandbox/seed", {
      ...fixture,
      shopify: {
        ...fixture.shopify,
        shops: [{ id: "1", domain: "one.myshopify.com", installs: [{ app: "c", installedAt: "-2d", subscription: { plan: "nope", startedAt: "-1d" } }] }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: "invalid fixture", issues: ["shop 1 install 0: unknown plan nope"] });
    const worse = await sbx.api.post("/_sandbox/seed", {
      wix: { accounts: [], apps: [], instances: [{ instanceId: "i", appId: "a", siteDisplayName: "S", currency: "XYZ" }] },
    });
    expect(worse.status).toBe(400);
    expect(worse.body.issues[0]).toMatch(/^wix\.instances\.0\.currency/);
  });

  it("reads, sets, advances, freezes and runs the clock", async () => {
    expect((await sbx.api.get("/_sandbox/clock")).body).toEqual({ now: TEST_NOW, frozen: true });
    expect((await sbx.api.post("/_sandbox/clock", { set: "2026-02-01T00:00:00Z" })).body).toMatchObject({ now: "2026-02-01T00:00:00.000Z" });
    expect((await sbx.api.post("/_sandbox/clock", { advanceSeconds: 90 })).body.now).toBe("2026-02-01T00:01:30.000Z");
    expect((await sbx.api.post("/_sandbox/clock", { set: "+1h" })).body.now).toBe("2026-02-01T01:01:30.000Z");
    await sbx.api.post("/_sandbox/clock", { frozen: false });
    await new Promise((r) => setTimeout(r, 60));
    const running = (await sbx.api.get("/_sandbox/clock")).body;
    expect(running.frozen).toBe(false);
    expect(Date.parse(running.now)).toBeGreaterThan(Date.parse("2026-02-01T01:01:30.000Z"));
    expect((await sbx.api.post("/_sandbox/clock", { set: "soon" })).status).toBe(400);
  });

  it("reads and patches settings, refusing unknown values", async () => {
    const patched = await sbx.api.settings({ verdictDelayMs: 0, wix: { echoCase: "snake" } });
    expect(patched.body.wix.echoCase).toBe("snake");
    expect(patched.body.shopify.rateLimitPerSecond).toBe(500);
    expect((await sbx.api.settings({ wix: { echoCase: "kebab" } })).status).toBe(400);
  });

  it("injects 5xx for the next N requests of a route, then clears", async () => {
    const token = await sbx.api.shopifyToken();
    const created = await sbx.api.post("/_sandbox/faults", { route: "POST /app/*/events", error5xxRate: 1, times: 2 });
    expect(created.status).toBe(201);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await sbx.api.sendEvent(token, billingEvent())).status);
    expect(statuses).toEqual([503, 503, 202]);
    expect((await sbx.api.get("/_sandbox/faults")).body.faults).toEqual([]);
  });

  it("injects platform-shaped 429s and slow answers, and never touches the control API", async () => {
    await sbx.api.post("/_sandbox/faults", { route: "*", rate429Rate: 1 });
    const token = await sbx.api.shopifyToken().catch(() => null);
    expect(token).toBeNull();
    expect((await sbx.api.post("/auth/access_token", {})).body).toEqual({ success: false, error: "Rate limit exceeded" });
    const wix = await sbx.api.get("/apps/v1/instance");
    expect(wix.status).toBe(429);
    expect(wix.body.details.applicationError.code).toBe("RESOURCE_EXHAUSTED");
    expect((await sbx.api.get("/_sandbox/clock")).status).toBe(200);
    expect((await sbx.api.call("DELETE", "/_sandbox/faults")).body).toEqual({ removed: 1 });

    await sbx.api.post("/_sandbox/faults", { route: "/oauth2/token", slowMs: 250 });
    const started = Date.now();
    await sbx.api.wixToken();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it("injects timeouts: the request is held until the client gives up", async () => {
    await sbx.api.post("/_sandbox/faults", { route: "/apps/v1/**", timeoutRate: 1 });
    const started = Date.now();
    const outcome = await fetch(`${sbx.url}/apps/v1/instance`, { signal: AbortSignal.timeout(300) }).then(
      () => "answered",
      (err: Error) => err.name,
    );
    expect(outcome).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    expect((await sbx.api.get("/nope")).status).toBe(404);
    expect((await sbx.api.get("/apps/v1/billing-event")).status).toBe(405);
    expect((await sbx.api.post("/_sandbox/shopify/shops/999/install")).status).toBe(404);
    expect((await sbx.api.post("/_sandbox/shopify/shops/23423423/explode")).status).toBe(404);
  });
});
