import { db } from "./client";

/**
 * Send permits per connection and wall-clock second, shared through Postgres by every worker
 * process, so the platform's per-app limit (Shopify: 500 requests/second) holds across machines.
 * Returns how many of `wanted` were granted for the current second (0 when it is used up).
 */
export async function acquirePermits(connectionId: string, wanted: number, perSecond: number, now = Date.now()): Promise<{ granted: number; second: number }> {
  const second = Math.floor(now / 1000);
  await db().$executeRaw`
    INSERT INTO rate_permits (connection_id, second, used) VALUES (${connectionId}::uuid, ${second}, 0)
    ON CONFLICT (connection_id, second) DO NOTHING`;
  // Two statements keep the arithmetic exact under concurrency: the row lock serialises grants.
  const updated = await db().$queryRaw<{ old: number; used: number }[]>`
    UPDATE rate_permits r SET used = LEAST(o.old + ${wanted}, ${perSecond})
    FROM (SELECT used AS old FROM rate_permits WHERE connection_id = ${connectionId}::uuid AND second = ${second} FOR UPDATE) o
    WHERE r.connection_id = ${connectionId}::uuid AND r.second = ${second} AND o.old < ${perSecond}
    RETURNING o.old, r.used`;
  const row = updated[0];
  return { granted: row ? row.used - row.old : 0, second };
}

/** Forgets permits older than a minute. */
export async function prunePermits(now = Date.now()) {
  await db().$executeRaw`DELETE FROM rate_permits WHERE second < ${Math.floor(now / 1000) - 60}`;
}
