/**
 * Ingest benchmark: events per second through POST /api/v1/events (the built app, `next start`)
 * in batches of 1,000 into the ledger on the real Postgres, beside raw batched
 * INSERT ... ON CONFLICT DO NOTHING of the same rows into the same table, in the same run.
 * The two alternate over several rounds (the machine's speed drifts; each round measures both
 * under the same conditions) and the medians are compared.
 * The workload is a partner's: 1,000 shops on the connection's plans, every meter handle,
 * timestamps spread over 48 hours, and in every 100 events 5 resends and 3 bad events (value 0,
 * an hour ahead, a malformed shop id). Raw inserts the same rows minus the bad ones.
 * Goal: at least 20,000 events/s (events sent, resends and bad ones included), and at least half
 * the raw rate. Every batch must come back with exactly its bad events rejected and the rest taken
 * in; the ledger must hold exactly the new events, every shop, handle and ~48 hours of them.
 *   npm run build && npx tsx scripts/bench-ingest.ts [rounds=5] [batches per round=40] [concurrency=4] [--smoke]
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { startLedgerEnv } from "../lib/testing/ledger-env";
import { BenchReport, cannotMeasure, smoke, stopOnUnexpectedErrors, waitForHttp } from "./bench-report";
import { one } from "./bench-helpers";

stopOnUnexpectedErrors();
const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const rounds = Number(positional[0] ?? (smoke ? 1 : 5));
const batches = Number(positional[1] ?? (smoke ? 4 : 40));
const concurrency = Number(positional[2] ?? 4);
const port = Number(process.env.BENCH_APP_PORT ?? 3950);
const env = await startLedgerEnv();
if (env.databaseKind !== "postgres") cannotMeasure("the ingest benchmark needs the real Postgres (TEST_DATABASE_URL)");
const report = new BenchReport(`Ingest benchmark: POST /api/v1/events, ${rounds} round(s) of ${batches} batches of 1,000, ${concurrency} at a time`);
await report.machine(process.env.DATABASE_URL);
const { newApiKey } = await import("../lib/crypto");
const k = newApiKey();
const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
await env.db.ingestApiKey.create({ data: { name: "bench", prefix: k.prefix, hash: k.hash, createdById: admin.id } });

const app = spawn(path.resolve("node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
  env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn" },
  stdio: "ignore",
});
process.on("exit", () => app.kill("SIGTERM")); // also when the benchmark stops early (cannotMeasure)
await waitForHttp(`http://127.0.0.1:${port}/login`, "next start (run `npm run build` first)", 60_000, () => app.exitCode !== null);

// The workload: 1,000 known shops (cloned from the sandbox's subscribed shops, so each has a
// plan, a cycle and its meters), every meter handle of the connection, timestamps spread over
// the last 48 hours. In each 100 events of a batch: 3 bad ones (refused at their field, never
// stored), 5 resends of an event already sent (answered `duplicate`), 92 new ones.
const SHOPS = 1000;
const templates = await env.db.shop.findMany({
  where: { connectionId: env.shopifyConnectionId, subscriptionStatus: "ACTIVE", planHandle: { not: null } },
  orderBy: { shopId: "asc" },
});
if (templates.length === 0) cannotMeasure("the sandbox connection has no subscribed shop to clone");
await env.db.$executeRaw`
  INSERT INTO shops (id, connection_id, shop_id, domain, name, is_dev_store, install_state, plan_handle, subscription_status, cycle_start, cycle_end, subscription_started_at, subscription_synced_at, installed_at)
  SELECT gen_random_uuid(), t.connection_id, (8000000000 + g)::text, 'bench-' || g || '.myshopify.com', 'Bench shop ' || g, t.is_dev_store, t.install_state,
    t.plan_handle, t.subscription_status, t.cycle_start, t.cycle_end, t.subscription_started_at, t.subscription_synced_at, t.installed_at
  FROM generate_series(0, ${SHOPS - 1}) g
  JOIN LATERAL (SELECT * FROM shops WHERE id = (${templates.map((t) => t.id)}::uuid[])[1 + g % ${templates.length}]) t ON true`;
const shops = await env.db.shop.findMany({
  where: { shopId: { startsWith: "8000" }, connectionId: env.shopifyConnectionId },
  select: { id: true, shopId: true },
});
const shopUuid = new Map(shops.map((s) => [s.shopId, s.id]));
const handles = (await env.db.meter.findMany({ where: { plan: { connectionId: env.shopifyConnectionId } }, distinct: ["handle"], select: { handle: true } }))
  .map((m) => m.handle)
  .sort();
if (shops.length !== SHOPS || handles.length < 2) cannotMeasure(`workload setup: ${shops.length} shops, ${handles.length} handles`);

const origin = Date.now() - 60_000;
const BAD = 3;
const DUP = 5;
const kindOf = (i: number) => (i % 100 < BAD ? "bad" : i % 100 < BAD + DUP ? "dup" : "new");
const badEvents: ((e: Record<string, unknown>) => Record<string, unknown>)[] = [
  (e) => ({ ...e, attributes: { value: 0 } }), // value not above 0
  (e) => ({ ...e, timestamp: new Date(origin + 3_600_000).toISOString() }), // an hour ahead
  (e) => ({ ...e, shop_id: "not-a-shop" }), // malformed shop id
];
/** Event `i` of batch `b`: deterministic, so a resend can rebuild the original exactly. */
function event(prefix: string, b: number, i: number): Record<string, unknown> {
  const h = (Math.imul(b + 7, 2654435761) ^ Math.imul(i + 13, 40503)) >>> 0;
  const base = {
    platform: "shopify",
    connection_id: env.shopifyConnectionId,
    shop_id: String(8000000000 + ((i * 7 + b * 13) % SHOPS)),
    event_handle: handles[(i + b) % handles.length],
    timestamp: new Date(origin - (h % (48 * 3_600_000))).toISOString(),
    idempotency_key: `${prefix}-${b}-${i}`,
    attributes: { value: 1 + (h % 5), campaign: `c${h % 7}` },
  };
  if (kindOf(i) === "bad") return badEvents[Math.floor(i / 100) % badEvents.length]!(base);
  // A resend of a new event sent 2 × concurrency batches before (or in the warm-up batch, -1,
  // whose own "resends" are of events never sent: new there).
  if (kindOf(i) === "dup") return event(prefix, b - 2 * concurrency >= 0 ? b - 2 * concurrency : b === -1 ? -2 : -1, i + 10);
  return base;
}
const batch = (prefix: string, b: number) => Array.from({ length: 1000 }, (_, i) => event(prefix, b, i));
const perBatch = { bad: 0, dup: 0, new: 0 };
for (let i = 0; i < 1000; i++) perBatch[kindOf(i)] += 1;
const sent = { accepted: 0, held: 0, duplicate: 0, conflict: 0, rejected: 0 };

