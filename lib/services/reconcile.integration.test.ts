import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

const iso = (ms: number) => new Date(ms).toISOString();

describe("reconciliation of a month with known differences", () => {
  it("finds each difference and nothing else, exact per currency", async () => {
    const { ingestEvents } = await import("./ingest");
    const { deliveryRound } = await import("../worker/delivery");
    const { collectSandboxVerdicts } = await import("../worker/verdicts");
    const { importSandboxLog, shopifyReconciliation, closeCycle, recordCorrection } = await import("./reconcile");
    const { shopifyClientFor } = await import("../worker/platform-clients");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
    const conn = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "23423423" } });
    const other = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "1002003004" } });
    const at = iso(Date.now() - 3_600_000);
    const ev = (key: string, shopId: string, value: number) => ({ platform: "shopify", connection_id: conn.id, shop_id: shopId, event_handle: "sms_sent", timestamp: at, idempotency_key: key, attributes: { value } });

    // The other shop moves to a plan without meters on Shopify's side; our copy still says sms-pro.
    await sandboxJson(env, "/_sandbox/shopify/shops/1002003004/subscribe", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ plan: "basic" }) });
    await ingestEvents([ev("rec-1", "23423423", 60), ev("rec-2", "23423423", 50), ev("rec-3", "23423423", 7), ev("rec-plan", "1002003004", 4)], { source: "api" });
    for (let i = 0; i < 5; i++) await deliveryRound("t");

    // Sent to Shopify from outside the ledger (another service of the partner's): missing here.
    const client = shopifyClientFor(conn);
    await client.sendEvent("2026-10", { shop_id: "23423423", event_handle: "sms_sent", timestamp: at, idempotency_key: "rec-outside", attributes: { value: 9 } });
    // In the ledger as delivered, but Shopify never got it: missing there.
    // Same key, different units: the ledger says 3, Shopify counted 2.
    await client.sendEvent("2026-10", { shop_id: "23423423", event_handle: "sms_sent", timestamp: at, idempotency_key: "rec-units", attributes: { value: 2 } });
    for (const [key, value] of [["rec-lost", 5], ["rec-units", 3]] as const) {
      await env.db.billingEvent.create({
        data: {
          connectionId: conn.id, platform: "shopify", kind: "shopify_usage", shopId: shop.id, handle: "sms_sent", quantity: String(value), occurredAt: new Date(at), idempotencyKey: key,
          payload: { note: "written by a test" }, source: "import", predictedVerdict: "billable", state: "accepted",
        },
      });
    }
    await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
    await collectSandboxVerdicts("t");
    const imported = await importSandboxLog(conn.id, user);
    expect(imported.imported).toBeGreaterThanOrEqual(6);

    const { cycles } = await shopifyReconciliation(conn.id);
    const dev = cycles.find((c) => c.shop.id === shop.id)!;
    const otherCycle = cycles.find((c) => c.shop.id === other.id)!;
    expect(dev.match.missingHere.map((m) => m.key)).toEqual(["rec-outside"]);
    expect(dev.match.missingThere.map((m) => m.key)).toEqual(["rec-lost"]);
    expect(dev.match.unitDiffs.map((m) => [m.line.key, m.line.quantity, m.platform.quantity])).toEqual([["rec-units", "3", "2"]]);
    expect(dev.match.verdictDiffs).toEqual([]);
    expect(otherCycle.match.verdictDiffs.map((d) => [d.line.key, d.platform.code])).toEqual([["rec-plan", "SUBSCRIPTION_NOT_METERED"]]);
    expect(otherCycle.match.missingHere.length + otherCycle.match.missingThere.length + otherCycle.match.unitDiffs.length).toBe(0);

    // Totals: ours confirmed 60 + 50 + 7 + 3 (rec-units, verdict from the log) = 120; Shopify counted 60 + 50 + 7 + 9 + 2 = 128.
    const sms = dev.totals.find((t) => t.handle === "sms_sent")!;
    expect(sms.ours.confirmedBillable.toFixed()).toBe("120");
    expect(sms.platformUnits!.toFixed()).toBe("128");
    expect(sms.diffUnits!.toFixed()).toBe("-8");
    // sms-pro: 100 included, then 0.01 USD: ours 0.20, Shopify 0.28.
    expect([sms.currency, sms.ourAmount!.toFixed(2), sms.platformAmount!.toFixed(2), sms.diffAmount!.toFixed(2)]).toEqual(["USD", "0.20", "0.28", "-0.08"]);
    expect(dev.balanced).toBe(false);

    // Closing freezes the figures; a later change reopens the cycle.
    await closeCycle(conn.id, shop.id, "checked against the Dev Dashboard", user);
    expect((await shopifyReconciliation(conn.id)).cycles.find((c) => c.shop.id === shop.id)!.reopened).toBe(false);
    const units = await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "rec-units" } });
    // What the Overview's "This billing cycle" counts for the shop: the correction replaces the entry.
    const { currentCycleUsage } = await import("../db/rollups");
    const billableUnits = async () =>
      (await currentCycleUsage({ connectionId: conn.id, subjectId: shop.id, handle: "sms_sent" }, new Date()))
        .filter((r) => r.outcome === "billable").reduce((sum, r) => sum + Number(r.quantity), 0);
    const before = await billableUnits();
    await recordCorrection(units.id, { quantity: "2", note: "Shopify counted 2" }, user);
    expect(await billableUnits()).toBe(before - 1);
    const after = (await shopifyReconciliation(conn.id)).cycles.find((c) => c.shop.id === shop.id)!;
    expect(after.reopened).toBe(true);
    expect(after.match.unitDiffs).toEqual([]);
    expect(after.match.missingHere.map((m) => m.key)).toEqual(["rec-outside"]);
    expect(after.totals.find((t) => t.handle === "sms_sent")!.ours.confirmedBillable.toFixed()).toBe("119");
  });
});

