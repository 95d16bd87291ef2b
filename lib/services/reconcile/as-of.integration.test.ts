import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CycleMeter } from "../../domain/reconcile";
import { insertAcceptedUsage, sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

/**
 * Every comparison is as of the platform's read: an event sent after the stored figure (and log)
 * was read is in flight, with its count and money, never a difference; after the next read it is
 * compared. An event the platform could have seen and does not have is still missing there.
 */
let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

describe("reconciliation as of the platform's read", () => {
  it("an event sent after the stored figure's fetched-at is not a difference; after a refresh it is compared; a real missing one still is", async () => {
    const { ingestEvents } = await import("../ingest/ingest");
    const { deliveryRound } = await import("../../worker/delivery");
    const { collectSandboxVerdicts } = await import("../delivery/verdicts");
    const { requestRefresh, runNextRefresh } = await import("./platform-figures");
    const { reconcileConnection } = await import("./detect");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
    const conn = env.shopifyConnectionId;
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn, shopId: "23423423" } });
    const refresh = async () => {
      await requestRefresh(conn, user);
      await runNextRefresh("t");
    };
    const open = async () =>
      (await env.db.reconcileDifference.findMany({ where: { connectionId: conn, subjectId: shop.id, state: "open" }, orderBy: { id: "asc" } })).map(
        (d) => `${d.kind}:${d.key}:${d.amount.toFixed()}`,
      );
    const meter = async () => {
      const cycle = await env.db.reconcileCycle.findFirstOrThrow({ where: { connectionId: conn, subjectId: shop.id, cycleStart: shop.cycleStart! } });
      return { cycle, sms: (cycle.meters as CycleMeter[]).find((m) => m.handle === "sms_sent")! };
    };

    // Some usage Shopify has ruled on, then the worker's pull: figures per shop, then the log.
    const at = new Date(Date.now() - 60_000).toISOString();
    const send = async (key: string, value: number) => {
      await ingestEvents(
        [
          {
            platform: "shopify",
            connection_id: conn,
            shop_id: "23423423",
            event_handle: "sms_sent",
            timestamp: at,
            idempotency_key: key,
            attributes: { value },
          },
        ],
        { source: "api" },
      );
      for (let i = 0; i < 3; i++) await deliveryRound("t");
      await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
      await collectSandboxVerdicts("t");
    };
    await send("asof-early", 3);
    await refresh();
    const read = await env.db.platformFigure.findFirstOrThrow({ where: { subjectId: shop.id, handle: "sms_sent", source: "partner_api_usage" } });
    const first = await meter();
    const baseline = await open();
    expect(first.sms.platformUnits).toBe(first.sms.ourUnits);
    expect(first.sms.inFlight).toBeUndefined();

    // Sent after the read: Shopify accepts it and rules billable; our ledger has its verdict, the stored figure and log do not.
    await send("asof-late", 7);
    const late = await env.db.billingEvent.findFirstOrThrow({ where: { connectionId: conn, idempotencyKey: "asof-late" } });
    expect([late.state, late.platformVerdict]).toEqual(["accepted", "billable"]);
    expect(late.acceptedAt!.getTime()).toBeGreaterThan(read.fetchedAt.getTime());
    // One our ledger says was delivered an hour ago, that Shopify never got: missing there, read or not.
    await insertAcceptedUsage(env, {
      shopId: shop.id,
      quantity: "5",
      occurredAt: new Date(at),
      idempotencyKey: "asof-lost",
      acceptedAt: new Date(Date.now() - 3_600_000),
    });

    await reconcileConnection(conn);
    const inFlight = await meter();
    // Not missing there, no meter total difference: only the lost one is new.
    expect(await open()).toEqual([...baseline, "missing_there:asof-lost:0.05"]);
    expect(inFlight.sms.ourUnits).toBe(first.sms.ourUnits);
    expect(inFlight.sms.inFlight).toMatchObject({ count: 1, units: "7", readAt: read.fetchedAt.toISOString() });
    // Its money is what it adds to the meter at the plan's price (sms_sent: 0.01 USD a unit above the included ones).
    expect(["0.07", "0"]).toContain(inFlight.sms.inFlight!.amount);

    // After the next read it is compared: in our units and Shopify's alike, in flight no more; the lost one is still missing.
    await refresh();
    const compared = await meter();
    expect(compared.sms.inFlight).toBeUndefined();
    expect(compared.sms.ourUnits).toBe(String(Number(first.sms.ourUnits) + 7));
    expect(compared.sms.platformUnits).toBe(compared.sms.ourUnits);
    expect(await open()).toEqual([...baseline, "missing_there:asof-lost:0.05"]);
  });
});
