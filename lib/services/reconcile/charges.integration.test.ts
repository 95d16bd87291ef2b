import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertAcceptedUsage, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

/**
 * A closed cycle against what Shopify actually charged (Partner API CHARGE_USAGE / CHARGE_RECURRING,
 * stored by discovery in shopify_partner_events), priced with the plan in force during that cycle;
 * a voided event never counts as "missing at the platform".
 */
let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

const DAY = 86_400_000;

describe("a past cycle against the charges Shopify made", () => {
  it("shows charged beside ours at the plan of that cycle, lists a charge that differs with its money, never counts a voided event, and keeps the charges in the snapshot", async () => {
    const { ingestEvents } = await import("../ingest/ingest");
    const { voidHeldEvent } = await import("../delivery/event-actions");
    const { reconcileConnection } = await import("./detect");
    const { closeCycle } = await import("./resolve");
    const { differencesPage } = await import("../../db/reconcile");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
    const conn = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "1002003004" } });
    const cs = shop.cycleStart!.getTime();
    const past = { start: new Date(cs - 30 * DAY), end: new Date(cs) };
    // The shop was on sms-pro for the past cycle and moved to sms-volume when the current one began.
    await env.db.shop.update({ where: { id: shop.id }, data: { planHandle: "sms-volume", subscriptionStartedAt: new Date(cs - 60 * DAY) } });
    const partner = (eventId: string, eventType: string, at: Date, node: Record<string, unknown>) => ({
      connectionId: conn.id,
      eventId,
      eventType,
      shopId: shop.shopId,
      occurredAt: at,
      payload: {
        __typename: eventType.startsWith("CHARGE") ? "Charge" : "SubscriptionStatus",
        id: eventId,
        eventType,
        occurredAt: at.toISOString(),
        shop: { id: `gid://shopify/Shop/${shop.shopId}` },
        ...node,
      },
    });
    await env.db.shopifyPartnerEvent.createMany({
      data: [
        partner("ev-sub-1", "SUBSCRIPTION_CREATED", new Date(cs - 60 * DAY), {
          subscriptionState: "ACTIVE",
          plan: { handle: "sms-pro", billingPeriod: "EVERY_30_DAYS" },
        }),
        partner("ev-rec-1", "CHARGE_RECURRING", past.start, {
          chargeId: "9001",
          chargeType: "RECURRING",
          amount: { amount: "9.99", currencyCode: "USD" },
          planHandle: "sms-pro",
          description: "SMS Pro",
        }),
        partner("ev-use-1", "CHARGE_USAGE", past.end, {
          chargeId: "9002",
          chargeType: "USAGE",
          amount: { amount: "2.00", currencyCode: "USD" },
          usageQuantity: "300",
          planHandle: "sms-pro",
          description: "SMS messages sent (sms_sent)",
        }),
        partner("ev-sub-2", "SUBSCRIPTION_UPDATED", past.end, { subscriptionState: "ACTIVE", plan: { handle: "sms-volume", billingPeriod: "EVERY_30_DAYS" } }),
      ],
    });
    // Discovery has read the Partner API's events up to now: the past cycle's charges are all known.
    await env.db.connection.update({ where: { id: conn.id }, data: { discoveryWatermark: new Date() } });
    const at = (days: number) => new Date(past.start.getTime() + days * DAY);
    const event = async (key: string, quantity: string, occurredAt: Date) => {
      await insertAcceptedUsage(env, {
        shopId: shop.id,
        quantity,
        occurredAt,
        idempotencyKey: key,
        payload: {},
        platformVerdict: "billable",
        verdictSource: "imported_file",
        // Accepted by Shopify when it happened, long before the charges were read.
        acceptedAt: new Date(occurredAt.getTime() + 1000),
      });
      await env.db.platformLogEntry.create({
        data: {
          connectionId: conn.id,
          idempotencyKey: key,
          handle: "sms_sent",
          shopRef: shop.shopId,
          occurredAt,
          quantity,
          verdict: "billable",
          source: "imported_file",
          importedBy: "test",
        },
      });
    };
    await event("past-1", "100", at(3));
    await event("past-2", "120", at(10));
    await event("past-3", "80", at(20));
    // Sent late into the closed cycle, held (PERIOD_CLOSED), then voided by a person: never sent, so never on the platform.
    const [held] = await ingestEvents(
      [
        {
          platform: "shopify",
          connection_id: conn.id,
          shop_id: shop.shopId,
          event_handle: "sms_sent",
          timestamp: at(25).toISOString(),
          idempotency_key: "past-void",
          attributes: { value: 50 },
        },
      ],
      { source: "api" },
    );
    expect(held).toMatchObject({ status: "held" });
    const voided = await env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: "past-void" } });
    await voidHeldEvent(voided.id, user, "sent twice by our cron");

    await reconcileConnection(conn.id);
    const cycle = await env.db.reconcileCycle.findUniqueOrThrow({
      where: { connectionId_subjectId_cycleStart: { connectionId: conn.id, subjectId: shop.id, cycleStart: past.start } },
    });
    const current = await env.db.reconcileCycle.findUniqueOrThrow({
      where: { connectionId_subjectId_cycleStart: { connectionId: conn.id, subjectId: shop.id, cycleStart: shop.cycleStart! } },
    });
    // Each cycle at its own plan: 300 SMS on sms-pro (100 included, then 0.01) are 2.00; on today's sms-volume they would be 3.00.
    expect([cycle.planHandle, current.planHandle]).toEqual(["sms-pro", "sms-volume"]);
    const sms = (cycle.meters as { handle: string; ourUnits: string; ourAmount: string; chargedUnits: string; chargedAmount: string }[]).find(
      (m) => m.handle === "sms_sent",
    )!;
    expect([sms.ourUnits, sms.ourAmount, sms.chargedUnits, sms.chargedAmount]).toEqual(["300", "2", "300", "2"]);
    expect(cycle.charges).toEqual([
      { chargeId: "9001", type: "recurring", handle: null, units: null, amount: "9.99", currency: "USD", at: past.start.toISOString() },
      { chargeId: "9002", type: "usage", handle: "sms_sent", units: "300", amount: "2.00", currency: "USD", at: past.end.toISOString() },
    ]);
    // The voided event is in no difference and no total: the cycle balances.
    const all = await env.db.reconcileDifference.findMany({ where: { connectionId: conn.id, subjectId: shop.id } });
    expect(all.filter((d) => d.key === "past-void")).toEqual([]);
    expect([cycle.state, cycle.openCount]).toEqual(["balanced", 0]);

    // A billable event of the cycle Shopify did not charge for: 350 SMS price to 2.50, Shopify charged 2.00.
    await event("past-4", "50", at(21));
    await reconcileConnection(conn.id);
    const open = (await differencesPage({ connectionId: conn.id, subjectId: shop.id, state: "open" }, null)).rows;
    expect(open.map((d) => [d.kind, d.key, d.our_units, d.platform_units, d.amount, d.currency])).toEqual([
      ["charge_differs", "charge:sms_sent", "350", "300", "0.5", "USD"],
    ]);
    // Still nothing about the voided event, whatever the log holds.
    expect(open.some((d) => d.kind === "missing_there")).toBe(false);

    // Signing off with the known gap keeps Shopify's charges in the frozen snapshot.
    const closed = await closeCycle(cycle.id, { knownGap: true, note: "50 SMS sent after Shopify closed the cycle" }, user);
    expect(closed.gap).toEqual([{ currency: "USD", amount: "0.5" }]);
    const frozen = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect(frozen.snapshot).toMatchObject({ planHandle: "sms-pro", charges: [{ chargeId: "9001" }, { chargeId: "9002", amount: "2.00" }] });
    // Reconciling again changes nothing; a later charge on Shopify's side reopens it, visibly.
    await reconcileConnection(conn.id);
    expect((await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } })).state).toBe("closed_with_gap");
    await env.db.shopifyPartnerEvent.create({
      data: partner("ev-use-2", "CHARGE_USAGE", past.end, {
        chargeId: "9003",
        chargeType: "USAGE",
        amount: { amount: "0.50", currencyCode: "USD" },
        usageQuantity: "50",
        planHandle: "sms-pro",
        description: "SMS messages sent (sms_sent)",
      }),
    });
    await reconcileConnection(conn.id);
    const reopened = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect(reopened.reopenedAt).not.toBeNull();
    expect(reopened.state).toBe("balanced");
    expect((await env.db.reconcileDifference.findFirstOrThrow({ where: { subjectId: shop.id, kind: "charge_differs" } })).state).toBe("cleared");
  });

  it("counts a missing charge as 0 only once discovery has read past the cycle's end, and never for a dev store", async () => {
    const { reconcileConnection } = await import("./detect");
    const conn = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "1002003005" } });
    const cs = shop.cycleStart!.getTime();
    const past = { start: new Date(cs - 30 * DAY), end: new Date(cs) };
    await env.db.shop.update({ where: { id: shop.id }, data: { subscriptionStartedAt: new Date(cs - 30 * DAY) } });
    await insertAcceptedUsage(env, {
      shopId: shop.id,
      quantity: "200",
      occurredAt: new Date(past.start.getTime() + DAY),
      idempotencyKey: "uncharged-1",
      payload: {},
      platformVerdict: "billable",
      verdictSource: "imported_file",
    });
    await env.db.platformLogEntry.create({
      data: {
        connectionId: conn.id,
        idempotencyKey: "uncharged-1",
        handle: "sms_sent",
        shopRef: shop.shopId,
        occurredAt: new Date(past.start.getTime() + DAY),
        quantity: "200",
        verdict: "billable",
        source: "imported_file",
        importedBy: "test",
      },
    });
    const charge = () => env.db.reconcileDifference.findFirst({ where: { subjectId: shop.id, kind: "charge_differs", state: "open" } });
    await env.db.connection.update({ where: { id: conn.id }, data: { discoveryWatermark: new Date(past.end.getTime() - 60_000) } });
    await reconcileConnection(conn.id);
    expect(await charge()).toBeNull();
    const cycle = () =>
      env.db.reconcileCycle.findUniqueOrThrow({
        where: { connectionId_subjectId_cycleStart: { connectionId: conn.id, subjectId: shop.id, cycleStart: past.start } },
      });
    expect((await cycle()).meters).toMatchObject([{ handle: "sms_sent", chargedAmount: null }]);
    await env.db.connection.update({ where: { id: conn.id }, data: { discoveryWatermark: new Date() } });
    await reconcileConnection(conn.id);
    // sms-volume: 200 SMS at 0.010 = 2.00, and Shopify charged nothing.
    expect(await charge()).toMatchObject({ amount: expect.objectContaining({}), currency: "USD", key: "charge:sms_sent" });
    expect((await charge())!.amount.toFixed()).toBe("2");
    await env.db.shop.update({ where: { id: shop.id }, data: { isDevStore: true } });
    await reconcileConnection(conn.id);
    expect(await charge()).toBeNull();
    expect((await cycle()).meters).toMatchObject([{ handle: "sms_sent", chargedAmount: null, neverCharged: true }]);
  });
});
