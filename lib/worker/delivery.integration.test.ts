import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

let env: LedgerEnv;
let ingestEvents: typeof import("../services/ingest/ingest").ingestEvents;
let deliveryRound: typeof import("./delivery").deliveryRound;
let collectSandboxVerdicts: typeof import("../services/delivery/verdicts").collectSandboxVerdicts;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ ingestEvents } = await import("../services/ingest/ingest"));
  ({ deliveryRound } = await import("./delivery"));
  ({ collectSandboxVerdicts } = await import("../services/delivery/verdicts"));
});
afterAll(async () => env?.close());

type LogRow = { idempotency_key: string; billable: boolean | null; billing_result_code: string | null };
async function sandboxLog(): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  let after: string | null = null;
  do {
    const page: { rows: LogRow[]; next_cursor: string | null } = await sandboxJson(
      env,
      `/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250&order=asc${after ? `&after=${after}` : ""}`,
    );
    rows.push(...page.rows);
    after = page.next_cursor;
  } while (after);
  return rows;
}

async function drainWith(workers: number) {
  for (let round = 0; round < 50; round++) {
    const stats = await Promise.all(Array.from({ length: workers }, (_, i) => deliveryRound(`test-worker-${i}`)));
    if (stats.every((s) => !s.claimed)) break;
  }
  await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
  await collectSandboxVerdicts("test-worker");
}

const iso = (ms: number) => new Date(ms).toISOString();

describe("delivery", () => {
  it("turns 1,000 concurrent submissions over 100 keys into exactly 100 ledger events and 100 platform events", async () => {
    const at = Date.now() - 60_000;
    const submissions = Array.from({ length: 1000 }, (_, i) => ({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: "23423423",
      event_handle: "sms_sent",
      timestamp: iso(at),
      idempotency_key: `conc-${i % 100}`,
      attributes: { value: 1 },
    }));
    const results = await Promise.all(submissions.map((s) => ingestEvents([s], { source: "api" })));
    const statuses = results.map((r) => r[0]!.status);
    expect(statuses.filter((s) => s === "accepted")).toHaveLength(100);
    expect(statuses.filter((s) => s === "duplicate")).toHaveLength(900);
    // Every submission of a key got the same event back.
    const idsByKey = new Map<string, Set<string>>();
    results.forEach((r, i) => {
      const x = r[0]!;
      if (x.status !== "rejected") idsByKey.set(`conc-${i % 100}`, (idsByKey.get(`conc-${i % 100}`) ?? new Set()).add(x.eventId));
    });
    expect([...idsByKey.values()].every((ids) => ids.size === 1)).toBe(true);

    await drainWith(3);
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "conc-" } } })).toBe(100);
    const log = (await sandboxLog()).filter((r) => r.idempotency_key.startsWith("conc-"));
    expect(log).toHaveLength(100);
    expect(new Set(log.map((r) => r.idempotency_key)).size).toBe(100);
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "conc-" }, platformVerdict: "billable" } })).toBe(100);
  });

  it("predicts each billing code the sandbox then reports for the same event", async () => {
    const now = Date.now();
    const shops = await sandboxJson<{
      shops: { id: string; installed: boolean; subscription: { planHandle: string; currentBillingCycle: { startTime: string } } | null }[];
    }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/shops");
    const on = (plan: string | null) => shops.shops.find((s) => s.installed && (plan ? s.subscription?.planHandle === plan : !s.subscription))!;
    const pro = on("sms-pro");
    const cycleStart = Date.parse(pro.subscription!.currentBillingCycle.startTime);
    const ev = (key: string, shop: string, extra: Record<string, unknown> = {}) => ({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: shop,
      event_handle: "sms_sent",
      timestamp: iso(now - 60_000),
      idempotency_key: key,
      attributes: { value: 1 },
      send_anyway: true,
      ...extra,
    });
    const cases: [string, Record<string, unknown>][] = [
      ["SUCCESS", ev("code-success", pro.id)],
      ["NO_SUBSCRIPTION", ev("code-nosub", on(null).id)],
      ["SUBSCRIPTION_NOT_METERED", ev("code-notmetered", on("basic").id)],
      ["PERIOD_CLOSED", ev("code-closed", shops.shops.find((s) => !s.installed)!.id)],
      ["PERIOD_CLOSED", ev("code-closed-cycle", pro.id, { timestamp: iso(cycleStart - 3 * 24 * 3_600_000) })],
    ];
    const results = await ingestEvents(
      cases.map((c) => c[1]),
      { source: "api" },
    );
    const predicted = results.map((r) =>
      r.status === "rejected" ? `rejected ${JSON.stringify(r.fieldErrors)}` : "predicted" in r ? (r.predicted.code ?? "SUCCESS") : r.status,
    );
    expect(predicted).toEqual(cases.map((c) => c[0]));
    await drainWith(1);
    const events = await env.db.billingEvent.findMany({ where: { idempotencyKey: { startsWith: "code-" } } });
    const actual = Object.fromEntries(events.map((e) => [e.idempotencyKey, e.platformVerdict === "failed" ? e.platformCode : "SUCCESS"]));
    expect(cases.map((c) => actual[(c[1] as { idempotency_key: string }).idempotency_key])).toEqual(cases.map((c) => c[0]));
  });

  it("retries 5xx, 429 and timeouts with the same key and never charges twice", async () => {
    await sandboxJson(env, "/_sandbox/faults", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ route: "POST /app/*/events", error5xxRate: 0.3, rate429Rate: 0.2, times: 40 }),
    });
    const at = Date.now() - 60_000;
    const batch = Array.from({ length: 60 }, (_, i) => ({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: "23423423",
      event_handle: "sms_sent",
      timestamp: iso(at),
      idempotency_key: `faulty-${i}`,
      attributes: { value: 2 },
    }));
    await ingestEvents(batch, { source: "api" });
    for (let i = 0; i < 30; i++) {
      await drainWith(2);
      await env.db.billingEvent.updateMany({ where: { state: "retrying" }, data: { nextAttemptAt: new Date() } });
      if (!(await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "faulty-" }, state: { not: "accepted" } } }))) break;
    }
    await sandboxJson(env, "/_sandbox/faults", { method: "DELETE" });
    const events = await env.db.billingEvent.findMany({ where: { idempotencyKey: { startsWith: "faulty-" } }, include: { attempts: true } });
    expect(events.every((e) => e.state === "accepted")).toBe(true);
    expect(events.some((e) => e.attempts.length > 1)).toBe(true);
    const log = (await sandboxLog()).filter((r) => r.idempotency_key.startsWith("faulty-") && r.billable !== null);
    expect(new Set(log.map((r) => r.idempotency_key)).size).toBe(60);
    expect(log.filter((r) => r.billable).length).toBe(60);
  });
});
