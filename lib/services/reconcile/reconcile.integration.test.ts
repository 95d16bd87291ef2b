import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertAcceptedUsage, sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

const iso = (ms: number) => new Date(ms).toISOString();

const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("reconciliation of a cycle with known differences", () => {
  it("pulls the platform's figures (paced, waiting out 429s), lists each difference with its money, resolves once, closes only as a sign-off, reopens on change", async () => {
    const { ingestEvents } = await import("../ingest/ingest");
    const { deliveryRound } = await import("../../worker/delivery");
    const { collectSandboxVerdicts } = await import("../delivery/verdicts");
    const { requestRefresh, runNextRefresh } = await import("./platform-figures");
    const { resolveDifferences, closeCycle } = await import("./resolve");
    const { differenceSummary, differencesPage } = await import("../../db/reconcile");
    const { shopifyClientFor } = await import("../../platforms/clients");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const op = await env.db.user.findFirstOrThrow({ where: { role: "operator" } });
    const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
    const operator = { id: op.id, email: op.email, name: op.name, role: op.role };
    const conn = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "23423423" } });
    const other = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "1002003004" } });
    const at = iso(Date.now() - 3_600_000);
    const ev = (key: string, shopId: string, value: number) => ({
      platform: "shopify",
      connection_id: conn.id,
      shop_id: shopId,
      event_handle: "sms_sent",
      timestamp: at,
      idempotency_key: key,
      attributes: { value },
    });

    // The other shop moves to a plan without meters on Shopify's side; our copy still says sms-pro.
    await sandboxJson(env, "/_sandbox/shopify/shops/1002003004/subscribe", json({ plan: "basic" }));
    await ingestEvents([ev("rec-1", "23423423", 60), ev("rec-2", "23423423", 50), ev("rec-3", "23423423", 7), ev("rec-plan", "1002003004", 4)], {
      source: "api",
    });
    for (let i = 0; i < 5; i++) await deliveryRound("t");
    const client = shopifyClientFor(conn);
    // Sent to Shopify from outside the ledger: missing here. In the ledger as delivered but never sent: missing there.
    await client.sendEvent("2026-10", {
      shop_id: "23423423",
      event_handle: "sms_sent",
      timestamp: at,
      idempotency_key: "rec-outside",
      attributes: { value: 9 },
    });
    // Same key, different units: the ledger says 3, Shopify counted 2.
    await client.sendEvent("2026-10", { shop_id: "23423423", event_handle: "sms_sent", timestamp: at, idempotency_key: "rec-units", attributes: { value: 2 } });
    for (const [key, value] of [
      ["rec-lost", 5],
      ["rec-units", 3],
    ] as const) {
      await insertAcceptedUsage(env, {
        shopId: shop.id,
        quantity: String(value),
        occurredAt: new Date(at),
        idempotencyKey: key,
        acceptedAt: new Date(at),
      });
    }
    await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
    await collectSandboxVerdicts("t");

    // The worker's pull: the Partner API answers 429 twice first; the pull waits them out and reads every shop.
    await sandboxJson(env, "/_sandbox/faults", json({ route: "POST /*/api/*/graphql.json", rate429Rate: 1, times: 2 }));
    await requestRefresh(conn.id, user);
    await expect(requestRefresh(conn.id, user)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await runNextRefresh("t")).not.toBeNull();
    const run = await env.db.platformRefresh.findFirstOrThrow({ where: { connectionId: conn.id }, orderBy: { requestedAt: "desc" } });
    expect([run.status, run.done, run.failed, run.rateLimited]).toEqual(["finished", run.total, 0, 2]);
    expect(run.total).toBeGreaterThan(1);
    const figure = await env.db.platformFigure.findFirstOrThrow({ where: { subjectId: shop.id, handle: "sms_sent" } });
    // Shopify counted 60 + 50 + 7 + 9 + 2 = 128 (plus any earlier usage of the cycle) and says when it was read.
    expect(figure.source).toBe("partner_api_usage");
    expect(Date.now() - figure.fetchedAt.getTime()).toBeLessThan(60_000);

    const f = { connectionId: conn.id, subjectId: shop.id, state: "open" as const };
    const page = await differencesPage(f, null);
    const kinds = page.rows.map((d) => `${d.kind}:${d.key}`).sort();
    expect(kinds.filter((k) => !k.startsWith("amount_differs"))).toEqual(["missing_here:rec-outside", "missing_there:rec-lost", "units_differ:rec-units"]);
    // Money at sms_sent's unit price (0.01 USD): ours − Shopify's.
    const byKey = Object.fromEntries(page.rows.map((d) => [d.key, [d.our_units, d.platform_units, d.amount, d.currency]]));
    expect(byKey["rec-outside"]).toEqual([null, "9", "-0.09", "USD"]);
    expect(byKey["rec-lost"]).toEqual(["5", null, "0.05", "USD"]);
    expect(byKey["rec-units"]).toEqual(["3", "2", "0.01", "USD"]);
    // Our ledger took Shopify's verdict for rec-plan from the log: no difference. A person then marks it billable by hand.
    const otherOpen = () => differencesPage({ connectionId: conn.id, subjectId: other.id, state: "open" }, null);
    expect((await otherOpen()).rows.filter((d) => d.kind === "verdict_differs")).toEqual([]);
    const { markVerdicts } = await import("./reconcile");
    const { reconcileConnection } = await import("./detect");
    const planEvent = await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "rec-plan" } });
    await markVerdicts([planEvent.id], "billable", null, "looked billable to me", operator);
    await reconcileConnection(conn.id);
    const verdict = (await otherOpen()).rows.filter((d) => d.kind === "verdict_differs");
    expect(verdict.map((d) => [d.key, d.our_verdict, d.platform_verdict, d.amount])).toEqual([
      ["rec-plan", "billable", "failed SUBSCRIPTION_NOT_METERED", "0.04"],
    ]);
    await resolveDifferences([BigInt(verdict[0]!.id)], "accept_platform", "Dev Dashboard says not metered", operator);
    expect((await env.db.billingEvent.findUniqueOrThrow({ where: { id: planEvent.id } })).platformCode).toBe("SUBSCRIPTION_NOT_METERED");
    const [accepted] = await env.db.auditLog.findMany({ where: { entityType: "reconcile_difference", entityId: verdict[0]!.id } });
    expect(accepted!.before).toMatchObject({ state: "open", ours: "billable" });
    expect(accepted!.after).toMatchObject({
      state: "resolved",
      resolution: "accept_platform",
      change: { verdict: "failed", code: "SUBSCRIPTION_NOT_METERED" },
    });
    expect((await otherOpen()).rows.filter((d) => d.kind === "verdict_differs")).toEqual([]);
    const summary = await differenceSummary(f);
    expect(summary.find((s) => s.kind === "missing_here")).toMatchObject({ count: 1, amount: "-0.09" });

    // Resolving: once. The audit's before and after differ; a second try is refused and changes nothing.
    const lost = page.rows.find((d) => d.key === "rec-lost")!;
    await resolveDifferences([BigInt(lost.id)], "mark_explained", "written by a test, never sent", operator);
    await expect(resolveDifferences([BigInt(lost.id)], "mark_explained", "again", operator)).rejects.toThrow(
      /already resolved: operator@example.com marked explained/,
    );
    const audit = await env.db.auditLog.findMany({ where: { entityType: "reconcile_difference", entityId: lost.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ state: "open" });
    expect(audit[0]!.after).toMatchObject({ state: "resolved", resolution: "mark_explained", by: "operator@example.com" });
    expect((await differencesPage(f, null)).rows.map((d) => d.key)).not.toContain("rec-lost");
    // A wrong action for the kind is refused whole.
    const outside = page.rows.find((d) => d.key === "rec-outside")!;
    const units = page.rows.find((d) => d.key === "rec-units")!;
    await expect(resolveDifferences([BigInt(outside.id), BigInt(units.id)], "record_correction", "try", operator)).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect((await env.db.reconcileDifference.findUniqueOrThrow({ where: { id: BigInt(units.id) } })).state).toBe("open");

    // Closing: refused before the cycle ends, refused with open differences, an admin's known gap states its money.
    const cycle = await env.db.reconcileCycle.findFirstOrThrow({ where: { connectionId: conn.id, subjectId: shop.id } });
    await expect(closeCycle(cycle.id, { knownGap: false, note: "checked" }, user)).rejects.toThrow(/once it has ended/);
    const afterEnd = new Date(cycle.cycleEnd.getTime() + 1000);
    // Shopify's charges (the Partner API's events, read by discovery) were never read: not signed off.
    await expect(closeCycle(cycle.id, { knownGap: false, note: "checked" }, user, afterEnd)).rejects.toThrow(
      /^Shopify's charges for this cycle have not been read since it ended at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(they have never been read\): refresh now/,
    );
    // As if read again after the end.
    const watermark = (await env.db.connection.findUniqueOrThrow({ where: { id: conn.id } })).discoveryWatermark;
    await env.db.connection.update({ where: { id: conn.id }, data: { discoveryWatermark: new Date(afterEnd.getTime() + 1000) } });
    await expect(closeCycle(cycle.id, { knownGap: false, note: "checked" }, user, afterEnd)).rejects.toThrow(/still open/);
    await expect(closeCycle(cycle.id, { knownGap: true, note: "checked" }, operator, afterEnd)).rejects.toThrow(/Only an admin/);
    // Correcting the units resolves that one (the correction takes Shopify's 2).
    await resolveDifferences([BigInt(units.id)], "record_correction", "Shopify counted 2", operator);
    const closed = await closeCycle(cycle.id, { knownGap: true, note: "rec-outside came from the old service; support case 88" }, user, afterEnd);
    expect(closed.state).toBe("closed_with_gap");
    await env.db.connection.update({ where: { id: conn.id }, data: { discoveryWatermark: watermark } });
    // The gap counts sms_sent once: its exact meter total where Shopify reported one (ours 119 → 0.19, Shopify 128 → 0.28).
    const open = await env.db.reconcileDifference.findMany({ where: { connectionId: conn.id, subjectId: shop.id, state: "open" } });
    const meterRow = open.find((d) => d.kind === "amount_differs" && d.handle === "sms_sent");
    expect(meterRow).toBeDefined();
    expect(closed.gap).toEqual([{ currency: "USD", amount: meterRow!.amount.toFixed() }]);
    expect(meterRow!.amount.toFixed()).toBe("-0.09");
    const frozen = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect([frozen.state, frozen.closedByEmail, frozen.reopenedAt]).toEqual(["closed_with_gap", "admin@example.com", null]);
    expect((frozen.snapshot as { open: unknown[] }).open).toHaveLength(open.length);

    // Nothing changed: reconciling again keeps it closed. A new difference reopens it, visibly.
    await reconcileConnection(conn.id);
    expect((await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } })).state).toBe("closed_with_gap");
    await client.sendEvent("2026-10", { shop_id: "23423423", event_handle: "sms_sent", timestamp: at, idempotency_key: "rec-late", attributes: { value: 1 } });
    await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
    await requestRefresh(conn.id, user);
    await runNextRefresh("t");
    const reopened = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect(reopened.state).toBe("open");
    expect(reopened.reopenedAt).not.toBeNull();
    expect(reopened.snapshot).toEqual(frozen.snapshot);
  });
});

