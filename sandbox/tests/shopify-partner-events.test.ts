// Contract tests for the Partner API `events` query (docs/platforms/shopify.md §2.6): the history the sandbox
// generates from its own state changes, the documented filters, window, ordering and cursors.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SHOPIFY_APP, SHOPS, startTestSandbox, TEST_NOW, type Body, type TestSandbox } from "./helpers";

let sbx: TestSandbox;
beforeAll(async () => {
  sbx = await startTestSandbox();
});
afterAll(() => sbx.close());
beforeEach(async () => {
  await sbx.api.reset();
});

const EVENTS_QUERY = /* GraphQL */ `
  query Events($filter: EventFilterInput, $first: Int, $after: String, $last: Int, $before: String, $orderBy: EventOrder) {
    events(filter: $filter, first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
      edges {
        cursor
        node {
          __typename
          id
          eventType
          occurredAt
          shop {
            id
            myshopifyDomain
          }
          subject {
            ... on App {
              id
            }
          }
          ... on Relationship {
            state
          }
          ... on SubscriptionStatus {
            subscriptionState: state
            cancelEffectiveOn
            plan {
              handle
              billingPeriod
              prices {
                currencyCode
                ... on FlatRatePlanPrice {
                  amount
                }
              }
            }
          }
          ... on Charge {
            chargeId
            chargeType
            amount {
              amount
              currencyCode
            }
            usageQuantity
            planHandle
            description
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

const DAY = 86_400_000;
const daysFromNow = (d: number) => new Date(Date.parse(TEST_NOW) + d * DAY).toISOString();
const APP_GID = SHOPIFY_APP.gid;

async function events(vars: Record<string, unknown>, version = "2026-07"): Promise<Body> {
  const res = await sbx.api.partnerQuery(EVENTS_QUERY, vars, version);
  expect(res.status).toBe(200);
  return res.body;
}
async function page(vars: Record<string, unknown>) {
  const body = await events(vars);
  expect(body.errors).toBeUndefined();
  return body.data.events as { edges: { cursor: string; node: Body }[]; pageInfo: Body };
}
const nodes = async (vars: Record<string, unknown>) => (await page(vars)).edges.map((e) => e.node);
const forShop = (shopId: string, extra: Record<string, unknown> = {}) => ({ shopId: `gid://shopify/Shop/${shopId}`, subjectId: APP_GID, ...extra });

