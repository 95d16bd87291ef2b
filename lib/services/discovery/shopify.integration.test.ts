// Shopify discovery against the real sandbox over HTTP and a real Postgres: the Partner API
// `events` backfill and poll, shops first seen in an event, and the uninstall grace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
let discovery: typeof import("./shopify");
let ingestEvents: typeof import("../ingest/ingest").ingestEvents;
let deliveryRound: typeof import("../../worker/delivery").deliveryRound;

beforeAll(async () => {
  process.env.DISCOVERY_RATE_PER_SECOND = "1000";
  env = await startLedgerEnv();
  discovery = await import("./shopify");
  ({ ingestEvents } = await import("../ingest/ingest"));
  ({ deliveryRound } = await import("../../worker/delivery"));
});
afterAll(async () => env?.close());

const post = (path: string, body: unknown = {}) =>
  sandboxJson(env, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const connection = () => env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
const shop = (shopId: string) => env.db.shop.findUnique({ where: { connectionId_shopId: { connectionId: env.shopifyConnectionId, shopId } } });
const partnerEventCount = () => env.db.shopifyPartnerEvent.count({ where: { connectionId: env.shopifyConnectionId } });

/** Every event id the sandbox's Partner API has for the app over the last 365 days. */
async function sandboxEventIds(): Promise<string[]> {
  const c = await connection();
  const ids: string[] = [];
  let after: string | null = null;
  const now = Date.now();
  for (;;) {
    const res = await fetch(c.partnerApiUrl!, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": "prtapi_sandbox_demo_token" },
      body: JSON.stringify({
        query:
          "query($f: EventFilterInput, $a: String) { events(filter: $f, first: 250, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
        variables: {
          f: { subjectId: c.appGid, occurredAtMin: new Date(now - 364 * 86_400_000).toISOString(), occurredAtMax: new Date(now + 60_000).toISOString() },
          a: after,
        },
      }),
    });
    const body = (await res.json()) as { data: { events: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
    ids.push(...body.data.events.edges.map((e) => e.node.id));
    if (!body.data.events.pageInfo.hasNextPage) return ids;
    after = body.data.events.pageInfo.endCursor;
  }
}

/** The shop's lookup state once the lookup the ingest started has answered (or "pending" after 5 s). */
/** The lookup runs after the answer, off the test's await: wait for it (up to 20 s on a loaded CI machine), and say why when it never settles. */
async function settledLookup(shopId: string): Promise<string | null | undefined> {
  const until = Date.now() + 20_000;
  let last: Awaited<ReturnType<typeof shop>> = null;
  let received = 0;
  while (Date.now() < until) {
    last = await shop(shopId);
    received = await env.db.billingEvent.count({ where: { shop: { shopId }, state: "received" } });
    if (last && last.lookupState !== "pending" && received === 0) return last.lookupState;
    await new Promise((r) => setTimeout(r, 100));
  }
  return `${last?.lookupState ?? "no shop"} after 20 s (${received} event(s) still received; lookup error: ${last?.lookupError ?? "none"})`;
}

async function deliverAll() {
  for (let i = 0; i < 20; i++) if (!(await deliveryRound("test-worker")).claimed) break;
}

describe("Shopify discovery from the Partner API events", () => {
  it("backfills every page, keeps its cursor across a restart, then polls: shops, installs, plans and cycles, no duplicates", async () => {
    // 600 merchants installed over the last 100 days, on sms-pro from their first day.
    await post("/_sandbox/shopify/shops/generate", { count: 600, firstId: "6000000000", installedAt: "-100d", spreadSeconds: 90 * 86_400, plan: "sms-pro" });

    // A worker reads one page and stops (killed): its position is kept.
    const first = await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId, maxPages: 1 });
    expect(first).toMatchObject({ pages: 1, events: 250, errors: 0 });
    const halfway = await connection();
    expect(halfway.discoveryScan).toMatchObject({ backfill: true, after: expect.any(String) });
    expect(halfway.discoveryBackfilledAt).toBeNull();

    // Another worker goes on from there to the end.
    const rest = await discovery.discoverShops("worker-b", { connectionId: env.shopifyConnectionId });
    expect(rest.errors).toBe(0);
    const done = await connection();
    expect(done.discoveryScan).toBeNull();
    expect(done.discoveryBackfilledAt).not.toBeNull();
    expect(done.discoveryWatermark).not.toBeNull();
    const ids = await sandboxEventIds();
    expect(await partnerEventCount()).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(1800); // install + subscription + ≥ 1 recurring charge each

    const generated = await env.db.shop.count({ where: { connectionId: env.shopifyConnectionId, shopId: { startsWith: "6000000" } } });
    expect(generated).toBe(600);
    const firstMerchant = (await shop("6000000000"))!;
    expect(firstMerchant).toMatchObject({
      domain: "bench-shop-1.myshopify.com",
      installState: "installed",
      planHandle: "sms-pro",
      subscriptionStatus: "ACTIVE",
    });
    const started = firstMerchant.subscriptionStartedAt!.getTime();
    expect(Math.abs(started - (Date.now() - 100 * 86_400_000))).toBeLessThan(120_000);
    // Its current cycle: 30-day cycles from the start, the one holding now.
    expect(firstMerchant.cycleStart!.getTime()).toBe(started + 3 * 30 * 86_400_000);
    expect(firstMerchant.cycleEnd!.getTime()).toBe(started + 4 * 30 * 86_400_000);
    // The fixture's uninstalled shop, as its history says.
    expect(await shop("1002003008")).toMatchObject({ installState: "uninstalled" });

    // Incremental: a new merchant installs and subscribes, another uninstalls; the next poll sees both.
    await post("/_sandbox/shopify/shops", { id: "6100000001", domain: "brand-new.myshopify.com" });
    await post("/_sandbox/shopify/shops/6100000001/install");
    await post("/_sandbox/shopify/shops/6100000001/subscribe", { plan: "sms-volume" });
    await post("/_sandbox/shopify/shops/6000000005/uninstall");
    const poll = await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId });
    expect(poll.errors).toBe(0);
    expect(await shop("6100000001")).toMatchObject({
      domain: "brand-new.myshopify.com",
      installState: "installed",
      planHandle: "sms-volume",
      subscriptionStatus: "ACTIVE",
    });
    const fresh = (await shop("6100000001"))!;
    expect(fresh.cycleStart).not.toBeNull(); // from activeSubscription
    expect(await shop("6000000005")).toMatchObject({ installState: "uninstalled", subscriptionStatus: "CANCELLED" });
    expect(await partnerEventCount()).toBe((await sandboxEventIds()).length);
    // Polling again adds nothing (the overlap re-reads, event ids dedupe).
    const before = await partnerEventCount();
    const again = await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId });
    expect(again.events).toBe(0);
    expect(await partnerEventCount()).toBe(before);
    expect(await env.db.shop.count({ where: { connectionId: env.shopifyConnectionId, shopId: "6100000001" } })).toBe(1);
  });

  it("backs off on a 429 and records the error, then recovers", async () => {
    const fault = await post("/_sandbox/faults", { route: "POST /4242/api/*/graphql.json", rate429Rate: 1, times: 1 });
    const failed = await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId });
    expect(failed.errors).toBe(1);
    const c = await connection();
    expect(c.discoveryError).toMatch(/RATE_LIMITED/);
    expect(c.discoveryFailures).toBe(1);
    expect(c.discoveryNextAt!.getTime()).toBeGreaterThan(Date.now());
    // Not due yet: a round without a connection filter skips it.
    expect((await discovery.discoverShops("worker-a")).connections).toBe(0);
    await sandboxJson(env, `/_sandbox/faults?id=${(fault as { id: string }).id}`, { method: "DELETE" });
    expect((await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId })).errors).toBe(0);
    expect((await connection()).discoveryFailures).toBe(0);
  });
});

