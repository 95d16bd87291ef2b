import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CycleMeter } from "../../domain/reconcile";
import { insertAcceptedUsage, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

/**
 * A meter's price changed under the same handle prices the cycles from then on; a cycle that had
 * ended before keeps the price it was billed at, in its meter total and in its differences' money.
 */
let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

const DAY = 86_400_000;

describe("a meter's price history", () => {
  it("a past cycle stays priced at the price it ended with after the plan's price changes; the current one takes the new price", async () => {
    const { reconcileConnection } = await import("./detect");
    const { pullSandboxLog } = await import("./reconcile");
    const conn = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "23423423" } });
    const plan = await env.db.plan.findFirstOrThrow({ where: { connectionId: conn.id, handle: shop.planHandle! }, include: { meters: true } });
    const meter = plan.meters.find((m) => m.handle === "sms_sent")!;
    const cs = shop.cycleStart!.getTime(),
      length = shop.cycleEnd!.getTime() - cs;
    const past = await env.db.reconcileCycle.create({
      data: { connectionId: conn.id, subjectId: shop.id, subjectLabel: shop.domain, cycleStart: new Date(cs - length), cycleEnd: shop.cycleStart! },
    });
    // 5,000 units the ledger says Shopify accepted in the past cycle, which Shopify's log does not have.
    const occurred = new Date(cs - length + DAY);
    await insertAcceptedUsage(env, {
      shopId: shop.id,
      quantity: "5000",
      occurredAt: occurred,
      idempotencyKey: "priced-past-1",
      platformVerdict: "billable",
      verdictSource: "person",
      acceptedAt: occurred,
    });
    await pullSandboxLog(conn, "t");
    const priced = async () => {
      await reconcileConnection(conn.id);
      const cycle = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: past.id } });
      const sms = (cycle.meters as CycleMeter[]).find((m) => m.handle === "sms_sent")!;
      const missing = await env.db.reconcileDifference.findFirstOrThrow({ where: { connectionId: conn.id, kind: "missing_there", key: "priced-past-1" } });
      return { ours: sms.ourAmount, missing: missing.amount.toFixed() };
    };
    const before = await priced();
    expect(Number(before.ours)).toBeGreaterThan(0);
    expect(before.missing).toBe(meter.unitPrice.times(5000).toFixed());

    // The partner triples the meter's price under the same handle.
    await env.db.meter.update({ where: { id: meter.id }, data: { unitPrice: meter.unitPrice.times(3) } });
    expect(await priced()).toEqual(before);
    const history = await env.db.meterPrice.findMany({ where: { planId: plan.id, handle: "sms_sent" }, orderBy: { effectiveFrom: "asc" } });
    expect(history.map((h) => h.unitPrice.toFixed())).toEqual([meter.unitPrice.toFixed(), meter.unitPrice.times(3).toFixed()]);
    // Written again at the same price (the sandbox sync does so on every run): no new entry.
    await env.db.meter.update({ where: { id: meter.id }, data: { unitPrice: meter.unitPrice.times(3) } });
    expect(await env.db.meterPrice.count({ where: { planId: plan.id, handle: "sms_sent" } })).toBe(2);

    // The current cycle ends after the change: it is priced at the new price.
    const current = await env.db.reconcileCycle.findFirstOrThrow({ where: { connectionId: conn.id, subjectId: shop.id, cycleStart: shop.cycleStart! } });
    await insertAcceptedUsage(env, {
      shopId: shop.id,
      quantity: "5000",
      occurredAt: new Date(Math.max(cs + 1000, Date.now() - 3_600_000)),
      idempotencyKey: "priced-now-1",
      platformVerdict: "billable",
      verdictSource: "person",
      acceptedAt: new Date(Date.now() - 3_600_000),
    });
    await reconcileConnection(conn.id);
    const now = await env.db.reconcileDifference.findFirstOrThrow({ where: { connectionId: conn.id, kind: "missing_there", key: "priced-now-1" } });
    expect([now.cycleStart, now.amount.toFixed()]).toEqual([current.cycleStart, meter.unitPrice.times(15000).toFixed()]);
  });
});
