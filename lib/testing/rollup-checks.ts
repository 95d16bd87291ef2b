import fc from "fast-check";
import type pg from "pg";
import { expect } from "vitest";

/**
 * Shared by the rollup integration tests: a small world of connections, shops and an instance,
 * random events and operations on them (fast-check), and the check that every rollup level equals
 * a plain GROUP BY over billing_events.
 */
export const CONNECTIONS = ["11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002"] as const;
const SHOPS = ["22222222-0000-4000-8000-000000000001", "22222222-0000-4000-8000-000000000002"];
const INSTANCES = ["33333333-0000-4000-8000-000000000001"];
export const HANDLES = ["sms_sent", "SMS_SENT", "CHARGE"];
const CODES = [null, "NO_SUBSCRIPTION", "INVALID_VALUE"];
const STATES = ["received", "held", "queued", "sending", "accepted", "retrying", "failed"] as const;
const VERDICTS = [null, "billable", "non_billable", "failed"] as const;

const GRAIN = `date_trunc('hour', occurred_at, 'UTC') AS hour, connection_id, platform::text, kind::text, handle,
  COALESCE(shop_id, wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid) AS subject_id, COALESCE(currency::text, '') AS currency,
  rollup_outcome(state, platform_verdict)::text AS outcome, rollup_code(state, platform_code) AS code`;
export const RAW = `SELECT ${GRAIN}, count(*)::text AS count, sum(COALESCE(quantity, 0))::numeric(34,10)::text AS quantity,
  sum(COALESCE(amount, 0))::numeric(34,10)::text AS amount FROM billing_events WHERE NOT superseded GROUP BY 1,2,3,4,5,6,7,8,9 ORDER BY 1,2,3,4,5,6,7,8,9`;
export const ROLLUP = `SELECT hour, connection_id, platform::text, kind::text, handle, subject_id, currency, outcome::text, code,
  count::text, quantity::text, amount::text FROM event_rollups_hourly ORDER BY 1,2,3,4,5,6,7,8,9`;
/** The two coarser levels, from the raw events and as stored. */
const SUMS = `count(*)::text, sum(COALESCE(quantity, 0))::numeric(34,10)::text, sum(COALESCE(amount, 0))::numeric(34,10)::text`;
const RAW_TOTALS = `SELECT date_trunc('hour', occurred_at, 'UTC'), connection_id, platform::text, kind::text, handle, COALESCE(currency::text, ''),
  rollup_outcome(state, platform_verdict)::text, rollup_code(state, platform_code), ${SUMS} FROM billing_events WHERE NOT superseded GROUP BY 1,2,3,4,5,6,7,8 ORDER BY 1,2,3,4,5,6,7,8`;
export const TOTALS = `SELECT hour, connection_id, platform::text, kind::text, handle, currency, outcome::text, code, count::text, quantity::text, amount::text
  FROM event_rollups_hourly_totals ORDER BY 1,2,3,4,5,6,7,8`;
const RAW_DAILY = `SELECT (occurred_at AT TIME ZONE 'UTC')::date::text, COALESCE(shop_id, wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid),
  connection_id, platform::text, kind::text, handle, COALESCE(currency::text, ''), rollup_outcome(state, platform_verdict)::text, ${SUMS}
  FROM billing_events WHERE NOT superseded GROUP BY 1,2,3,4,5,6,7,8 ORDER BY 1,2,3,4,5,6,7,8`;
export const DAILY = `SELECT day::text, subject_id, connection_id, platform::text, kind::text, handle, currency, outcome::text, count::text, quantity::text, amount::text
  FROM event_rollups_daily_subjects ORDER BY 1,2,3,4,5,6,7,8`;
const RAW_OUTCOMES = `SELECT date_trunc('hour', occurred_at, 'UTC'), rollup_outcome(state, platform_verdict)::text, rollup_code(state, platform_code),
  count(*)::text FROM billing_events WHERE NOT superseded GROUP BY 1,2,3 ORDER BY 1,2,3`;