describe("docs/platforms/shopify.md §2.6 Partner API events: the history", () => {
  it("starts from the fixture: each install, subscription and uninstall, with shop, app and plan", async () => {
    const gone = await nodes({
      first: 50,
      orderBy: "OCCURRED_AT_ASC",
      filter: forShop(SHOPS.uninstalled, { occurredAtMin: daysFromNow(-90), occurredAtMax: daysFromNow(0) }),
    });
    expect(gone.map((n) => [n.eventType, n.occurredAt])).toEqual([
      ["RELATIONSHIP_INSTALLED", daysFromNow(-60)],
      ["SUBSCRIPTION_CREATED", daysFromNow(-25)],
      ["CHARGE_RECURRING", daysFromNow(-25)],
      ["SUBSCRIPTION_CANCELED", daysFromNow(-3)],
      ["RELATIONSHIP_UNINSTALLED", daysFromNow(-3)],
    ]);
    expect(gone[0]).toMatchObject({
      __typename: "Relationship",
      state: "INSTALLED",
      shop: { id: "gid://shopify/Shop/1002003008", myshopifyDomain: "gone-gardens.myshopify.com" },
      subject: { id: APP_GID },
    });
    expect(gone[1]).toMatchObject({
      __typename: "SubscriptionStatus",
      subscriptionState: "CREATED",
      plan: {
        handle: "sms-pro",
        billingPeriod: "EVERY_30_DAYS",
        prices: [{ currencyCode: "USD", amount: "9.99" }, { currencyCode: "USD" }, { currencyCode: "USD" }],
      },
    }); // the fee, then sms_sent and mms_sent
    expect(gone[2]).toMatchObject({
      __typename: "Charge",
      chargeType: "RECURRING",
      amount: { amount: "9.99", currencyCode: "USD" },
      planHandle: "sms-pro",
      usageQuantity: null,
    });
    expect(gone[3]).toMatchObject({ subscriptionState: "CANCELED", cancelEffectiveOn: daysFromNow(-3).slice(0, 10) });
    expect(gone[4]).toMatchObject({ __typename: "Relationship", state: "UNINSTALLED" });
  });

  it("posts each site-owner action as it happens: install, subscribe, plan change, freeze, cancel, uninstall, reinstall", async () => {
    const added = await sbx.api.post("/_sandbox/shopify/shops", { id: "777000111", domain: "fresh-merchant.myshopify.com" });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: "777000111", installed: false });
    const act = async (action: string, body: unknown = {}) => expect((await sbx.api.shopAction("777000111", action, body)).status).toBe(200);
    await act("install");
    await act("subscribe", { plan: "basic" });
    await act("subscribe", { plan: "sms-pro" });
    await act("freeze");
    await act("unfreeze");
    await act("cancel", { atEndOfCycle: true });
    await act("deactivate");
    await act("reactivate");
    await act("uninstall");
    await act("reinstall");
    const got = await nodes({ first: 50, orderBy: "OCCURRED_AT_ASC", filter: forShop("777000111") });
    expect(got.map((n) => `${n.eventType}${n.plan ? `:${n.plan.handle}` : ""}`)).toEqual([
      "RELATIONSHIP_INSTALLED",
      "SUBSCRIPTION_CREATED:basic",
      "CHARGE_RECURRING",
      "SUBSCRIPTION_UPDATED:sms-pro",
      "CHARGE_RECURRING",
      "SUBSCRIPTION_FROZEN:sms-pro",
      "SUBSCRIPTION_UNFROZEN:sms-pro",
      "SUBSCRIPTION_CANCELLATION_SCHEDULED:sms-pro",
      "RELATIONSHIP_DEACTIVATED",
      "RELATIONSHIP_REACTIVATED",
      "SUBSCRIPTION_CANCELED:sms-pro",
      "RELATIONSHIP_UNINSTALLED",
      "RELATIONSHIP_INSTALLED",
    ]);
    expect(got[7].cancelEffectiveOn).toBe(daysFromNow(30).slice(0, 10));
    expect(got.map((n) => n.state).filter(Boolean)).toContain("DEACTIVATED");
  });

  it("charges usage as CHARGE_USAGE when a cycle ends: the meter's quantity and its price, once", async () => {
    const token = await sbx.api.shopifyToken();
    // Sunrise Texts: sms-pro since 12 days (100 SMS included, then $0.01); 250 SMS → $1.50.
    const res = await sbx.api.sendEvent(token, {
      shop_id: SHOPS.pro,
      event_handle: "sms_sent",
      timestamp: TEST_NOW,
      idempotency_key: "usage-250",
      attributes: { value: 250 },
    });
    expect(res.status).toBe(202);
    const usage = () =>
      nodes({ first: 50, filter: forShop(SHOPS.pro, { eventTypes: ["CHARGE_USAGE"], occurredAtMin: daysFromNow(-30), occurredAtMax: daysFromNow(60) }) });
    expect(await usage()).toEqual([]);
    await sbx.api.advance(19 * 86_400); // the cycle ends 18 days after TEST_NOW
    const charged = await usage();
    expect(charged).toHaveLength(1);
    expect(charged[0]).toMatchObject({
      __typename: "Charge",
      chargeType: "USAGE",
      amount: { amount: "1.50", currencyCode: "USD" },
      usageQuantity: "250",
      planHandle: "sms-pro",
      description: "SMS messages sent (sms_sent)",
      occurredAt: daysFromNow(18),
    });
    await sbx.api.advance(60);
    expect(await usage()).toHaveLength(1);
    // The next cycle's recurring charge is there too, at its start.
    const recurring = await nodes({
      first: 10,
      filter: forShop(SHOPS.pro, { eventTypes: ["CHARGE_RECURRING"], occurredAtMin: daysFromNow(-30), occurredAtMax: daysFromNow(19) }),
    });
    expect(recurring.map((n) => n.occurredAt)).toEqual([daysFromNow(18), daysFromNow(-12)]);
    expect(new Set(recurring.map((n) => n.chargeId)).size).toBe(2);
  });

  it("keeps event and charge ids across a reset (the same facts, the same ids)", async () => {
    const ids = async () => (await nodes({ first: 250, filter: { occurredAtMin: daysFromNow(-90), occurredAtMax: daysFromNow(0) } })).map((n) => n.id);
    const before = await ids();
    expect(before.length).toBeGreaterThan(10);
    await sbx.api.reset();
    expect(await ids()).toEqual(before);
  });
});

