import { db } from "./client";

/**
 * Send pacing per connection, shared through Postgres by every worker process on every machine
 * (a generic cell-rate algorithm): one row holds the earliest moment the connection's next send
 * may start, and a worker reserves `count` sends spaced `intervalUs` apart from there. Sends are
 * therefore evenly spaced across all workers, never burst: any second holds at most
 * 1 + 1,000,000 / intervalUs of them, whatever the platform's window (sliding or token bucket).
 * Times are on the database clock, so workers' clocks need not agree.
 */
export const PACE_FRACTION = 0.97;

/** Microseconds between sends for a platform limit of `perSecond` requests a second. */
export const paceIntervalUs = (perSecond: number) => Math.ceil(1_000_000 / (perSecond * PACE_FRACTION));

export type Reservation = {
  /** Start of the first reserved send, microseconds on the database clock. */
  startUs: bigint;
  /** The same, in microseconds from the database's `now` (negative: already due). */
  startInUs: number;
  intervalUs: number;
  count: number;
};

export async function reserveSends(connectionId: string, count: number, intervalUs: number): Promise<Reservation> {
  const [row] = await db().$queryRaw<{ start_us: bigint; now_us: bigint }[]>`
    WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS us)
    INSERT INTO send_pacing AS p (connection_id, next_at_us)
    SELECT ${connectionId}::uuid, now.us + ${count * intervalUs} FROM now
    ON CONFLICT (connection_id) DO UPDATE
      SET next_at_us = greatest(p.next_at_us, (SELECT us FROM now)) + ${count * intervalUs}
    RETURNING next_at_us - ${count * intervalUs} AS start_us, (SELECT us FROM now) AS now_us`;
  return { startUs: row!.start_us, startInUs: Number(row!.start_us - row!.now_us), intervalUs, count };
}
