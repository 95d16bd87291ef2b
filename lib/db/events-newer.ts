import { db } from "./client";
import { eventFilterSql, type EventFilter } from "./event-filter-sql";

/** Matching events that arrived after event `sinceId` (ids grow with arrival), counted up to 1,000. */
const NEWER_CAP = 1000;

export async function countNewerEvents(filter: EventFilter, sinceId: bigint): Promise<{ count: number; capped: boolean; latestId: string }> {
  const [row] = await db().$queryRaw<{ count: bigint; latest: bigint | null }[]>`
    SELECT count(*) AS count, max(id) AS latest FROM (
      SELECT e.id FROM billing_events e WHERE e.id > ${sinceId} AND ${eventFilterSql(filter)} ORDER BY e.id LIMIT ${NEWER_CAP}
    ) newer`;
  const count = Number(row?.count ?? 0);
  return { count, capped: count >= NEWER_CAP, latestId: (row?.latest ?? sinceId).toString() };
}