describe("docs/platforms/shopify.md §2.6 Partner API events: filters, window, order, pages", () => {
  it("is newest first by default, oldest first with OCCURRED_AT_ASC, and covers the last 30 days without dates", async () => {
    const desc = await nodes({ first: 250 });
    const times = desc.map((n) => Date.parse(n.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(daysFromNow(-30)));
    // The dev store got SMS Blaster 45 days ago (outside the default window), SMS Blaster Classic 30 days ago (its first day).
    const devInstalls = desc.filter((n) => n.shop?.id === `gid://shopify/Shop/${SHOPS.dev}` && n.eventType === "RELATIONSHIP_INSTALLED");
    expect(devInstalls.map((n) => n.subject.id)).toEqual(["gid://shopify/App/1003"]);
    const asc = await nodes({ first: 250, orderBy: "OCCURRED_AT_ASC" });
    expect(asc.map((n) => n.id)).toEqual(desc.map((n) => n.id).reverse());
  });

  it("applies occurredAtMin alone as 30 days on, occurredAtMax alone as 30 days back, and refuses more than 365 days", async () => {
    const minOnly = await nodes({ first: 250, orderBy: "OCCURRED_AT_ASC", filter: { occurredAtMin: daysFromNow(-61) } });
    expect(minOnly.map((n) => n.occurredAt)).toContain(daysFromNow(-60));
    expect(minOnly.every((n) => Date.parse(n.occurredAt) <= Date.parse(daysFromNow(-31)))).toBe(true);
    const maxOnly = await nodes({ first: 250, filter: { occurredAtMax: daysFromNow(-44) } });
    expect(maxOnly.map((n) => n.eventType)).toEqual(["RELATIONSHIP_INSTALLED", "RELATIONSHIP_INSTALLED"]); // the dev store (-45 d) and gone-gardens (-60 d)
    const wide = await events({ first: 10, filter: { occurredAtMin: daysFromNow(-366), occurredAtMax: daysFromNow(0) } });
    expect(wide.data.events).toBeNull();
    expect(wide.errors[0].message).toMatch(/365 days/);
    expect((await page({ first: 10, filter: { occurredAtMin: daysFromNow(-365), occurredAtMax: daysFromNow(0) } })).edges.length).toBe(10);
  });

  it("filters by event types, by shop (which needs subjectId) and by subject", async () => {
    const window = { occurredAtMin: daysFromNow(-90), occurredAtMax: daysFromNow(0) };
    const installs = await nodes({ first: 250, filter: { ...window, eventTypes: ["RELATIONSHIP_INSTALLED", "RELATIONSHIP_UNINSTALLED"] } });
    expect(new Set(installs.map((n) => n.eventType))).toEqual(new Set(["RELATIONSHIP_INSTALLED", "RELATIONSHIP_UNINSTALLED"]));
    expect(installs.filter((n) => n.eventType === "RELATIONSHIP_INSTALLED")).toHaveLength(9); // both apps of the organization
    const oneApp = await nodes({ first: 250, filter: { ...window, subjectId: APP_GID, eventTypes: ["RELATIONSHIP_INSTALLED"] } });
    expect(oneApp).toHaveLength(7);
    const noSubject = await events({ first: 10, filter: { shopId: `gid://shopify/Shop/${SHOPS.dev}` } });
    expect(noSubject.errors[0].message).toMatch(/subjectId is required/);
    const dev = await nodes({ first: 250, filter: forShop(SHOPS.dev, window) });
    expect(dev.length).toBeGreaterThan(0);
    expect(dev.every((n) => n.shop.id === `gid://shopify/Shop/${SHOPS.dev}`)).toBe(true);
    // Development stores are never charged.
    expect(dev.some((n) => n.__typename === "Charge")).toBe(false);
    const otherApp = await events({ first: 10, filter: { subjectId: "gid://shopify/App/999999" } });
    expect(otherApp.errors[0].message).toMatch(/not found/);
    expect(await nodes({ first: 10, filter: { ...window, subjectType: "THEME" } })).toEqual([]);
  });

  it("pages through 600 new shops 250 at a time by cursor, with no gap or repeat, and refuses pages over 250", async () => {
    const gen = await sbx.api.post("/_sandbox/shopify/shops/generate", { count: 600, installedAt: "-2h", spreadSeconds: 3600 });
    expect(gen.status).toBe(201);
    expect(gen.body).toEqual({ created: 600, firstId: "5000000000", lastId: "5000000599" });
    const filter = { eventTypes: ["RELATIONSHIP_INSTALLED"], occurredAtMin: daysFromNow(-0.2) };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const p = await page({ first: 250, after, filter, orderBy: "OCCURRED_AT_ASC" });
      pages += 1;
      seen.push(...p.edges.map((e) => e.node.shop.id));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(600);
    expect(new Set(seen).size).toBe(600);
    expect(seen[0]).toBe("gid://shopify/Shop/5000000000");
    // last/before walk back from the end.
    const tail = await page({ last: 5, filter, orderBy: "OCCURRED_AT_ASC" });
    expect(tail.edges.map((e) => e.node.shop.id)).toEqual(seen.slice(-5));
    const before = await page({ last: 2, before: tail.pageInfo.startCursor, filter, orderBy: "OCCURRED_AT_ASC" });
    expect(before.edges.map((e) => e.node.shop.id)).toEqual(seen.slice(-7, -5));

    const tooBig = await events({ first: 251 });
    expect(tooBig.errors[0].message).toMatch(/maximum page size is 250/);
    expect((await events({})).errors[0].message).toMatch(/first' or 'last/);
    expect((await events({ first: 5, after: "not-a-cursor" })).errors[0].message).toMatch(/Invalid cursor/);
  });

  it("exists from 2026-07 (and unstable) only, and needs the partner token", async () => {
    expect((await events({ first: 1 }, "unstable")).data.events.edges).toHaveLength(1);
    const old = await events({ first: 1 }, "2026-04");
    expect(old.errors[0].message).toMatch(/Cannot query field "events"|Unknown type "EventFilterInput"/);
    expect((await sbx.api.partnerQuery(EVENTS_QUERY, { first: 1 }, "2026-07", "wrong")).status).toBe(401);
  });

  it("adds shops without replacing the fixture, and refuses a shop that exists or is malformed", async () => {
    const dup = await sbx.api.post("/_sandbox/shopify/shops", { id: SHOPS.dev, domain: "other.myshopify.com" });
    expect(dup.status).toBe(409);
    const bad = await sbx.api.post("/_sandbox/shopify/shops", { id: "abc", domain: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.join(" ")).toMatch(/numeric/);
    const withInstall = await sbx.api.post("/_sandbox/shopify/shops", {
      id: "888000222",
      domain: "prepaid-posters.myshopify.com",
      installs: [{ app: SHOPIFY_APP.clientId, installedAt: "-2d", subscription: { plan: "sms-pro", startedAt: "-2d" } }],
    });
    expect(withInstall.status).toBe(201);
    expect(withInstall.body).toMatchObject({ installed: true, subscription: { planHandle: "sms-pro" } });
    const shops = (await sbx.api.get(`/_sandbox/shopify/apps/${SHOPIFY_APP.clientId}/shops`)).body.shops;
    expect(shops).toHaveLength(9);
    const hist = await nodes({ first: 10, orderBy: "OCCURRED_AT_ASC", filter: forShop("888000222") });
    expect(hist.map((n) => n.eventType)).toEqual(["RELATIONSHIP_INSTALLED", "SUBSCRIPTION_CREATED", "CHARGE_RECURRING"]);
  });
});
