import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

describe("warnings before events go unbillable", () => {
  it("raises each warning once, from the ledger as it stands", async () => {
    const { evaluateWarnings } = await import("./warnings");
    const now = new Date();
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const c = env.shopifyConnectionId;
    const [dev, gone] = await Promise.all([
      env.db.shop.findFirstOrThrow({ where: { connectionId: c, shopId: "23423423" } }),
      env.db.shop.findFirstOrThrow({ where: { connectionId: c, shopId: "1002003005" } }),
    ]);
    await env.db.shop.update({ where: { id: dev.id }, data: { cycleEnd: new Date(now.getTime() + 5 * 3_600_000), cycleStart: hoursAgo(24 * 25) } });
    await env.db.shop.update({ where: { id: gone.id }, data: { installState: "uninstalled", uninstalledAt: hoursAgo(2) } });
    await env.db.connection.update({ where: { id: c }, data: { alertWebhookUrl: "http://127.0.0.1:9/hook" } });
    await env.db
      .$executeRaw`UPDATE connections SET last_send_at = ${hoursAgo(0.1)}, last_auth_error_at = ${hoursAgo(0.1)}, last_send_error = '401 unauthorized' WHERE id = ${c}::uuid`;
    let n = 0;
    const event = (shopId: string, at: Date, extra: Record<string, unknown> = {}) => ({
      connectionId: c,
      platform: "shopify" as const,
      kind: "shopify_usage" as const,
      shopId,
      handle: "sms_sent",
      quantity: "1",
      occurredAt: at,
      idempotencyKey: `warn-${n++}`,
      payload: {},
      source: "api" as const,
      predictedVerdict: "billable" as const,
      state: "accepted" as const,
      ...extra,
    });
    await env.db.billingEvent.createMany({
      data: [
        event(dev.id, hoursAgo(1), { state: "queued" }),
        event(gone.id, hoursAgo(3), { state: "held" }),
        // A spike: 30 events in the last hour, 12 failed, against a quiet day before.
        ...Array.from({ length: 30 }, (_, i) => event(dev.id, hoursAgo(0.5), i < 12 ? { state: "failed" } : {})),
        ...Array.from({ length: 48 }, () => event(dev.id, hoursAgo(10))),
        // A meter that reported every day for a week, and not today.
        ...Array.from({ length: 7 }, (_, d) => event(dev.id, hoursAgo(26 + 24 * d), { handle: "mms_sent" })),
      ],
    });
    const first = await evaluateWarnings(now);
    expect(first.map((w) => w.kind).sort()).toEqual([
      "connection_auth_failed",
      "error_spike",
      "meter_quiet",
      "pending_near_cycle_end",
      "uninstalled_undelivered",
    ]);
    expect(await evaluateWarnings(now)).toEqual([]);
    const alerts = await env.db.alert.findMany({ orderBy: { kind: "asc" } });
    expect(alerts).toHaveLength(5);
    expect(alerts.every((a) => a.webhookStatus === "pending")).toBe(true);
    expect(alerts.find((a) => a.kind === "uninstalled_undelivered")!.severity).toBe("critical");
  });
});