describe("resending an event Shopify never got", () => {
  it("queues it again with the same key, once, and the worker delivers it; Wix billing events are refused, and not corrected either", async () => {
    const { ingestEvents } = await import("./ingest");
    const { deliveryRound } = await import("../worker/delivery");
    const { resendEvent } = await import("./reconcile");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: env.shopifyConnectionId, shopId: "23423423" } });
    // In the ledger as delivered, but never sent (written by an import that was wrong about it).
    const lost = await env.db.billingEvent.create({
      data: {
        connectionId: env.shopifyConnectionId, platform: "shopify", kind: "shopify_usage", shopId: shop.id, handle: "sms_sent", quantity: "4",
        occurredAt: new Date(Date.now() - 60_000), idempotencyKey: "resend-me", source: "import", predictedVerdict: "billable", state: "accepted",
        payload: { shop_id: "23423423", event_handle: "sms_sent", timestamp: new Date(Date.now() - 60_000).toISOString(), idempotency_key: "resend-me", attributes: { value: 4 } },
      },
    });
    await resendEvent(lost.id, "Shopify's log has no row for this key", user);
    // A second resend while it waits in the queue changes nothing.
    await expect(resendEvent(lost.id, "again", user)).rejects.toMatchObject({ code: "CONFLICT" });
    const queued = await env.db.billingEvent.findUniqueOrThrow({ where: { id: lost.id } });
    expect(queued.state).toBe("queued");
    const transitions = await env.db.eventTransition.findMany({ where: { eventId: lost.id } });
    expect(transitions.map((t) => [t.fromState, t.toState, t.reason])).toEqual([["accepted", "queued", "resent with the same key: Shopify's log has no row for this key"]]);

    for (let i = 0; i < 3; i++) await deliveryRound("t");
    expect((await env.db.billingEvent.findUniqueOrThrow({ where: { id: lost.id } })).state).toBe("accepted");
    const log = await sandboxJson<{ rows: { idempotency_key: string }[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250");
    expect(log.rows.filter((r) => r.idempotency_key === "resend-me")).toHaveLength(1);

    const [wix] = await ingestEvents([{ platform: "wix", connection_id: env.wixConnectionId, instance_id: (await env.db.wixInstance.findFirstOrThrow({ where: { connectionId: env.wixConnectionId } })).instanceId, idempotency_key: "wix-resend", event: { grossRevenue: "10", wixShare: "2", billingType: "CHARGE" } }], { source: "api" });
    await expect(resendEvent(BigInt((wix as { eventId: string }).eventId), "try", user)).rejects.toMatchObject({ code: "CONFLICT" });
    // Nor corrected: Wix charges read usage as recorded, so a correction would not reach them.
    const { recordCorrection } = await import("./reconcile");
    await expect(recordCorrection(BigInt((wix as { eventId: string }).eventId), { quantity: "1", note: "try" }, user)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await env.db.billingEvent.count({ where: { correctsId: BigInt((wix as { eventId: string }).eventId) } })).toBe(0);
  });
});
