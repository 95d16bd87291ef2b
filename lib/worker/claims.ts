import { db } from "../db/client";
import { env } from "../env";
import type { EventKind, Platform } from "../generated/prisma/enums";

/**
 * Claiming work in Postgres: any number of workers on any number of machines share the queue
 * with FOR UPDATE SKIP LOCKED; a claim is a lease (locked_until). Every state change is recorded
 * in event_transitions by the same statement.
 */
export type ClaimedEvent = {
  id: bigint;
  connection_id: string;
  platform: Platform;
  kind: EventKind;
  payload: unknown;
  idempotency_key: string;
  attempt_count: number;
  wix_instance_id: string | null;
};

export async function claimEvents(worker: string, limit: number): Promise<ClaimedEvent[]> {
  return db().$queryRaw<ClaimedEvent[]>`
    WITH picked AS (
      SELECT id, state FROM billing_events
      WHERE state IN ('queued', 'retrying') AND next_attempt_at <= now()
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE billing_events e
      SET state = 'sending', locked_until = now() + make_interval(secs => ${env().WORKER_LEASE_SECONDS}), attempt_count = e.attempt_count + 1, updated_at = now()
      FROM picked p WHERE e.id = p.id
      RETURNING e.id, p.state AS from_state, e.connection_id::text, e.platform, e.kind, e.payload, e.idempotency_key, e.attempt_count, e.wix_instance_id::text
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, from_state::text, 'sending', ${worker}, 'attempt ' || attempt_count FROM claimed
    )
    SELECT id, connection_id, platform, kind, payload, idempotency_key, attempt_count, wix_instance_id FROM claimed ORDER BY id`;
}

/**
 * Leases that ran out: the worker holding them stopped mid-send. A Shopify event is sent again
 * with the same idempotency key (Shopify answers a replay, never a second charge). Wix's
 * external billing events have no idempotency key, so resending could report revenue twice:
 * those stop as failed for a person to check against Wix.
 */
export async function recoverExpiredLeases(worker: string): Promise<number> {
  const rows = await db().$queryRaw<{ n: bigint }[]>`
    WITH expired AS (
      SELECT id, kind FROM billing_events WHERE state = 'sending' AND locked_until < now() FOR UPDATE SKIP LOCKED
    ), resend AS (
      UPDATE billing_events e SET state = 'retrying', next_attempt_at = now(), locked_until = NULL, updated_at = now()
      FROM expired x WHERE e.id = x.id AND x.kind <> 'wix_billing_event'
      RETURNING e.id
    ), stop AS (
      UPDATE billing_events e SET state = 'failed', locked_until = NULL, updated_at = now(),
        last_error = 'Delivery outcome unknown: the worker stopped while sending. Wix has no idempotency key, so it was not resent; check Wix, then retry or correct.'
      FROM expired x WHERE e.id = x.id AND x.kind = 'wix_billing_event'
      RETURNING e.id
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, 'sending', 'retrying', ${worker}, 'lease expired: resending with the same idempotency key' FROM resend
      UNION ALL
      SELECT id, 'sending', 'failed', ${worker}, 'lease expired: outcome unknown, not resent' FROM stop
    )
    SELECT (SELECT count(*) FROM resend) + (SELECT count(*) FROM stop) AS n`;
  return Number(rows[0]?.n ?? 0);
}

export type AttemptOutcome = {
  state: "accepted" | "retrying" | "failed";
  status: number | null;
  request: unknown;
  responseBody: string | null;
  latencyMs: number;
  error: string | null;
  retryable: boolean;
  nextAttemptAt: Date | null;
  verdict?: { verdict: "billable" | "non_billable" | "failed"; code: string | null; details: string | null; source: "platform_response" } | null;
  reason: string;
};

/**
 * Records one attempt and its consequence in one statement. The event moves only if this
 * worker still holds the lease for this attempt; a late answer is still recorded as an attempt.
 */
export async function completeAttempt(worker: string, e: ClaimedEvent, o: AttemptOutcome): Promise<boolean> {
  const rows = await db().$queryRaw<{ moved: bigint }[]>`
    WITH moved AS (
      UPDATE billing_events SET
        state = ${o.state}::"DeliveryState", locked_until = NULL, updated_at = now(),
        next_attempt_at = COALESCE(${o.nextAttemptAt}::timestamptz, next_attempt_at),
        last_error = ${o.error},
        platform_verdict = COALESCE(${o.verdict?.verdict ?? null}::"Verdict", platform_verdict),
        platform_code = CASE WHEN ${o.verdict ? 1 : 0}::int = 1 THEN ${o.verdict?.code ?? null} ELSE platform_code END,
        platform_details = CASE WHEN ${o.verdict ? 1 : 0}::int = 1 THEN ${o.verdict?.details ?? null} ELSE platform_details END,
        verdict_source = COALESCE(${o.verdict?.source ?? null}::"VerdictSource", verdict_source),
        verdict_at = CASE WHEN ${o.verdict ? 1 : 0}::int = 1 THEN now() ELSE verdict_at END
      WHERE id = ${e.id} AND state = 'sending' AND attempt_count = ${e.attempt_count}
      RETURNING id
    ), attempt AS (
      INSERT INTO delivery_attempts (event_id, number, started_at, request, status, response_body, latency_ms, error, retryable)
      VALUES (${e.id}, ${e.attempt_count}, now() - make_interval(secs => ${o.latencyMs / 1000}), ${JSON.stringify(o.request)}::jsonb,
        ${o.status}, ${o.responseBody}, ${Math.round(o.latencyMs)}, ${o.error}, ${o.retryable})
      ON CONFLICT (event_id, number) DO NOTHING
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, 'sending', ${o.state}, ${worker}, ${o.reason} FROM moved
    )
    SELECT count(*) AS moved FROM moved`;
  return Number(rows[0]?.moved ?? 0) === 1;
}
