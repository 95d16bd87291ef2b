import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

/** GET /api/v1/usage, called with real Requests against a real ledger (events ingested and delivered to the sandbox). */
let env: LedgerEnv;
let GET: (req: Request) => Promise<Response>;
let POST: (req: Request) => Promise<Response>;
const keys: Record<string, string> = {};

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ GET } = await import("../../../app/api/v1/usage/route"));
  ({ POST } = await import("../../../app/api/v1/events/route"));
  const { newApiKey } = await import("../../crypto");
  const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
  for (const [name, scopes] of [
    ["ingest", ["ingest"]],
    ["reader", ["read_usage"]],
  ] as const) {
    const k = newApiKey();
    await env.db.ingestApiKey.create({ data: { name, prefix: k.prefix, hash: k.hash, createdById: admin.id, scopes: [...scopes] } });
    keys[name] = k.key;
  }
});
afterAll(async () => env?.close());

const usage = (query: string, key = keys.reader) => GET(new Request(`http://app.test/api/v1/usage?${query}`, { headers: { authorization: `Bearer ${key}` } }));

describe("GET /api/v1/usage", () => {
  it("gives a shop's current cycle: units and amount per meter, the projection and its method", async () => {
    // Sunrise Texts is on sms-pro: $9.99, sms_sent 100 included then $0.01.
    const shop = await env.db.shop.findUniqueOrThrow({ where: { connectionId_shopId: { connectionId: env.shopifyConnectionId, shopId: "1002003004" } } });
    const at = new Date(Math.max(shop.cycleStart!.getTime(), Date.now() - 3_600_000) + 60_000).toISOString();
    const res = await POST(
      new Request("http://app.test/api/v1/events", {
        method: "POST",
        headers: { authorization: `Bearer ${keys.ingest}`, "content-type": "application/json" },
        body: JSON.stringify({
          events: [150, 100].map((value, i) => ({
            platform: "shopify",
            connection_id: env.shopifyConnectionId,
            shop_id: "1002003004",
            event_handle: "sms_sent",
            timestamp: at,
            idempotency_key: `usage-api-${i}`,
            attributes: { value },
          })),
        }),
      }),
    );
    expect((await res.json()).summary).toMatchObject({ accepted: 2 });
    // Accepted by the platform: the worker's delivery and the sandbox's verdicts.
    const { deliveryRound } = await import("../../worker/delivery");
    const { collectSandboxVerdicts } = await import("../delivery/verdicts");
    for (let i = 0; i < 5; i++) if (!(await deliveryRound("test")).claimed) break;
    await fetch(`${env.sandboxUrl}/_sandbox/shopify/verdicts/settle`, { method: "POST" });
    await collectSandboxVerdicts("test");

    const got = await usage(`connection_id=${env.shopifyConnectionId}&shop_id=gid://shopify/Shop/1002003004`);
    expect(got.status).toBe(200);
    const body = await got.json();
    expect(body).toMatchObject({
      platform: "shopify",
      shop_id: "gid://shopify/Shop/1002003004",
      domain: "sunrise-texts.myshopify.com",
      plan: "sms-pro",
      currency: "USD",
      cycle: { start: shop.cycleStart!.toISOString(), end: shop.cycleEnd!.toISOString() },
      monthly_fee: "9.99",
      capped_amount: null,
      amount_so_far: "11.49",
      projected: { method: expect.stringMatching(/linear/) },
    });
    expect(body.meters).toContainEqual({ handle: "sms_sent", units: "250", included_units: "100", billable_units: "150", amount: "1.50", pending_units: "0" });
    expect(Number(body.projected.amount)).toBeGreaterThanOrEqual(11.49);
  });

  it("gives a Wix instance's cycle with its charge limit and what is left", async () => {
    const res = await usage(`connection_id=${env.wixConnectionId}&instance_id=7dd21ebc-a097-43ac-8763-2806daee84a1`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ platform: "wix", site_name: "Acme Bakery", currency: "USD", charge_limit: "50.00", cycle: { start: expect.any(String) } });
    expect(new Number(body.remaining).valueOf()).toBe(50 - Number(body.amount_so_far));
  });

  it("needs the read_usage scope, exactly one subject, and a known shop; an ingest key cannot read", async () => {
    const q = `connection_id=${env.shopifyConnectionId}&shop_id=1002003004`;
    expect((await GET(new Request(`http://app.test/api/v1/usage?${q}`))).status).toBe(401);
    expect((await usage(q, keys.ingest)).status).toBe(403);
    const neither = await usage(`connection_id=${env.shopifyConnectionId}`);
    expect(neither.status).toBe(400);
    expect((await neither.json()).errors.shop_id).toEqual([expect.stringMatching(/exactly one/)]);
    expect((await (await usage("connection_id=nope&shop_id=1")).json()).errors.connection_id).toBeDefined();
    expect((await usage(`connection_id=${env.shopifyConnectionId}&shop_id=abc`)).status).toBe(400);
    expect((await usage(`connection_id=${env.shopifyConnectionId}&shop_id=424242`)).status).toBe(404);
    expect((await usage(`connection_id=${env.wixConnectionId}&shop_id=1002003004`)).status).toBe(404);
    // A reading key cannot send events.
    const send = await POST(new Request("http://app.test/api/v1/events", { method: "POST", headers: { authorization: `Bearer ${keys.reader}` }, body: "{}" }));
    expect(send.status).toBe(403);
  });
});
