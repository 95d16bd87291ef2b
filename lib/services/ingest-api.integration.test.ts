import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

/** The ingest API's route handler, called with real Request objects against a real ledger. */
let env: LedgerEnv;
let POST: (req: Request) => Promise<Response>;
let key: string;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ POST } = await import("../../app/api/v1/events/route"));
  const { newApiKey } = await import("../crypto");
  const k = newApiKey();
  const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
  await env.db.ingestApiKey.create({ data: { name: "fuzz", prefix: k.prefix, hash: k.hash, createdById: admin.id } });
  key = k.key;
});
afterAll(async () => env?.close());

const call = (body: string, auth = `Bearer ${key}`) =>
  POST(new Request("http://app.test/api/v1/events", { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body }));

const valid = () => ({
  platform: "shopify", connection_id: env.shopifyConnectionId, shop_id: "23423423", event_handle: "sms_sent",
  timestamp: new Date(Date.now() - 60_000).toISOString(), attributes: { value: 1 },
});

describe("POST /api/v1/events", () => {
  it("needs a valid, unrevoked key", async () => {
    expect((await call("{}", "")).status).toBe(401);
    expect((await call("{}", "Bearer pbk_wrong")).status).toBe(401);
  });

  it("refuses a malformed batch whole: nothing written", async () => {
    const before = await env.db.billingEvent.count();
    for (const [body, status] of [["not json", 400], ["[]", 400], ["42", 400], ['{"events": 3}', 400], [JSON.stringify(Array.from({ length: 1001 }, valid)), 413]] as const) {
      const res = await call(body);
      expect(res.status, body.slice(0, 30)).toBe(status);
      expect((await res.json()).error).toEqual(expect.any(String));
    }
    expect(await env.db.billingEvent.count()).toBe(before);
  });

  it("answers a mixed batch event by event", async () => {
    const wix = { platform: "wix", connection_id: env.wixConnectionId, instance_id: "7dd21ebc-a097-43ac-8763-2806daee84a1", idempotency_key: "api-wix-1", event: { grossRevenue: "10.00", wixShare: "2.00", billingType: "CHARGE" } };
    const res = await call(JSON.stringify({ events: [{ ...valid(), idempotency_key: "api-1" }, { ...valid(), idempotency_key: "api-1" }, wix, { ...valid(), shop_id: "nope" }] }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.summary).toEqual({ accepted: 2, held: 0, duplicate: 1, rejected: 1 });
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "duplicate", "accepted", "rejected"]);
    expect(body.results[3].errors.shop_id[0]).toMatch(/GID|numeric/);
    expect(body.results[0].predicted).toMatchObject({ verdict: "billable", code: null });
  });

  it("never answers 5xx, never writes a refused event, and always names the field (fuzzed)", async () => {
    const field = fc.constantFrom("platform", "connection_id", "shop_id", "event_handle", "timestamp", "idempotency_key", "attributes", "send_anyway", "instance_id", "event", "type");
    const junk = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.object({ maxDepth: 2 }), fc.string({ minLength: 65, maxLength: 80 }));
    const mutated = fc.tuple(field, junk, fc.boolean()).map(([f, v, drop]) => {
      const e: Record<string, unknown> = { ...valid(), idempotency_key: undefined };
      if (drop) delete e[f];
      else e[f] = v;
      return e;
    });
    const event = fc.oneof(mutated, fc.anything({ maxDepth: 2 }));
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 8 }), async (events) => {
        const before = await env.db.billingEvent.count();
        const res = await call(JSON.stringify({ events }));
        expect(res.status).toBeLessThan(500);
        if (res.status !== 200) return;
        const body = await res.json();
        let written = 0;
        for (const r of body.results) {
          if (r.status === "rejected") expect(Object.keys(r.errors).length).toBeGreaterThan(0);
          if (r.status === "accepted" || r.status === "held") written += 1;
        }
        expect(await env.db.billingEvent.count()).toBe(before + written);
      }),
      { numRuns: 1000 },
    );
  }, 120_000);
});