describe("an event for a shop nobody knows yet", () => {
  it("is accepted and kept, the shop is looked up, then the event is predicted and delivered once", async () => {
    // A merchant installs and subscribes on Shopify; the dashboard has not seen it (no poll since).
    await post("/_sandbox/shopify/shops", {
      id: "7100000001",
      domain: "first-usage.myshopify.com",
      installs: [{ app: "sandbox-sms-blaster", installedAt: "-1h", subscription: { plan: "sms-pro", startedAt: "-1h" } }],
    });
    const event = {
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: "gid://shopify/Shop/7100000001",
      event_handle: "sms_sent",
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      idempotency_key: "first-usage-1",
      attributes: { value: 3 },
    };
    const [result] = await ingestEvents([event], { source: "api" });
    expect(result).toMatchObject({ status: "accepted", state: "received", predicted: { code: "SHOP_NOT_YET_KNOWN" } });
    // The ingest itself starts the lookup right after answering (no worker needed).
    expect(await settledLookup("7100000001")).toBe("found");
    expect(await shop("7100000001")).toMatchObject({
      lookupState: "found",
      domain: "first-usage.myshopify.com",
      planHandle: "sms-pro",
      installState: "installed",
    });
    const predicted = await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "first-usage-1" } });
    expect(predicted).toMatchObject({ state: "queued", predictedVerdict: "billable", predictedCode: null });
    // A retry of the same event is a duplicate of it, not a second event.
    expect((await ingestEvents([event], { source: "api" }))[0]).toMatchObject({
      status: "duplicate",
      eventId: result!.status !== "rejected" ? result!.eventId : "",
    });

    await deliverAll();
    await post("/_sandbox/shopify/verdicts/settle");
    const log = await sandboxJson<{ rows: { idempotency_key: string; billing_result_code: string }[] }>(
      env,
      "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?shop=7100000001&limit=50",
    );
    expect(log.rows.map((r) => [r.idempotency_key, r.billing_result_code])).toEqual([["first-usage-1", "SUCCESS"]]);
    const delivered = await env.db.billingEvent.findFirstOrThrow({
      where: { idempotencyKey: "first-usage-1" },
      include: { transitions: { orderBy: { id: "asc" } } },
    });
    expect(delivered.state).toBe("accepted");
    expect(delivered.transitions.map((t) => t.toState)).toEqual(["queued", "sending", "accepted"]);
  });

  it("takes in a plan Shopify bills that the dashboard did not know, from the shop's activeSubscription, and never rewrites a known one", async () => {
    const plans = env.db.plan;
    const known = await plans.findUniqueOrThrow({ where: { connectionId_handle: { connectionId: env.shopifyConnectionId, handle: "sms-pro" } } });
    await plans.update({ where: { id: known.id }, data: { name: "SMS Pro (as the admin named it)" } });
    const volume = await plans.findUniqueOrThrow({ where: { connectionId_handle: { connectionId: env.shopifyConnectionId, handle: "sms-volume" } } });
    await env.db.meter.deleteMany({ where: { planId: volume.id } });
    await plans.delete({ where: { id: volume.id } });

    await post("/_sandbox/shopify/shops", {
      id: "7100000003",
      domain: "new-plan.myshopify.com",
      installs: [{ app: "sandbox-sms-blaster", installedAt: "-1h", subscription: { plan: "sms-volume", startedAt: "-1h" } }],
    });
    const event = {
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: "gid://shopify/Shop/7100000003",
      event_handle: "sms_sent",
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      idempotency_key: "new-plan-1",
      attributes: { value: 3 },
    };
    expect((await ingestEvents([event], { source: "api" }))[0]).toMatchObject({ status: "accepted", state: "received" });
    expect(await settledLookup("7100000003")).toBe("found");

    const plan = await plans.findUniqueOrThrow({
      where: { connectionId_handle: { connectionId: env.shopifyConnectionId, handle: "sms-volume" } },
      include: { meters: true },
    });
    expect({ fee: plan.monthlyFee.toFixed(2), currency: plan.currency }).toEqual({ fee: "19.00", currency: "USD" });
    expect(plan.meters).toHaveLength(1);
    const meter = plan.meters[0]!;
    expect({ handle: meter.handle, structure: meter.structure }).toEqual({ handle: "sms_sent", structure: "volume" });
    const tiers = meter.tiers as { upTo: string | null; unitPrice: string }[];
    expect(tiers.map((t) => [t.upTo, t.unitPrice.replace(/0+$/, "")])).toEqual([
      ["1000", "0.01"],
      ["10000", "0.008"],
      [null, "0.005"],
    ]);
    // Priced and sent like any other event: the plan was there when the event was predicted.
    expect(await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "new-plan-1" } })).toMatchObject({
      state: "queued",
      predictedVerdict: "billable",
      predictedCode: null,
    });
    expect(await env.db.auditLog.count({ where: { action: "plan.discovered", entityId: plan.id } })).toBe(1);
    // The plan the admin knew stays as the admin left it.
    expect((await plans.findUniqueOrThrow({ where: { id: known.id } })).name).toBe("SMS Pro (as the admin named it)");
  });

  it("leaves no event waiting when several batches bring the same new shop at once", async () => {
    await post("/_sandbox/shopify/shops", {
      id: "7100000002",
      domain: "burst.myshopify.com",
      installs: [{ app: "sandbox-sms-blaster", installedAt: "-1h", subscription: { plan: "sms-pro", startedAt: "-1h" } }],
    });
    const batch = (b: number) =>
      Array.from({ length: 20 }, (_, i) => ({
        platform: "shopify",
        connection_id: env.shopifyConnectionId,
        shop_id: "gid://shopify/Shop/7100000002",
        event_handle: "sms_sent",
        timestamp: new Date(Date.now() - 60_000 - i * 1000).toISOString(),
        idempotency_key: `burst-${b}-${i}`,
        attributes: { value: 1 },
      }));
    // The first batch's lookup may settle while the others are still being written: none of theirs may be left behind.
    const results = (await Promise.all([0, 1, 2, 3, 4].map((b) => ingestEvents(batch(b), { source: "api" })))).flat();
    expect(results.filter((r) => r.status === "accepted")).toHaveLength(100);
    expect(await settledLookup("7100000002")).toBe("found");
    expect(await env.db.billingEvent.count({ where: { shop: { shopId: "7100000002" }, state: "queued" } })).toBe(100);
  });

  it("ends with Shopify's own verdict when Shopify does not know the shop either; a malformed id is a field error", async () => {
    const event = (shopId: string, key: string) => ({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: shopId,
      event_handle: "sms_sent",
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      idempotency_key: key,
      attributes: { value: 1 },
    });
    const [bad, unknown] = await ingestEvents([event("not-a-shop", "bad-shop-1"), event("987654321", "nobody-1")], { source: "api" });
    expect(bad).toMatchObject({ status: "rejected", fieldErrors: { shop_id: [expect.stringMatching(/shop GID/)] } });
    expect(unknown).toMatchObject({ status: "accepted", state: "received" });
    expect(await env.db.shop.count({ where: { shopId: "not-a-shop" } })).toBe(0);

    expect(await settledLookup("987654321")).toBe("not_found");
    await discovery.lookUpPendingShops("test-worker", { connectionId: env.shopifyConnectionId }); // nothing left: a no-op
    expect(await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "nobody-1" } })).toMatchObject({
      state: "queued",
      predictedCode: "SHOP_UNKNOWN",
    });
    await deliverAll();
    expect(await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "nobody-1" } })).toMatchObject({
      state: "failed",
      platformVerdict: "failed",
      platformCode: "NOT_INSTALLED",
      verdictSource: "platform_response",
    });
  });
});