/** Events per second of `batches` sends, `concurrency` at a time. */
async function measure(send: (b: number) => Promise<void>, first: number) {
  const started = performance.now();
  let next = first;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < first + batches) await send(next++);
    }),
  );
  return (batches * 1000) / ((performance.now() - started) / 1000);
}

const viaApi = async (b: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${k.key}`, "content-type": "application/json" },
    body: JSON.stringify({ events: batch("api", b) }),
  });
  const body = (await res.json()) as { summary?: typeof sent };
  const sum = body.summary;
  if (res.status !== 200 || !sum || sum.rejected !== perBatch.bad || sum.conflict !== 0 || sum.accepted + sum.held + sum.duplicate !== 1000 - perBatch.bad) {
    cannotMeasure(`batch ${b}: expected ${perBatch.bad} rejected and the rest taken in: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  for (const k of Object.keys(sent) as (keyof typeof sent)[]) sent[k] += sum[k];
};

// Raw gets the rows the API stores or finds stored (the bad ones never reach the table), resends included.
const raw = async (b: number) => {
  const rows = batch("raw", b)
    .filter((_, i) => kindOf(i) !== "bad")
    .map((e) => ({ ...e, shop: shopUuid.get(e.shop_id as string), payload: { attributes: e.attributes } })); // compact, as ingest stores it
  await env.db.$executeRaw`
    INSERT INTO billing_events (connection_id, platform, kind, shop_id, handle, quantity, occurred_at, idempotency_key, payload, source, predicted_verdict, state, next_attempt_at, updated_at)
    SELECT x.connection_id::uuid, 'shopify', 'shopify_usage', x.shop::uuid, x.event_handle, (x.attributes->>'value')::numeric, x.timestamp::timestamptz, x.idempotency_key, x.payload, 'api', 'billable', 'queued', now(), now()
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(connection_id text, shop text, event_handle text, attributes jsonb, timestamp text, idempotency_key text, payload jsonb)
    ON CONFLICT (connection_id, idempotency_key) DO NOTHING`;
};

