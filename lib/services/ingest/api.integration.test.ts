import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngestApi, type LedgerEnv } from "../../testing/ledger-env";

/** The ingest API's route handler, called with real Request objects against a real ledger. */
let env: LedgerEnv;
let POST: (req: Request) => Promise<Response>;
let key: string;

beforeAll(async () => void ({ env, POST, key } = await startIngestApi("fuzz")));
afterAll(async () => env?.close());

const call = (body: string, auth = `Bearer ${key}`) =>
  POST(new Request("http://app.test/api/v1/events", { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body }));

const valid = () => ({
  platform: "shopify",
  connection_id: env.shopifyConnectionId,
  shop_id: "23423423",
  event_handle: "sms_sent",
  timestamp: new Date(Date.now() - 60_000).toISOString(),
  attributes: { value: 1 },
});

describe("POST /api/v1/events", () => {
  it("needs a valid, unrevoked key", async () => {
    expect((await call("{}", "")).status).toBe(401);
    expect((await call("{}", "Bearer pbk_wrong")).status).toBe(401);
  });

  it("refuses a malformed batch whole: nothing written", async () => {
    const before = await env.db.billingEvent.count();
    for (const [body, status] of [
      ["not json", 400],
      ["[]", 400],
      ["42", 400],
      ['{"events": 3}', 400],
      [JSON.stringify(Array.from({ length: 1001 }, valid)), 413],
    ] as const) {
      const res = await call(body);
      expect(res.status, body.slice(0, 30)).toBe(status);
      expect((await res.json()).error).toEqual(expect.any(String));
    }
    expect(await env.db.billingEvent.count()).toBe(before);
  });

  it("answers a mixed batch event by event", async () => {
    const wix = {
      platform: "wix",
      connection_id: env.wixConnectionId,
      instance_id: "7dd21ebc-a097-43ac-8763-2806daee84a1",
      idempotency_key: "api-wix-1",
      event: { grossRevenue: "10.00", wixShare: "2.00", billingType: "CHARGE" },
    };
    const one = { ...valid(), idempotency_key: "api-1" };
    const res = await call(JSON.stringify({ events: [one, { ...one }, wix, { ...valid(), shop_id: "nope" }] }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.summary).toEqual({ accepted: 2, held: 0, duplicate: 1, conflict: 0, rejected: 1 });
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "duplicate", "accepted", "rejected"]);
    expect(body.results[3].errors.shop_id[0]).toMatch(/GID|numeric/);
    expect(body.results[0].predicted).toMatchObject({ verdict: "billable", code: null });
  });

  it("refuses what Shopify refuses whatever happens at the field, stores the rest of the batch", async () => {
    const before = await env.db.billingEvent.count();
    const res = await call(
      JSON.stringify({
        events: [
          { ...valid(), idempotency_key: "api-certain-ok" },
          { ...valid(), idempotency_key: "api-certain-neg", attributes: { value: -5 } },
          { ...valid(), idempotency_key: "api-certain-none", attributes: {} },
          { ...valid(), idempotency_key: "api-certain-future", timestamp: new Date(Date.now() + 3_600_000).toISOString() },
          { ...valid(), idempotency_key: "x".repeat(65) },
        ],
      }),
    );
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.results.map((r: { status: string; errors?: object }) => (r.errors ? Object.keys(r.errors) : r.status))).toEqual([
      "accepted",
      ["attributes.value"],
      ["attributes.value"],
      ["timestamp"],
      ["idempotency_key"],
    ]);
    expect(await env.db.billingEvent.count()).toBe(before + 1);
  });

  it("stores the good event of a batch and refuses each bad one at its field: nothing of them written", async () => {
    const wixInstance = "7dd21ebc-a097-43ac-8763-2806daee84a1";
    const usage = (extra: Record<string, unknown>) => ({
      platform: "wix",
      type: "usage",
      connection_id: env.wixConnectionId,
      instance_id: wixInstance,
      kind: "sms",
      quantity: "1",
      timestamp: new Date().toISOString(),
      ...extra,
    });
    const billing = (event: Record<string, unknown>) => ({
      platform: "wix",
      connection_id: env.wixConnectionId,
      instance_id: wixInstance,
      idempotency_key: `api-kinds-w-${Object.keys(event).join("")}`,
      event: { grossRevenue: "1", wixShare: "0.2", billingType: "CHARGE", ...event },
    });
    let nested: unknown = 1;
    for (let i = 0; i < 40; i++) nested = { n: nested };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid(), idempotency_key: "api-kinds-nul", event_handle: "sms\u0000sent" }, "event_handle"],
      [{ ...valid(), idempotency_key: "api-kinds-lone", attributes: { value: 1, note: "a\ud800b" } }, "attributes.note"],
      [{ ...valid(), idempotency_key: "api-kinds-key-nul", attributes: { value: 1, ["k\u0000"]: "x" } }, "attributes.k\u0000"],
      [{ ...valid(), idempotency_key: "api-kinds-y0", timestamp: "0000-06-01T00:00:00Z" }, "timestamp"],
      [{ ...valid(), idempotency_key: "api-kinds-y1969", timestamp: "1969-12-31T23:59:59Z" }, "timestamp"],
      [{ ...valid(), idempotency_key: "api-kinds-y10000", timestamp: "10000-01-01T00:00:00Z" }, "timestamp"],
      [{ ...valid(), idempotency_key: "api-kinds-feb30", timestamp: "2026-02-30T00:00:00Z" }, "timestamp"],
      [{ ...valid(), idempotency_key: "api-kinds-big", attributes: { value: 1e15 } }, "attributes.value"],
      [{ ...valid(), idempotency_key: "api-kinds-fine", attributes: { value: 1e-11 } }, "attributes.value"],
      [{ ...valid(), idempotency_key: "api-kinds-shop", shop_id: "9".repeat(5000) }, "shop_id"],
      [{ ...valid(), idempotency_key: "api-kinds-deep", attributes: { value: 1, deep: nested } }, "attributes.deep.n.n.n.n.n.n.n.n.n.n.n.n.n.n"],
      [usage({ idempotency_key: "api-kinds-inst", instance_id: "x".repeat(5000) }), "instance_id"],
      [usage({ idempotency_key: "api-kinds-qty", quantity: "123456789012345678" }), "quantity"],
      [usage({ idempotency_key: "api-kinds-qty-dp", quantity: "1.12345678901" }), "quantity"],
      [usage({ idempotency_key: "api-kinds-ts", timestamp: "0000-01-01T00:00:00Z" }), "timestamp"],
      [usage({ idempotency_key: "api-kinds-kind", kind: "s\u0000" }), "kind"],
      [billing({ grossRevenue: "1".repeat(15) }), "event.grossRevenue"],
      [billing({ createdDate: "0000-01-01T00:00:00Z" }), "event.createdDate"],
    ];
    const before = await env.db.billingEvent.count();
    const res = await call(JSON.stringify({ events: [{ ...valid(), idempotency_key: "api-kinds-good" }, ...cases.map((c) => c[0])] }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.results[0].status).toBe("accepted");
    const refused = body.results.slice(1).map((r: { status: string; errors?: Record<string, string[]> }) => [r.status, Object.keys(r.errors ?? {})]);
    expect(refused).toEqual(cases.map((c) => ["rejected", [c[1]]]));
    for (const r of body.results.slice(1)) expect(Object.values(r.errors).flat().join(" ")).toMatch(/\w{4,}/);
    expect(await env.db.billingEvent.count()).toBe(before + 1);
  });

  it("answers 413 before reading a body over the limit, and 503 with Retry-After only when the ledger is unreachable", async () => {
    const huge = "x".repeat(5 * 1024 * 1024 + 1);
    const declared = await call(huge);
    expect(declared.status).toBe(413);
    expect((await declared.json()).error).toMatch(/larger than 5 MB/);
    // No Content-Length (chunked): counted while it streams, cut off at the limit.
    const chunk = new TextEncoder().encode("y".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 8) c.enqueue(chunk);
        else c.close();
      },
    });
    const streamed = await POST(
      new Request("http://app.test/api/v1/events", {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(8);
    // Unauthenticated: refused on the header alone.
    expect((await call(huge, "Bearer nope")).status).toBe(401);
  });

  it("never answers 5xx, never writes a refused event, and always names the field (fuzzed)", async () => {
    const field = fc.constantFrom(
      "platform",
      "connection_id",
      "shop_id",
      "event_handle",
      "timestamp",
      "idempotency_key",
      "attributes",
      "send_anyway",
      "instance_id",
      "event",
      "type",
    );
    const junk = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.object({ maxDepth: 2 }),
      fc.string({ minLength: 65, maxLength: 80 }),
    );
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
