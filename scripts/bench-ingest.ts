/**
 * Ingest benchmark: events per second through POST /api/v1/events (the built app, `next start`)
 * in batches of 1,000 into the ledger on the real Postgres, beside raw batched
 * INSERT ... ON CONFLICT DO NOTHING of the same rows into the same table, in the same run.
 * The two alternate over several rounds (the machine's speed drifts; each round measures both
 * under the same conditions) and the medians are compared.
 * Goal: at least 20,000 events/s, and at least half the raw rate.
 *   npm run build && npx tsx scripts/bench-ingest.ts [rounds=5] [batches per round=40] [concurrency=4]
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { startLedgerEnv } from "../lib/testing/ledger-env";

const rounds = Number(process.argv[2] ?? 5);
const batches = Number(process.argv[3] ?? 40);
const concurrency = Number(process.argv[4] ?? 4);
const port = 3400;
const env = await startLedgerEnv();
if (env.databaseKind !== "postgres") throw new Error("the ingest benchmark needs the real Postgres (TEST_DATABASE_URL)");
const { newApiKey } = await import("../lib/crypto");
const k = newApiKey();
const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
await env.db.ingestApiKey.create({ data: { name: "bench", prefix: k.prefix, hash: k.hash, createdById: admin.id } });

const app = spawn(path.resolve("node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], { env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn" }, stdio: "ignore" });
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/login`)).ok) break;
  } catch { /* starting */ }
  await new Promise((r) => setTimeout(r, 200));
}

const at = new Date(Date.now() - 60_000).toISOString();
const batch = (prefix: string, b: number) =>
  Array.from({ length: 1000 }, (_, i) => ({
    platform: "shopify", connection_id: env.shopifyConnectionId, shop_id: "23423423", event_handle: i % 10 === 0 ? "mms_sent" : "sms_sent",
    timestamp: at, idempotency_key: `${prefix}-${b}-${i}`, attributes: { value: 1 + (i % 5), campaign: `c${b % 7}` },
  }));

/** Events per second of `batches` sends, `concurrency` at a time. */
async function measure(send: (b: number) => Promise<void>, first: number) {
  const started = performance.now();
  let next = first;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < first + batches) await send(next++);
  }));
  return (batches * 1000) / ((performance.now() - started) / 1000);
}

const viaApi = async (b: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
    method: "POST", headers: { authorization: `Bearer ${k.key}`, "content-type": "application/json" }, body: JSON.stringify({ events: batch("api", b) }),
  });
  const body = (await res.json()) as { summary: { accepted: number } };
  if (res.status !== 200 || body.summary.accepted !== 1000) throw new Error(`batch ${b}: ${res.status} ${JSON.stringify(body.summary)}`);
};

const shop = await env.db.shop.findFirstOrThrow({ where: { shopId: "23423423" } });
const raw = async (b: number) => {
  const rows = batch("raw", b).map((e) => ({ ...e, shop: shop.id, payload: e }));
  await env.db.$executeRaw`
    INSERT INTO billing_events (connection_id, platform, kind, shop_id, handle, quantity, occurred_at, idempotency_key, payload, source, predicted_verdict, state, next_attempt_at, updated_at)
    SELECT x.connection_id::uuid, 'shopify', 'shopify_usage', x.shop::uuid, x.event_handle, (x.attributes->>'value')::numeric, x.timestamp::timestamptz, x.idempotency_key, x.payload, 'api', 'billable', 'queued', now(), now()
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(connection_id text, shop text, event_handle text, attributes jsonb, timestamp text, idempotency_key text, payload jsonb)
    ON CONFLICT (connection_id, idempotency_key) DO NOTHING`;
};

await viaApi(-1); // warm-up batches, not counted
await raw(-1);
const fmt = (n: number) => Math.round(n).toLocaleString("en").padStart(7);
const apiRates: number[] = [];
const rawRates: number[] = [];
for (let r = 0; r < rounds; r++) {
  apiRates.push(await measure(viaApi, r * batches));
  rawRates.push(await measure(raw, r * batches));
  console.log(`round ${r + 1}: POST /api/v1/events ${fmt(apiRates.at(-1)!)} events/s   raw INSERT ${fmt(rawRates.at(-1)!)} events/s`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const api = median(apiRates);
const rawRate = median(rawRates);
const total = (rounds * batches * 1000).toLocaleString("en");
console.log(`POST /api/v1/events (batches of 1,000, ${concurrency} at a time)          median ${fmt(api)} events/s  (${total} events)`);
console.log(`raw INSERT ... ON CONFLICT DO NOTHING (1,000 a statement)   median ${fmt(rawRate)} events/s  (${total} events)`);
console.log(`API / raw = ${((api / rawRate) * 100).toFixed(0)} % (goal: at least 50 %, and at least 20,000 events/s through the API)`);
app.kill("SIGTERM");
await env.close();
process.exit(0);
