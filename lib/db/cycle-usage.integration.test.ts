import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

const MS = 1,
  HOUR = 3_600_000,
  DAY = 24 * HOUR;

describe("a billing cycle's usage", () => {
  it("counts exactly the events inside [start, end): start − 1 ms and end are out, start and end − 1 ms are in", async () => {
    const { currentCycleUsage } = await import("./rollups");
    const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: env.shopifyConnectionId, shopId: "1002003005" } });
    // A cycle whose edges fall inside an hour and inside a day: 3 days 5 h 17 min 12.345 s ago, 30 days long.
    const start = new Date(Date.now() - 3 * DAY - 5 * HOUR - 17 * 60_000 - 12_345);
    const end = new Date(start.getTime() + 30 * DAY);
    await env.db.shop.update({ where: { id: shop.id }, data: { cycleStart: start, cycleEnd: end } });
    // One event per instant, each with its own power of two, so the sum says which were counted.
    const instants: [string, Date, number][] = [
      ["before start", new Date(start.getTime() - MS), 1],
      ["at start", start, 2],
      ["first whole hour", new Date(Math.ceil(start.getTime() / HOUR) * HOUR), 4],
      ["a whole day in", new Date(start.getTime() + 2 * DAY), 8],
      ["last millisecond", new Date(end.getTime() - MS), 16],
      ["at end", end, 32],
      ["an hour before start", new Date(start.getTime() - HOUR + 1), 64],
    ];
    for (const [name, at, units] of instants) {
      await env.db.billingEvent.create({
        data: {
          connectionId: env.shopifyConnectionId,
          platform: "shopify",
          kind: "shopify_usage",
          shopId: shop.id,
          handle: "sms_sent",
          quantity: String(units),
          occurredAt: at,
          idempotencyKey: `edge-${units}`,
          payload: { name },
          source: "import",
          predictedVerdict: "billable",
          state: "accepted",
          platformVerdict: "billable",
        },
      });
    }
    const rows = await currentCycleUsage({ subjectId: shop.id }, new Date());
    const billable = rows.filter((r) => r.outcome === "billable" && r.handle === "sms_sent");
    expect(billable.map((r) => r.quantity.toFixed())).toEqual([String(2 + 4 + 8 + 16)]);
  });

  it("gives the tutorial's 150 units / 0.50 / 10.49 on every run, twice within the hour, as the Partner API does", async () => {
    const { ingestEvents } = await import("../services/ingest/ingest");
    const { deliveryRound } = await import("../worker/delivery");
    const { collectSandboxVerdicts } = await import("../services/delivery/verdicts");
    const { syncSandboxConnection } = await import("../services/connections/sync-sandbox");
    const { cycleOverview } = await import("./overview-cycle");
    const { currentCycleUsage } = await import("./rollups");
    const { createShopifyPartnerClient } = await import("../platforms/shopify/client");
    const { decryptSecret } = await import("../crypto");
    const conn = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    const partner = createShopifyPartnerClient({ url: conn.partnerApiUrl!, accessToken: decryptSecret(conn.partnerApiTokenEnc!) });

    for (const run of [1, 2]) {
      // The tutorial subscribes the store to sms-pro afresh (a new cycle starts now) and sends 100 + 50 SMS.
      await sandboxJson(env, "/_sandbox/shopify/shops/1002003004/subscribe", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ plan: "sms-pro" }),
      });
      await syncSandboxConnection(conn.id);
      const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "1002003004" } });
      const at = new Date().toISOString();
      const results = await ingestEvents(
        [100, 50].map((value, i) => ({
          platform: "shopify",
          connection_id: conn.id,
          shop_id: "1002003004",
          event_handle: "sms_sent",
          timestamp: at,
          idempotency_key: `tutorial-${run}-${i}`,
          attributes: { value },
        })),
        { source: "api" },
      );
      expect(results.map((r) => r.status)).toEqual(["accepted", "accepted"]);
      for (let i = 0; i < 3; i++) await deliveryRound("t");
      await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
      await collectSandboxVerdicts("t");

      const now = new Date();
      const usage = (await currentCycleUsage({ subjectId: shop.id, handle: "sms_sent" }, now)).filter((r) => r.outcome === "billable");
      expect(usage.map((r) => r.quantity.toFixed())).toEqual(["150"]);
      const { revenue } = await cycleOverview({ subjectId: shop.id }, now);
      expect(revenue.map((r) => [r.currency, r.units, r.current])).toEqual([["USD", "150", "10.49"]]);
      // A cycle minutes old is not projected: the figure stays what it is.
      expect(revenue.map((r) => [r.projected, r.projectedSubjects])).toEqual([["10.49", 0]]);
      const sub = await partner.activeSubscription(conn.appGid!, "gid://shopify/Shop/1002003004");
      const sms = sub?.items.find((i) => i.handle === "sms_sent");
      expect([String(sms?.usage?.quantity), sms?.usage?.cost?.amount]).toEqual(["150", "0.50"]);
    }
  });
});
