import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

let env: LedgerEnv;
let ingestEvents: typeof import("./ingest").ingestEvents;
let deliveryRound: typeof import("../worker/delivery").deliveryRound;
let collectSandboxVerdicts: typeof import("../worker/verdicts").collectSandboxVerdicts;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ ingestEvents } = await import("./ingest"));
  ({ deliveryRound } = await import("../worker/delivery"));
  ({ collectSandboxVerdicts } = await import("../worker/verdicts"));
});
afterAll(async () => env?.close());

const now = () => new Date().toISOString();
const sms = (key: string, extra: Record<string, unknown> = {}) => ({
  platform: "shopify", connection_id: env.shopifyConnectionId, shop_id: "gid://shopify/Shop/23423423", event_handle: "sms_sent",
  timestamp: now(), idempotency_key: key, attributes: { value: 1 }, ...extra,
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
    const results = await ingestEvents(
      [sms("it-sms-1"), sms("it-batch-5", { attributes: { value: 5 } }), sms("it-wrong-case", { event_handle: "SMS_SENT" })],
      { source: "api" },
    );
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "held"]);
    const held = results[2]!;
    expect(held.status === "held" && held.predicted).toMatchObject({ verdict: "non_billable", hint: expect.stringContaining("sms_sent") });

    await drain();
    const events = await env.db.billingEvent.findMany({ where: { idempotencyKey: { in: ["it-sms-1", "it-batch-5", "it-wrong-case"] } }, include: { attempts: true } });
    const byKey = Object.fromEntries(events.map((e) => [e.idempotencyKey, e]));
    expect(byKey["it-sms-1"]).toMatchObject({ state: "accepted", platformVerdict: "billable", verdictSource: "sandbox_log" });
    expect(byKey["it-batch-5"]!.quantity!.toString()).toBe("5");
    expect(byKey["it-sms-1"]!.attempts).toHaveLength(1);
    expect(byKey["it-sms-1"]!.attempts[0]!.status).toBe(202);
    expect(byKey["it-wrong-case"]).toMatchObject({ state: "held", platformVerdict: null });
    expect(byKey["it-wrong-case"]!.attempts).toHaveLength(0);
  });

  it("returns the original result for a repeated key, forever, and never sends twice", async () => {
    const first = await ingestEvents([sms("it-dup")], { source: "api" });
    await drain();
    const again = await ingestEvents([sms("it-dup", { attributes: { value: 99 } }), sms("it-dup")], { source: "ui" });
    expect(again.map((r) => r.status)).toEqual(["duplicate", "duplicate"]);
    expect(again.every((r) => r.status !== "rejected" && first[0]!.status !== "rejected" && r.eventId === first[0]!.eventId)).toBe(true);
    await drain();
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: "it-dup" } })).toBe(1);
    const log = await sandboxJson<{ rows: { idempotency_key: string }[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250");
    expect(log.rows.filter((r) => r.idempotency_key === "it-dup")).toHaveLength(1);
  });

  it("refuses a malformed event with field-level errors and writes nothing", async () => {
    const before = await env.db.billingEvent.count();
    const results = await ingestEvents(
      [
        sms("it-bad-1", { attributes: { value: 1, nested: { no: true } } }),
        sms("it-bad-2", { timestamp: "yesterday" }),
        { platform: "shopify", connection_id: env.shopifyConnectionId, shop_id: "999", event_handle: "sms_sent", timestamp: now(), attributes: { value: 1 } },
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

  it("reports a Wix external billing event with the instance token, and with the API key after an uninstall", async () => {
    const wix = (key: string) => ({
      platform: "wix", connection_id: env.wixConnectionId, instance_id: "7dd21ebc-a097-43ac-8763-2806daee84a1", idempotency_key: key,
      event: { created_date: "2026-04-07T08:01:31Z", gross_revenue: "120", net_revenue: "100", wix_share: "20", billing_type: "CHARGE" },
    });
    expect((await ingestEvents([wix("it-wix-token")], { source: "api" }))[0]!.status).toBe("accepted");
    await drain();
    await sandboxJson(env, "/_sandbox/wix/instances/7dd21ebc-a097-43ac-8763-2806daee84a1/uninstall", { method: "POST" });
    await env.db.wixInstance.updateMany({ where: { instanceId: "7dd21ebc-a097-43ac-8763-2806daee84a1" }, data: { installState: "uninstalled" } });
    expect((await ingestEvents([wix("it-wix-apikey")], { source: "api" }))[0]!.status).toBe("accepted");
    await drain();
    const events = await env.db.billingEvent.findMany({ where: { idempotencyKey: { in: ["it-wix-token", "it-wix-apikey"] } }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.state, e.platformVerdict, e.amount?.toFixed(2)])).toEqual([["accepted", "billable", "120.00"], ["accepted", "billable", "120.00"]]);
    const reported = await sandboxJson<{ items: { auth: string; event: { grossRevenue: string; instanceId: string } }[] }>(env, "/_sandbox/wix/billing-events");
    expect(reported.items.map((i) => i.auth).sort()).toEqual(["access_token", "api_key"]);
  });
});
