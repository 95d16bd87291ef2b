import { db } from "./client";

/** Idempotency conflicts seen since `since`: keys reused for a different event (refused, nothing changed), and how often they came. */
export async function conflictCount(since: Date): Promise<{ keys: number; sends: number }> {
  const [row] = await db().$queryRaw<{ keys: bigint; sends: bigint | null }[]>`
    SELECT count(*) AS keys, sum(attempts) AS sends FROM idempotency_conflicts WHERE last_seen_at >= ${since}`;
  return { keys: Number(row?.keys ?? 0), sends: Number(row?.sends ?? 0) };
}
