import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

/**
 * Real worker processes, killed with SIGKILL again and again during a 10,000-event burst while
 * the sandbox answers 20 % of the sends with 5xx, timeouts and 429s. Afterwards the sandbox's log
 * and the ledger agree: every event delivered, exactly once.
 */
let env: LedgerEnv;
const workers = new Set<ChildProcess>();

beforeAll(async () => {
  env = await startLedgerEnv({ verdictDelayMs: 0 });
});
afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await env?.close();
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    env: { ...process.env, LOG_LEVEL: "silent", WORKER_LEASE_SECONDS: "3", WORKER_SEND_TIMEOUT_MS: "1500", WORKER_BATCH: "100", WORKER_MAX_ATTEMPTS: "30" },
    stdio: "ignore",
  });
  workers.add(child);
  child.on("exit", () => workers.delete(child));
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a worker killed mid-burst", () => {
  it("loses nothing and charges nothing twice", { timeout: 300_000 }, async () => {
    const { ingestEvents } = await import("../services/ingest/ingest");
    const at = new Date(Date.now() - 60_000).toISOString();
    for (let b = 0; b < 10; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        platform: "shopify",
        connection_id: env.shopifyConnectionId,
        shop_id: "23423423",
        event_handle: "sms_sent",
        timestamp: at,
        idempotency_key: `burst-${b}-${i}`,
        attributes: { value: 1 },
      }));
      const results = await ingestEvents(batch, { source: "api" });
      expect(results.every((r) => r.status === "accepted")).toBe(true);
    }
    const post = (p: string, body: unknown, method = "POST") =>
      sandboxJson(env, p, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await post("/_sandbox/settings", { faultTimeoutHoldMs: 2000 }, "PATCH");
    await post("/_sandbox/faults", { route: "POST /app/*/events", error5xxRate: 0.1, timeoutRate: 0.05, rate429Rate: 0.05 });

    startWorker();
    startWorker();
    let kills = 0;
    const deadline = Date.now() + 240_000;
    for (;;) {
      await sleep(kills < 8 ? 3000 : 1000);
      const open = await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "burst-" }, state: { in: ["queued", "sending", "retrying"] } } });
      if (open === 0 || Date.now() > deadline) break;
      if (kills < 8) {
        const victim = [...workers][Math.floor(Math.random() * workers.size)];
        victim?.kill("SIGKILL");
        kills += 1;
        startWorker();
      }
      if (kills === 8) await post("/_sandbox/faults", {}, "DELETE");
    }
    for (const w of workers) w.kill("SIGTERM");

    const states = await env.db.billingEvent.groupBy({ by: ["state"], where: { idempotencyKey: { startsWith: "burst-" } }, _count: true });
    expect(Object.fromEntries(states.map((s) => [s.state, s._count]))).toEqual({ accepted: 10_000 });
    expect(kills).toBeGreaterThanOrEqual(5);

    const keys = new Map<string, number>();
    let after: string | null = null;
    do {
      const page: { rows: { idempotency_key: string }[]; next_cursor: string | null } = await sandboxJson(
        env,
        `/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250&order=asc&status=200${after ? `&after=${after}` : ""}`,
      );
      for (const r of page.rows) if (r.idempotency_key.startsWith("burst-")) keys.set(r.idempotency_key, (keys.get(r.idempotency_key) ?? 0) + 1);
      after = page.next_cursor;
    } while (after);
    // Accepted requests (status 200) in the log: one per key; refused 5xx/429/409 rows are not charges.
    expect(keys.size).toBe(10_000);
    expect([...keys.values()].filter((n) => n > 1)).toEqual([]);
    // What Shopify would bill: the dev store's sms_sent usage this cycle counts each event once.
    await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
    const shops = await sandboxJson<{ shops: { id: string; subscription: { usage: { meter: string; quantity: string }[] } | null }[] }>(
      env,
      "/_sandbox/shopify/apps/sandbox-sms-blaster/shops",
    );
    const usage = shops.shops.find((s) => s.id === "23423423")!.subscription!.usage.find((u) => u.meter === "sms_sent")!;
    expect(usage.quantity).toBe("10000");
    const retried = await env.db.deliveryAttempt.count({ where: { event: { idempotencyKey: { startsWith: "burst-" } }, number: { gt: 1 } } });
    expect(retried).toBeGreaterThan(0);
  });
});