export const OUTCOMES = `SELECT hour, outcome::text, code, count::text FROM event_rollups_hourly_outcomes ORDER BY 1,2,3`;
export const ZERO_ROWS = `SELECT (SELECT count(*) FROM event_rollups_hourly WHERE count = 0) + (SELECT count(*) FROM event_rollups_hourly_totals WHERE count = 0)
  + (SELECT count(*) FROM event_rollups_daily_subjects WHERE count = 0) + (SELECT count(*) FROM event_rollups_hourly_outcomes WHERE count = 0) AS n`;

export async function expectRollupsExact(client: pg.Client) {
  expect(await rows(client, ROLLUP)).toEqual(await rows(client, RAW));
  expect(await rows(client, TOTALS)).toEqual(await rows(client, RAW_TOTALS));
  expect(await rows(client, DAILY)).toEqual(await rows(client, RAW_DAILY));
  expect(await rows(client, OUTCOMES)).toEqual(await rows(client, RAW_OUTCOMES));
}

const decimalArb = fc
  .tuple(fc.integer({ min: -50, max: 5000 }), fc.integer({ min: 0, max: 9_999_999_999 }))
  .map(([i, f]) => `${i}.${String(f).padStart(10, "0")}`);
const eventArb = fc.record({
  conn: fc.nat(CONNECTIONS.length - 1),
  subject: fc.nat(3),
  handle: fc.constantFrom(...HANDLES),
  minutesAgo: fc.nat(5 * 24 * 60),
  quantity: fc.option(decimalArb),
  amount: fc.option(decimalArb),
  currency: fc.constantFrom(null, "USD", "EUR"),
  state: fc.constantFrom(...STATES),
  verdict: fc.constantFrom(...VERDICTS),
  code: fc.constantFrom(...CODES),
});
const pick = { mod: fc.integer({ min: 1, max: 4 }), rest: fc.nat(3) };
export const opArb = fc.oneof(
  fc.record({ op: fc.constant("insert" as const), events: fc.array(eventArb, { minLength: 1, maxLength: 40 }) }),
  fc.record({ op: fc.constant("verdict" as const), ...pick, verdict: fc.constantFrom(...VERDICTS), code: fc.constantFrom(...CODES) }),
  fc.record({ op: fc.constant("state" as const), ...pick, state: fc.constantFrom(...STATES) }),
  fc.record({ op: fc.constant("noop" as const), ...pick }),
  fc.record({ op: fc.constant("correct" as const), ...pick, quantity: decimalArb }),
  fc.record({ op: fc.constant("delete" as const), ...pick }),
  fc.record({ op: fc.constant("supersede" as const), ...pick }),
  fc.record({ op: fc.constant("rolledBack" as const), events: fc.array(eventArb, { minLength: 1, maxLength: 10 }), ...pick }),
);
export type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;
export type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

let keySeq = 0;
export async function insertEvents(client: pg.Client, events: EventSpec[]) {
  const now = Date.UTC(2026, 10, 20, 12, 30);
  const values: unknown[] = [];
  const rows = events.map((e) => {
    const wix = e.conn === 1;
    const subject = e.subject === 3 ? null : wix ? INSTANCES[e.subject % INSTANCES.length] : SHOPS[e.subject % SHOPS.length];
    const params = [
      CONNECTIONS[e.conn],
      wix ? "wix" : "shopify",
      wix ? "wix_billing_event" : "shopify_usage",
      wix ? null : subject,
      wix ? subject : null,
      e.handle,
      e.quantity,
      e.amount,
      e.currency,
      new Date(now - e.minutesAgo * 60_000),
      `k${keySeq++}`,
      e.state,
      e.verdict,
      e.verdict ? e.code : null,
    ];
    const base = values.length;
    values.push(...params);
    const p = (i: number) => `$${base + i + 1}`;
    return `(${p(0)}::uuid, ${p(1)}::"Platform", ${p(2)}::"EventKind", ${p(3)}::uuid, ${p(4)}::uuid, ${p(5)}, ${p(6)}::numeric, ${p(7)}::numeric,
      ${p(8)}, ${p(9)}::timestamptz, ${p(10)}, '{}'::jsonb, 'api', 'billable', ${p(11)}::"DeliveryState", ${p(12)}::"Verdict", ${p(13)})`;
  });
  await client.query(
    `INSERT INTO billing_events (connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, occurred_at,
      idempotency_key, payload, source, predicted_verdict, state, platform_verdict, platform_code) VALUES ${rows.join(",")}`,
    values,
  );
}

