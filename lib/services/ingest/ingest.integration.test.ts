import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
let ingestEvents: typeof import("./ingest").ingestEvents;
let deliveryRound: typeof import("../../worker/delivery").deliveryRound;
let collectSandboxVerdicts: typeof import("../delivery/verdicts").collectSandboxVerdicts;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ ingestEvents } = await import("./ingest"));
  ({ deliveryRound } = await import("../../worker/delivery"));
  ({ collectSandboxVerdicts } = await import("../delivery/verdicts"));
});
afterAll(async () => env?.close());

const now = () => new Date().toISOString();
const sms = (key: string, extra: Record<string, unknown> = {}) => ({
  platform: "shopify",
  connection_id: env.shopifyConnectionId,
  shop_id: "gid://shopify/Shop/23423423",
  event_handle: "sms_sent",
  timestamp: now(),
  idempotency_key: key,
  attributes: { value: 1 },
  ...extra,
});

async function drain() {
  for (let i = 0; i < 20; i++) {
    const s = await deliveryRound("test-worker");
    if (!s.claimed) break;
  }
  await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
  await collectSandboxVerdicts("test-worker");
}

describe("the ledger pipeline against the sandbox", () => {
  it("records, delivers and gets Shopify's verdict for a billing event, a batch of 5 and a wrong-case handle", async () => {
    const results = await ingestEvents([sms("it-sms-1"), sms("it-batch-5", { attributes: { value: 5 } }), sms("it-wrong-case", { event_handle: "SMS_SENT" })], {
      source: "api",
    });
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "held"]);
    const held = results[2]!;
    expect(held.status === "held" && held.predicted).toMatchObject({ verdict: "non_billable", hint: expect.stringContaining("sms_sent") });

    await drain();
    const events = await env.db.billingEvent.findMany({
      where: { idempotencyKey: { in: ["it-sms-1", "it-batch-5", "it-wrong-case"] } },
      include: { attempts: true },
    });
    const byKey = Object.fromEntries(events.map((e) => [e.idempotencyKey, e]));
    expect(byKey["it-sms-1"]).toMatchObject({ state: "accepted", platformVerdict: "billable", verdictSource: "sandbox_log" });
    expect(byKey["it-batch-5"]!.quantity!.toString()).toBe("5");
    expect(byKey["it-sms-1"]!.attempts).toHaveLength(1);
    expect(byKey["it-sms-1"]!.attempts[0]!.status).toBe(202);
    expect(byKey["it-wrong-case"]).toMatchObject({ state: "held", platformVerdict: null });
    expect(byKey["it-wrong-case"]!.attempts).toHaveLength(0);
  });

  it("returns the original result for a repeated key, forever, and never sends twice", async () => {
    const at = now();
    const first = await ingestEvents([sms("it-dup", { timestamp: at })], { source: "api" });
    await drain();
    // The same event, however spelt: the same instant in another notation, the shop as a number, attributes in another order.
    const again = await ingestEvents(
      [sms("it-dup", { timestamp: at.replace("Z", "+00:00") }), sms("it-dup", { timestamp: at, shop_id: "23423423", attributes: { value: 1 } })],
      { source: "ui" },
    );
    expect(again.map((r) => r.status)).toEqual(["duplicate", "duplicate"]);
    expect(again.every((r) => r.status !== "rejected" && first[0]!.status !== "rejected" && r.eventId === first[0]!.eventId)).toBe(true);
    await drain();
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: "it-dup" } })).toBe(1);
    const log = await sandboxJson<{ rows: { idempotency_key: string }[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250");
    expect(log.rows.filter((r) => r.idempotency_key === "it-dup")).toHaveLength(1);
  });

  it("answers the same key with a different event as a conflict: the stored event's id and both body hashes, nothing changed", async () => {
    const at = now();
    const [first] = await ingestEvents([sms("it-conflict", { timestamp: at, attributes: { value: 2, campaign: "spring" } })], { source: "api" });
    const before = await env.db.billingEvent.findUniqueOrThrow({
      where: { connectionId_idempotencyKey: { connectionId: env.shopifyConnectionId, idempotencyKey: "it-conflict" } },
    });
    const again = await ingestEvents(
      [
        sms("it-conflict", { timestamp: at, attributes: { campaign: "spring", value: 2 } }),
        sms("it-conflict", { timestamp: at, attributes: { value: 3, campaign: "spring" } }),
        sms("it-conflict", { timestamp: new Date(Date.parse(at) - 1000).toISOString(), attributes: { value: 2, campaign: "spring" } }),
        sms("it-conflict", { timestamp: at, attributes: { value: 3, campaign: "spring" } }),
      ],
      { source: "api" },
    );
    expect(again.map((r) => r.status)).toEqual(["duplicate", "conflict", "conflict", "conflict"]);
    const c = again[1]!;
    expect(c.status === "conflict" && first!.status === "accepted" && c.eventId === first!.eventId).toBe(true);
    expect(c).toMatchObject({ storedBodyHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), bodyHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(c.status === "conflict" && c.bodyHash !== c.storedBodyHash).toBe(true);
    // Inside one batch too: the second use of a key with another body is a conflict with the first.
    const inBatch = await ingestEvents([sms("it-conflict-batch", { timestamp: at }), sms("it-conflict-batch", { timestamp: at, attributes: { value: 9 } })], {
      source: "api",
    });
    expect(inBatch.map((r) => r.status)).toEqual(["accepted", "conflict"]);

    const after = await env.db.billingEvent.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toEqual(before);
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "it-conflict" } } })).toBe(2);
    // Counted once per different body, with how often it came back.
    const recorded = await env.db.idempotencyConflict.findMany({ where: { idempotencyKey: "it-conflict" }, orderBy: { id: "asc" } });
    expect(recorded.map((r) => r.attempts)).toEqual([2, 1]);
  });

  it("refuses a malformed event with field-level errors and writes nothing", async () => {
    const before = await env.db.billingEvent.count();
    const results = await ingestEvents(
      [
        sms("it-bad-1", { attributes: { value: 1, nested: { no: true } } }),
        sms("it-bad-2", { timestamp: "yesterday" }),
        // A malformed shop id (an unknown well-formed one is taken in: shopify-discovery.integration.test.ts).
        {
          platform: "shopify",
          connection_id: env.shopifyConnectionId,
          shop_id: "shop-999",
          event_handle: "sms_sent",
          timestamp: now(),
          attributes: { value: 1 },
        },
        { platform: "wix", connection_id: env.wixConnectionId, instance_id: "7dd21ebc-a097-43ac-8763-2806daee84a1", event: { grossRevenue: "12.5" } },
        { platform: "stripe" },
      ],
      { source: "api" },
    );
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected", "rejected", "rejected"]);
    const errors = results.map((r) => (r.status === "rejected" ? Object.keys(r.fieldErrors) : []));
    expect(errors).toEqual([["attributes.nested"], ["timestamp"], ["shop_id"], ["event.wixShare", "event.billingType", "idempotency_key"], ["platform"]]);
    expect(await env.db.billingEvent.count()).toBe(before);
  });

  it("refuses at the field what Shopify refuses whatever happens, even sent anyway; holds what depends on state", async () => {
    const before = await env.db.billingEvent.count();
    const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
    const refused = await ingestEvents(
      [
        sms("it-certain-novalue", { attributes: {} }),
        sms("it-certain-zero", { attributes: { value: 0 } }),
        sms("it-certain-negative", { attributes: { value: -5 }, send_anyway: true }),
        sms("it-certain-text", { attributes: { value: "5" } }),
        sms("it-certain-future", { timestamp: inMinutes(10), send_anyway: true }),
        sms("k".repeat(65)),
      ],
      { source: "ui" },
    );
    expect(refused.map((r) => (r.status === "rejected" ? Object.keys(r.fieldErrors) : r.status))).toEqual([
      ["attributes.value"],
      ["attributes.value"],
      ["attributes.value"],
      ["attributes.value"],
      ["timestamp"],
      ["idempotency_key"],
    ]);
    const messages = refused.map((r) => (r.status === "rejected" ? Object.values(r.fieldErrors).flat().join(" ") : ""));
    expect(messages.slice(0, 5)).toEqual([
      expect.stringContaining("MISSING_VALUE_KEY"),
      expect.stringContaining("greater than 0"),
      expect.stringContaining("greater than 0, not -5"),
      expect.stringContaining("must be a number"),
      expect.stringContaining("5 minutes in the future"),
    ]);
    expect(await env.db.billingEvent.count()).toBe(before);

    const noPlan = await env.db.shop.findFirstOrThrow({ where: { connectionId: env.shopifyConnectionId, planHandle: null, installState: "installed" } });
    const stateful = await ingestEvents(
      [
        sms("it-state-nosub", { shop_id: noPlan.shopId }),
        sms("it-state-custom", { event_handle: "page_viewed", attributes: {} }),
        sms("it-state-soon", { timestamp: inMinutes(4) }),
      ],
      { source: "ui" },
    );
    expect(stateful.map((r) => ("predicted" in r ? [r.status, r.predicted.code ?? r.predicted.verdict] : r.status))).toEqual([
      ["held", "NO_SUBSCRIPTION"],
      ["accepted", "non_billable"],
      ["accepted", "billable"],
    ]);
  });

  it("reports a Wix external billing event with the instance token, and with the API key after an uninstall", async () => {
    const wix = (key: string) => ({
      platform: "wix",
      connection_id: env.wixConnectionId,
      instance_id: "7dd21ebc-a097-43ac-8763-2806daee84a1",
      idempotency_key: key,
      event: { created_date: "2026-04-07T08:01:31Z", gross_revenue: "120", net_revenue: "100", wix_share: "20", billing_type: "CHARGE" },
    });
    expect((await ingestEvents([wix("it-wix-token")], { source: "api" }))[0]!.status).toBe("accepted");
    await drain();
    await sandboxJson(env, "/_sandbox/wix/instances/7dd21ebc-a097-43ac-8763-2806daee84a1/uninstall", { method: "POST" });
    await env.db.wixInstance.updateMany({ where: { instanceId: "7dd21ebc-a097-43ac-8763-2806daee84a1" }, data: { installState: "uninstalled" } });
    expect((await ingestEvents([wix("it-wix-apikey")], { source: "api" }))[0]!.status).toBe("accepted");
    await drain();
    const events = await env.db.billingEvent.findMany({ where: { idempotencyKey: { in: ["it-wix-token", "it-wix-apikey"] } }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.state, e.platformVerdict, e.amount?.toFixed(2)])).toEqual([
      ["accepted", "billable", "120.00"],
      ["accepted", "billable", "120.00"],
    ]);
    const reported = await sandboxJson<{ items: { auth: string; event: { grossRevenue: string; instanceId: string } }[] }>(env, "/_sandbox/wix/billing-events");
    expect(reported.items.map((i) => i.auth).sort()).toEqual(["access_token", "api_key"]);
  });
});
