// The demo's reconcile page compares like with like: its current cycles' usage is really delivered
// to the sandbox, so once the figures are pulled every current cycle balances, meter by meter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../lib/testing/ledger-env";

let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

describe("the demo's history", () => {
  it("is delivered for the current cycles, and Reconcile then shows the platform's figures equal to ours", async () => {
    const seed = await import("./seed");
    const { deliveryRound } = await import("../lib/worker/delivery");
    const { collectSandboxVerdicts } = await import("../lib/services/delivery/verdicts");
    const { runNextRefresh } = await import("../lib/services/reconcile/platform-figures");
    const connectionId = env.shopifyConnectionId;
    // The ledger env's connection plays the demo's: createDemoHistory writes to the demo connection ids.
    expect(connectionId).toBe(seed.DEMO_SHOPIFY_CONNECTION_ID);
    const created = await seed.createDemoHistory(env.db);
    expect(created).toBeGreaterThan(500);
    const queued = await env.db.billingEvent.count({ where: { connectionId, state: "queued" } });
    expect(queued).toBeGreaterThan(100);

    for (let i = 0; i < 50 && (await env.db.billingEvent.count({ where: { connectionId, state: { in: ["queued", "sending", "retrying"] } } })) > 0; i++)
      await deliveryRound("t");
    await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
    await collectSandboxVerdicts("t");
    await seed.refreshWhenDelivered(env.db, 5_000);
    expect(await runNextRefresh("t")).not.toBeNull();

    const cycles = await env.db.reconcileCycle.findMany({ where: { connectionId } });
    const meters = cycles.flatMap(
      (c) => c.meters as { handle: string; ourUnits: string; platformUnits: string | null; ourAmount: string | null; platformAmount: string | null }[],
    );
    const compared = meters.filter((m) => m.platformUnits !== null);
    expect(compared.length).toBeGreaterThan(2);
    expect(compared.filter((m) => Number(m.ourUnits) > 0).length).toBeGreaterThan(2);
    for (const m of compared) expect([m.handle, m.ourUnits, m.ourAmount]).toEqual([m.handle, m.platformUnits, m.platformAmount]);
    expect(await env.db.reconcileDifference.count({ where: { connectionId, state: "open" } })).toBe(0);
    // What the demo sent this cycle, Shopify answered as predicted: no "billable" prediction came back failed
    // (SMS usage only for shops whose plan meters it), so Overview shows no failures the product did not foresee.
    const mispredicted = await env.db.billingEvent.count({
      where: { connectionId, verdictSource: "sandbox_log", predictedVerdict: "billable", platformVerdict: "failed" },
    });
    expect(mispredicted).toBe(0);
  });
});
