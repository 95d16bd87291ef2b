import { db } from "./client";

/**
 * Send permits per connection and 100 ms slot, shared through Postgres by every worker process,
 * so the platform's per-app limit (Shopify: 500 requests/second) holds across machines. The
 * platform may count over any sliding second, so each slot gets a tenth of 96 % of the limit:
 * bursts at slot starts then never add up past the limit in any 1,000 ms window.
 * Returns how many of `wanted` were granted for the current slot (0 when it is used up).
 * (The `second` column holds the slot number.)
 */
export const SLOT_MS = 100;
export const permitsPerSlot = (perSecond: number) => Math.max(1, Math.floor((perSecond * 0.96 * SLOT_MS) / 1000));

export async function acquirePermits(connectionId: string, wanted: number, perSecond: number, now = Date.now()): Promise<{ granted: number; second: number }> {
  const second = Math.floor(now / SLOT_MS);
  const cap = permitsPerSlot(perSecond);
  await db().$executeRaw`
    INSERT INTO rate_permits (connection_id, second, used) VALUES (${connectionId}::uuid, ${second}, 0)
    ON CONFLICT (connection_id, second) DO NOTHING`;
  // Two statements keep the arithmetic exact under concurrency: the row lock serialises grants.
  const updated = await db().$queryRaw<{ old: number; used: number }[]>`
    UPDATE rate_permits r SET used = LEAST(o.old + ${wanted}, ${cap})
    FROM (SELECT used AS old FROM rate_permits WHERE connection_id = ${connectionId}::uuid AND second = ${second} FOR UPDATE) o
    WHERE r.connection_id = ${connectionId}::uuid AND r.second = ${second} AND o.old < ${cap}
    RETURNING o.old, r.used`;
  const row = updated[0];
  return { granted: row ? row.used - row.old : 0, second };
}

/** Forgets permits older than a minute. */
export async function prunePermits(now = Date.now()) {
  await db().$executeRaw`DELETE FROM rate_permits WHERE second < ${Math.floor((now - 60_000) / SLOT_MS)}`;
}