describe("resending an event Shopify never got", () => {
  it("queues it again with the same key, once, and the worker delivers it; Wix billing events are refused, and not corrected either", async () => {
    const { ingestEvents } = await import("../ingest/ingest");
    const { deliveryRound } = await import("../../worker/delivery");
    const { resendEvent } = await import("./reconcile");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: env.shopifyConnectionId, shopId: "23423423" } });
    // In the ledger as delivered, but never sent (written by an import that was wrong about it).
    const lost = await insertAcceptedUsage(env, {
      shopId: shop.id,
      quantity: "4",
      occurredAt: new Date(Date.now() - 60_000),
      idempotencyKey: "resend-me",
      payload: {
        shop_id: "23423423",
        event_handle: "sms_sent",
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        idempotency_key: "resend-me",
        attributes: { value: 4 },
      },
    });
    await resendEvent(lost.id, "Shopify's log has no row for this key", user);
    // A second resend while it waits in the queue changes nothing.
    await expect(resendEvent(lost.id, "again", user)).rejects.toMatchObject({ code: "CONFLICT" });
    const queued = await env.db.billingEvent.findUniqueOrThrow({ where: { id: lost.id } });
    expect(queued.state).toBe("queued");
    const transitions = await env.db.eventTransition.findMany({ where: { eventId: lost.id } });
    expect(transitions.map((t) => [t.fromState, t.toState, t.reason])).toEqual([
      ["accepted", "queued", "resent with the same key: Shopify's log has no row for this key"],
    ]);

    for (let i = 0; i < 3; i++) await deliveryRound("t");
    expect((await env.db.billingEvent.findUniqueOrThrow({ where: { id: lost.id } })).state).toBe("accepted");
    const log = await sandboxJson<{ rows: { idempotency_key: string }[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250");
    expect(log.rows.filter((r) => r.idempotency_key === "resend-me")).toHaveLength(1);

    const [wix] = await ingestEvents(
      [
        {
          platform: "wix",
          connection_id: env.wixConnectionId,
          instance_id: (await env.db.wixInstance.findFirstOrThrow({ where: { connectionId: env.wixConnectionId } })).instanceId,
          idempotency_key: "wix-resend",
          event: { grossRevenue: "10", wixShare: "2", billingType: "CHARGE" },
        },
      ],
      { source: "api" },
    );
    await expect(resendEvent(BigInt((wix as { eventId: string }).eventId), "try", user)).rejects.toMatchObject({ code: "CONFLICT" });
    // Nor corrected: Wix charges read usage as recorded, so a correction would not reach them.
    const { recordCorrection } = await import("./reconcile");
    await expect(recordCorrection(BigInt((wix as { eventId: string }).eventId), { quantity: "1", note: "try" }, user)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await env.db.billingEvent.count({ where: { correctsId: BigInt((wix as { eventId: string }).eventId) } })).toBe(0);
  });
});