export async function runOp(client: pg.Client, op: Op) {
  const where = "mod" in op ? `WHERE id % ${op.mod} = ${op.rest % op.mod}` : "";
  switch (op.op) {
    case "insert":
      return insertEvents(client, op.events);
    case "verdict":
      return client.query(`UPDATE billing_events SET platform_verdict = $1, platform_code = $2, verdict_at = now() ${where}`, [
        op.verdict,
        op.verdict ? op.code : null,
      ]);
    case "state":
      return client.query(`UPDATE billing_events SET state = $1 ${where}`, [op.state]);
    case "noop":
      return client.query(`UPDATE billing_events SET attempt_count = attempt_count + 1, locked_until = now() ${where}`);
    case "correct": // a reversing entry that points to the one it corrects
      return client.query(
        `INSERT INTO billing_events (connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, occurred_at,
           idempotency_key, payload, source, predicted_verdict, state, corrects_id, correction_note)
         SELECT connection_id, platform, kind, shop_id, wix_instance_id, handle, -$1::numeric, -amount, currency, occurred_at + interval '1 hour',
           'c' || id || '_' || $2, '{}'::jsonb, 'ui', predicted_verdict, 'queued', id, 'property test'
         FROM billing_events ${where} AND corrects_id IS NULL LIMIT 5`,
        [op.quantity, keySeq++],
      );
    case "delete":
      return client.query(`DELETE FROM billing_events ${where}`);
    case "supersede": // a correction now stands for these (or, toggled back, no longer does)
      return client.query(`UPDATE billing_events SET superseded = NOT superseded ${where}`);
    case "rolledBack":
      await client.query("BEGIN");
      await insertEvents(client, op.events);
      await client.query(`UPDATE billing_events SET platform_verdict = 'failed', platform_code = 'PERIOD_CLOSED' ${where}`);
      await client.query("ROLLBACK");
  }
}

export async function rows(client: pg.Client, sql: string) {
  const result = await client.query({ text: sql, rowMode: "array" });
  return result.rows.map((r: unknown[]) => r.map((v) => (v instanceof Date ? v.toISOString() : String(v))).join("|"));
}

/** Connections, shops and the instance the random events refer to. */
export async function createWorld(client: pg.Client) {
  for (const [i, id] of CONNECTIONS.entries()) {
    await client.query(
      `INSERT INTO connections (id, name, platform, environment, api_base_url, client_id, client_secret_enc, updated_at)
       VALUES ($1, $2, $3, 'sandbox', 'http://x', $2, 'x', now())`,
      [id, `c${i}`, i === 1 ? "wix" : "shopify"],
    );
  }
  for (const id of SHOPS)
    await client.query(`INSERT INTO shops (id, connection_id, shop_id, domain, name) VALUES ($1::uuid, $2, $1::text, $1::text, $1::text)`, [
      id,
      CONNECTIONS[0],
    ]);
  for (const id of INSTANCES) {
    await client.query(`INSERT INTO wix_instances (id, connection_id, instance_id, site_name, currency) VALUES ($1::uuid, $2, $1::text, $1::text, 'USD')`, [
      id,
      CONNECTIONS[1],
    ]);
  }
}