describe("after an uninstall", () => {
  it("predicts billable inside the 24 hours and PERIOD_CLOSED after them, from the uninstall discovery found", async () => {
    await post("/_sandbox/shopify/shops/1002003004/uninstall");
    await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId });
    const gone = (await shop("1002003004"))!;
    expect(gone.installState).toBe("uninstalled");
    const uninstalledAt = gone.uninstalledAt!.getTime();
    const at = (hours: number, key: string) =>
      ingestEvents(
        [
          {
            platform: "shopify",
            connection_id: env.shopifyConnectionId,
            shop_id: "1002003004",
            event_handle: "sms_sent",
            timestamp: new Date(uninstalledAt - 60_000).toISOString(),
            idempotency_key: key,
            attributes: { value: 1 },
          },
        ],
        { source: "api", now: new Date(uninstalledAt + hours * 3_600_000) },
      );
    expect((await at(1, "grace-1"))[0]).toMatchObject({ status: "accepted", predicted: { verdict: "billable" } });
    expect((await at(25, "grace-25"))[0]).toMatchObject({ status: "held", predicted: { verdict: "failed", code: "PERIOD_CLOSED" } });
  });
});

describe("a disabled connection", () => {
  it("does not poll while disabled, keeps its cursor, and after enable goes on from it: nothing lost, nothing twice", async () => {
    const { createShopifyPartnerClient } = await import("../../platforms/shopify/client");
    const { decryptSecret } = await import("../../crypto");
    const { setConnectionEnabled } = await import("../connections/lifecycle");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const afters: (string | null | undefined)[] = [];
    const partnerFor: import("./shopify").PartnerFor = (c) => {
      const p = createShopifyPartnerClient({ url: c.partnerApiUrl!, accessToken: decryptSecret(c.partnerApiTokenEnc!), timeoutMs: 10_000 });
      return { ...p, events: (q) => (afters.push(q.after), p.events(q)) };
    };
    // 300 merchants install and subscribe while the poll is on its way: two events each, three pages.
    await post("/_sandbox/shopify/shops/generate", {
      count: 300,
      firstId: "6300000000",
      installedAt: "-5m",
      spreadSeconds: 60,
      plan: "sms-pro",
      domainPrefix: "paused-shop",
    });
    const first = await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId, maxPages: 1, partnerFor });
    expect(first).toMatchObject({ pages: 1, errors: 0 });
    const stopped = await connection();
    const cursor = (stopped.discoveryScan as { after: string | null }).after;
    expect(cursor).toEqual(expect.any(String));

    await setConnectionEnabled({ id: admin.id, email: admin.email }, env.shopifyConnectionId, false);
    const shopsBefore = await env.db.shop.count({ where: { connectionId: env.shopifyConnectionId } });
    const eventsBefore = await partnerEventCount();
    afters.length = 0;
    // Neither a round over every connection nor one for this connection asks the Partner API anything.
    expect(await discovery.discoverShops("worker-a", { partnerFor })).toMatchObject({ connections: 0, pages: 0 });
    expect(await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId, partnerFor })).toMatchObject({ connections: 0, pages: 0 });
    // A new merchant's first event is still taken in, and waits: no lookup while disabled.
    const [held] = await ingestEvents(
      [
        {
          platform: "shopify",
          connection_id: env.shopifyConnectionId,
          shop_id: "gid://shopify/Shop/6300000999",
          event_handle: "sms_sent",
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          idempotency_key: "while-disabled-1",
          attributes: { value: 2 },
        },
      ],
      { source: "api" },
    );
    expect(held).toMatchObject({ status: "accepted", state: "received" });
    expect(await discovery.lookUpPendingShops("worker-a", { connectionId: env.shopifyConnectionId, partnerFor })).toBe(0);
    expect(afters).toEqual([]);
    expect(await shop("6300000999")).toMatchObject({ lookupState: "pending" });
    expect((await connection()).discoveryScan).toEqual(stopped.discoveryScan);
    expect(await env.db.shop.count({ where: { connectionId: env.shopifyConnectionId } })).toBe(shopsBefore + 1);
    expect(await partnerEventCount()).toBe(eventsBefore);

    await setConnectionEnabled({ id: admin.id, email: admin.email }, env.shopifyConnectionId, true);
    const resumed = await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId, partnerFor });
    expect(resumed.errors).toBe(0);
    expect(afters[0]).toBe(cursor); // from the kept cursor, not from the start
    expect(await env.db.shop.count({ where: { connectionId: env.shopifyConnectionId, shopId: { startsWith: "630000" }, lookupState: null } })).toBe(300);
    expect(await partnerEventCount()).toBe((await sandboxEventIds()).length);
    expect((await connection()).discoveryScan).toBeNull();
    // The waiting shop is looked up now (Shopify does not know it): its event moves on once.
    await discovery.lookUpPendingShops("worker-a", { connectionId: env.shopifyConnectionId });
    expect(await shop("6300000999")).toMatchObject({ lookupState: "not_found" });
    expect(await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "while-disabled-1" } })).toMatchObject({
      state: "queued",
      predictedCode: "SHOP_UNKNOWN",
    });
  });
});

