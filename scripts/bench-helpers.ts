/** Measuring helpers of scripts/bench-dashboard.ts. */
import pg from "pg";
import type { PrismaClient } from "../lib/db/client";

export type Stats = { p50: number; p95: number; n: number };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Runs `fn` twice to warm up, then `runs` times; milliseconds. */
export async function stats(runs: number, fn: () => Promise<unknown>, warmup = 2): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), n: runs };
}

type Series = [{ t: number; outcome: string; count: number }[], { t: number; code: string; count: number }[]];
const key = (rows: { t: number; count: number; outcome?: string; code?: string }[]) => rows.map((r) => `${r.t}|${r.outcome ?? r.code}|${r.count}`).sort();

/** The 30-day chart answer computed from the raw events (whole UTC hours, like the rollups), timed, and compared. */
export async function plainScan(db: PrismaClient, from: Date, to: Date, tz: string, expected: Series) {
  const scan = () =>
    Promise.all([
      db.$queryRaw<{ t: Date; outcome: string; count: bigint }[]>`
        SELECT date_trunc('day', occurred_at, ${tz}) AS t, rollup_outcome(state, platform_verdict)::text AS outcome, count(*) AS count
        FROM billing_events
        WHERE occurred_at >= date_trunc('hour', ${from}::timestamptz + interval '59 minutes 59.999 seconds', 'UTC') AND occurred_at < date_trunc('hour', ${to}::timestamptz, 'UTC') + interval '1 hour'
        GROUP BY 1, 2`,
      db.$queryRaw<{ t: Date; code: string; count: bigint }[]>`
        SELECT date_trunc('day', occurred_at, ${tz}) AS t, rollup_code(state, platform_code) AS code, count(*) AS count
        FROM billing_events
        WHERE occurred_at >= date_trunc('hour', ${from}::timestamptz + interval '59 minutes 59.999 seconds', 'UTC') AND occurred_at < date_trunc('hour', ${to}::timestamptz, 'UTC') + interval '1 hour'
          AND rollup_outcome(state, platform_verdict) = 'failed'
        GROUP BY 1, 2`,
    ]);
  const result = await scan();
  const s = await stats(3, scan, 0);
  const outcomes = result[0].map((r) => ({ t: r.t.getTime(), outcome: r.outcome, count: Number(r.count) }));
  const codes = result[1].map((r) => ({ t: r.t.getTime(), code: r.code, count: Number(r.count) }));
  const identical = JSON.stringify(key(outcomes)) === JSON.stringify(key(expected[0])) && JSON.stringify(key(codes)) === JSON.stringify(key(expected[1]));
  return { stats: s, identical };
}

/**
 * What keeping the rollups exact costs a writer: 1,000 events inserted in one statement, then
 * their verdicts set in one statement, with the triggers and without (session_replication_role
 * = replica skips them), inside transactions that are rolled back.
 */
export async function rollupUpkeep(databaseUrl: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const insert = `INSERT INTO billing_events (connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency,
      occurred_at, idempotency_key, payload, source, predicted_verdict, state)
    SELECT connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, now() - (random() * interval '2 hours'),
      'bench-' || gen_random_uuid(), payload, 'api', predicted_verdict, 'queued'
    FROM (SELECT * FROM billing_events ORDER BY id DESC LIMIT 1000) latest RETURNING id`;
  const measure = async (replica: boolean) => {
    const ins: number[] = [];
    const upd: number[] = [];
    for (let i = 0; i < 7; i++) {
      await client.query("BEGIN");
      if (replica) await client.query("SET LOCAL session_replication_role = replica");
      let t = performance.now();
      const { rows } = await client.query<{ id: string }>(insert);
      ins.push(performance.now() - t);
      t = performance.now();
      await client.query(`UPDATE billing_events SET state = 'accepted', platform_verdict = 'billable', verdict_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      upd.push(performance.now() - t);
      await client.query("ROLLBACK");
    }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
    return { ins: med(ins), upd: med(upd) };
  };
  const withTriggers = await measure(false);
  const without = await measure(true);
  await client.end();
  return {
    "Insert 1,000 events in one statement (median)": `${withTriggers.ins} ms with rollup triggers, ${without.ins} ms without`,
    "Set 1,000 verdicts in one statement (median)": `${withTriggers.upd} ms with rollup triggers, ${without.upd} ms without`,
  };
}

/** Signs in through Auth.js' credentials callback; returns the session cookie ("name=value"). */
export async function signIn(base: string, user: { email: string; password: string }): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const login = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
    body: new URLSearchParams({ csrfToken, email: user.email, password: user.password, callbackUrl: `${base}/` }),
  });
  const session = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c?.includes("session-token"));
  if (!session) throw new Error(`sign-in failed: HTTP ${login.status}`);
  return session;
}

/** Times GET / (the 30-day Overview, full server render) signed in. */
export async function httpOverview(base: string, user: { email: string; password: string }, runs: number): Promise<Stats> {
  const session = await signIn(base, user);
  const get = async () => {
    const res = await fetch(`${base}/?range=30d&tz=Europe%2FParis`, { headers: { cookie: `${session}; tz=Europe%2FParis` } });
    const body = await res.text();
    if (!res.ok || !body.includes("Events by outcome")) throw new Error(`overview: HTTP ${res.status}`);
  };
  return stats(runs, get, 3);
}

/** The single row of an aggregate query (count, min/max): a query that returned none is a bug, said so. */
export function one<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error("an aggregate query returned no row");
  return row;
}
