import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

const MIN = 60_000,
  DAY = 24 * 60 * MIN;

describe("the 24 hours after an uninstall, in ingest and in the worker's warnings", () => {
  it("sends usage from before the uninstall at 24 h − 1 min, holds it as PERIOD_CLOSED at 24 h + 1 min, and warns only inside", async () => {
    const { ingestEvents } = await import("./ingest");
    const { gatherWarnings } = await import("../alerts/warnings");
    const { syncSandboxConnection } = await import("../connections/sync-sandbox");
    await sandboxJson(env, "/_sandbox/shopify/shops/1002003004/uninstall", { method: "POST" });
    await syncSandboxConnection(env.shopifyConnectionId);
    // The uninstall ended the subscription; the shop keeps the plan and cycle it had, for the 24 hours.
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: env.shopifyConnectionId, shopId: "1002003004" } });
    expect([shop.installState, shop.planHandle, shop.subscriptionStatus]).toEqual(["uninstalled", "sms-pro", "CANCELLED"]);
    expect(shop.cycleStart).not.toBeNull();

    const send = async (key: string, uninstalledAgo: number) => {
      const uninstalledAt = new Date(Date.now() - uninstalledAgo);
      await env.db.shop.update({ where: { id: shop.id }, data: { uninstalledAt } });
      const [r] = await ingestEvents(
        [
          {
            platform: "shopify",
            connection_id: env.shopifyConnectionId,
            shop_id: "1002003004",
            event_handle: "sms_sent",
            timestamp: new Date(uninstalledAt.getTime() - 10 * MIN).toISOString(),
            idempotency_key: key,
            attributes: { value: 3 },
          },
        ],
        { source: "api" },
      );
      return r as { status: string; predicted: { verdict: string; code: string | null } };
    };
    const inside = await send("grace-inside", DAY - MIN);
    expect([inside.status, inside.predicted.verdict]).toEqual(["accepted", "billable"]);
    const warned = (await gatherWarnings(new Date())).filter((w) => w.kind === "uninstalled_undelivered" && w.subjectId === shop.id);
    expect(warned).toHaveLength(1);

    const outside = await send("grace-outside", DAY + MIN);
    expect([outside.status, outside.predicted.verdict, outside.predicted.code]).toEqual(["held", "failed", "PERIOD_CLOSED"]);
    expect((await gatherWarnings(new Date())).filter((w) => w.kind === "uninstalled_undelivered" && w.subjectId === shop.id)).toEqual([]);
  });
});