describe("a discovered shop's cycle, with no sandbox import", () => {
  it("comes from its subscription events (or activeSubscription when they are older than the window) and moves on when it ends", async () => {
    const { usageFor } = await import("../ingest/usage-api");
    const DAY = 86_400_000;
    // Subscribed 45 days ago (second cycle now), and 400 days ago (outside the 365-day window).
    await post("/_sandbox/shopify/shops", {
      id: "6400000001",
      domain: "cycle-two.myshopify.com",
      installs: [{ app: "sandbox-sms-blaster", installedAt: "-45d", subscription: { plan: "sms-pro", startedAt: "-45d" } }],
    });
    await post("/_sandbox/shopify/shops", {
      id: "6400000002",
      domain: "old-timer.myshopify.com",
      installs: [{ app: "sandbox-sms-blaster", installedAt: "-400d", subscription: { plan: "sms-pro", startedAt: "-400d" } }],
    });
    // A fresh backfill (as when the connection is first connected).
    await env.db.connection.update({
      where: { id: env.shopifyConnectionId },
      data: { discoveryScan: undefined, discoveryWatermark: null, discoveryBackfilledAt: null, discoveryNextAt: null },
    });
    await env.db.$executeRaw`UPDATE connections SET discovery_scan = NULL WHERE id = ${env.shopifyConnectionId}::uuid`;
    expect((await discovery.discoverShops("worker-a", { connectionId: env.shopifyConnectionId })).errors).toBe(0);

    const two = (await shop("6400000001"))!;
    const started = two.subscriptionStartedAt!.getTime();
    expect(Math.abs(started - (Date.now() - 45 * DAY))).toBeLessThan(120_000);
    expect([two.cycleStart!.getTime(), two.cycleEnd!.getTime()]).toEqual([started + 30 * DAY, started + 60 * DAY]);
    const old = (await shop("6400000002"))!;
    expect(old).toMatchObject({ installState: "installed", planHandle: "sms-pro" });
    expect(old.cycleStart!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(old.cycleEnd!.getTime()).toBeGreaterThan(Date.now());

    // Usage for the discovered shop counts in its cycle, and the usage API answers for it.
    const [r] = await ingestEvents(
      [
        {
          platform: "shopify",
          connection_id: env.shopifyConnectionId,
          shop_id: "gid://shopify/Shop/6400000001",
          event_handle: "sms_sent",
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          idempotency_key: "cycle-two-1",
          attributes: { value: 140 },
        },
      ],
      { source: "api" },
    );
    expect(r).toMatchObject({ status: "accepted", state: "queued" });
    const usage = (await usageFor({ connectionId: env.shopifyConnectionId, shopId: "6400000001" })) as {
      cycle: { start: string; end: string };
      meters: { handle: string; units: string; pending_units: string }[];
    };
    expect(usage.cycle).toEqual({ start: two.cycleStart!.toISOString(), end: two.cycleEnd!.toISOString() });
    expect(usage.meters.find((m) => m.handle === "sms_sent")).toMatchObject({ pending_units: "140" });

    // 20 days on, the cycle has ended: the next round moves it on by 30 days, with no platform call.
    const later = new Date(Date.now() + 20 * DAY);
    expect(await discovery.rollCyclesForward(env.shopifyConnectionId, later)).toBeGreaterThan(0);
    const rolled = (await shop("6400000001"))!;
    expect([rolled.cycleStart!.getTime(), rolled.cycleEnd!.getTime()]).toEqual([started + 60 * DAY, started + 90 * DAY]);
    const next = (await usageFor({ connectionId: env.shopifyConnectionId, shopId: "6400000001" }, later)) as { cycle: { start: string } | null };
    expect(next.cycle?.start).toBe(rolled.cycleStart!.toISOString());
  });
});
