import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

/**
 * The delivery queue is claimed per connection: one app's backlog, due earlier and with lower ids,
 * must not keep another app's events waiting (with several apps, the third one was starved to
 * 16/s and its leases ran out).
 */
let env: LedgerEnv;
let claims: typeof import("./claims");

beforeAll(async () => {
  env = await startLedgerEnv();
  claims = await import("./claims");
});
afterAll(async () => env?.close());

async function secondShopifyConnection(): Promise<string> {
  const id = randomUUID();
  await env.db.$executeRaw`
    INSERT INTO connections (id, platform, name, client_id, environment, api_base_url, client_secret_enc, created_at, updated_at)
    SELECT ${id}::uuid, platform, name || ' 2', client_id || '-' || ${id}, environment, api_base_url, client_secret_enc, now(), now()
    FROM connections WHERE id = ${env.shopifyConnectionId}::uuid`;
  return id;
}

async function queue(connectionId: string, prefix: string, n: number, dueSecondsAgo: number) {
  await env.db.$executeRaw`
    INSERT INTO billing_events (connection_id, platform, kind, handle, quantity, occurred_at, idempotency_key, payload, source, predicted_verdict, state, next_attempt_at, updated_at)
    SELECT ${connectionId}::uuid, 'shopify', 'shopify_usage', 'sms_sent', 1, now(), ${prefix} || g, '{}'::jsonb, 'api', 'billable', 'queued',
      now() - make_interval(secs => ${dueSecondsAgo}), now()
    FROM generate_series(1, ${n}) g`;
}

describe("claimEvents", () => {
  it("claims each connection's own share, however large another connection's earlier backlog", async () => {
    const other = await secondShopifyConnection();
    await queue(env.shopifyConnectionId, "claim-a-", 300, 60);
    await queue(other, "claim-b-", 10, 1);

    const first = await claims.claimEvents("test-worker", { shopify: 100, wix: 100 });
    const count = (id: string) => first.filter((e) => e.connection_id === id).length;
    expect(count(env.shopifyConnectionId)).toBe(100);
    expect(count(other)).toBe(10);

    // A concurrent claim skips what is leased and takes the next share of the backlog.
    const second = await claims.claimEvents("test-worker-2", { shopify: 100, wix: 100 });
    expect(second).toHaveLength(100);
    expect(second.every((e) => e.connection_id === env.shopifyConnectionId)).toBe(true);
    expect(new Set([...first, ...second].map((e) => e.id)).size).toBe(210);
  });

  it("leaves a disabled connection's events queued", async () => {
    const other = await secondShopifyConnection();
    await queue(other, "claim-c-", 5, 1);
    await env.db.connection.update({ where: { id: other }, data: { disabledAt: new Date() } });
    const claimed = await claims.claimEvents("test-worker", { shopify: 100, wix: 100 });
    expect(claimed.filter((e) => e.connection_id === other)).toHaveLength(0);
  });
});