await viaApi(-1); // warm-up batches, not counted
await raw(-1);
for (const k of Object.keys(sent) as (keyof typeof sent)[]) sent[k] = 0;
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
const sends = rounds * batches + 1; // the warm-up batch included
const {
  n: stored,
  shops: shopsHit,
  handles: handlesHit,
  hours,
} = one(
  await env.db.$queryRaw<{ n: bigint; shops: bigint; handles: bigint; hours: bigint }[]>`
  SELECT count(*) AS n, count(DISTINCT shop_id) AS shops, count(DISTINCT handle) AS handles, count(DISTINCT date_trunc('hour', occurred_at)) AS hours
  FROM billing_events WHERE idempotency_key LIKE 'api-%'`,
);
report.info(
  "Workload",
  `${SHOPS.toLocaleString("en")} shops, ${handles.length} handles (${handles.join(", ")}), timestamps over 48 h; per 1,000: ${perBatch.new} new, ${perBatch.dup} resent, ${perBatch.bad} bad`,
);
const expected = sends * perBatch.new + perBatch.dup; // the warm-up's resends were new
report.check(
  "Events in the ledger from the API",
  Number(stored).toLocaleString("en"),
  `exactly the ${expected.toLocaleString("en")} new ones`,
  Number(stored) === expected,
);
report.check(
  "  answered accepted or held",
  (sent.accepted + sent.held).toLocaleString("en"),
  `${((sends - 1) * perBatch.new).toLocaleString("en")} (after the warm-up)`,
  sent.accepted + sent.held === (sends - 1) * perBatch.new,
);
report.check(
  "  resends answered duplicate",
  sent.duplicate.toLocaleString("en"),
  `${((sends - 1) * perBatch.dup).toLocaleString("en")}`,
  sent.duplicate === (sends - 1) * perBatch.dup,
);
report.check(
  "  bad events rejected, none stored",
  sent.rejected.toLocaleString("en"),
  `${((sends - 1) * perBatch.bad).toLocaleString("en")}`,
  sent.rejected === (sends - 1) * perBatch.bad,
);
report.check(
  "  spread: shops, handles, hours with events",
  `${shopsHit} shops, ${handlesHit} handles, ${hours} hours`,
  `${SHOPS} shops, ${handles.length} handles, ≥ 40 hours`,
  Number(shopsHit) === SHOPS && Number(handlesHit) === handles.length && Number(hours) >= 40,
);
report.info("  of them held (predicted to fail: wrong plan's meter, dev store, …)", sent.held.toLocaleString("en"));
report.figure(`POST /api/v1/events, median of ${rounds} (${total} events)`, `${fmt(api).trim()} events/s`, "≥ 20,000 events/s", api >= 20_000);
report.info(`raw INSERT ... ON CONFLICT DO NOTHING, median (${total} events)`, `${fmt(rawRate).trim()} events/s`);
report.figure("API / raw, same run", `${((api / rawRate) * 100).toFixed(0)} %`, "≥ 50 %", api / rawRate >= 0.5);
app.kill("SIGTERM");
await env.close();
report.finish();
