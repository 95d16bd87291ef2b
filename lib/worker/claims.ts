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
  /** What a Shopify usage body is rebuilt from (shopifyEventBodyOf): shops.shop_id, the handle, occurred_at. */
  shop_number: string | null;
  handle: string;
  occurred_at: Date;
};

/**
 * Claims up to `perConnection(platform)` due events of every enabled connection at once, so each
 * app's queue moves at its own platform budget: one app's backlog (earlier ids, earlier due times)
 * never makes another app's events wait behind it, or wait so long that their leases run out.
 * Each connection's pick is one range of the open-events index (connection, due time).
 */
export async function claimEvents(worker: string, perConnection: { shopify: number; wix: number }): Promise<ClaimedEvent[]> {
  return db().$queryRaw<ClaimedEvent[]>`
    WITH picked AS (
      SELECT p.id, p.state FROM connections c
      CROSS JOIN LATERAL (
        SELECT e.id, e.state FROM billing_events e
        WHERE e.connection_id = c.id AND e.state IN ('queued', 'retrying', 'outcome_unknown') AND e.next_attempt_at <= now()
        ORDER BY e.next_attempt_at, e.id
        LIMIT CASE WHEN c.platform = 'shopify' THEN ${perConnection.shopify}::int ELSE ${perConnection.wix}::int END
        FOR UPDATE OF e SKIP LOCKED
      ) p
      -- A disabled connection's events wait, queued, until an admin enables it again.
      WHERE c.disabled_at IS NULL
    ), claimed AS (
      UPDATE billing_events e
      SET state = 'sending', locked_until = now() + make_interval(secs => ${env().WORKER_LEASE_SECONDS}), attempt_count = e.attempt_count + 1, updated_at = now()
      FROM picked p WHERE e.id = p.id
      RETURNING e.id, p.state AS from_state, e.connection_id::text, e.platform, e.kind, e.payload, e.idempotency_key, e.attempt_count, e.wix_instance_id::text,
        e.shop_id, e.handle, e.occurred_at
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, from_state::text, 'sending', ${worker}, 'attempt ' || attempt_count FROM claimed
    )
    SELECT c.id, c.connection_id, c.platform, c.kind, c.payload, c.idempotency_key, c.attempt_count, c.wix_instance_id, s.shop_id AS shop_number, c.handle, c.occurred_at
    FROM claimed c LEFT JOIN shops s ON s.id = c.shop_id ORDER BY c.id`;
}

/**
 * Leases that ran out: the worker holding them stopped mid-send. A Shopify event is sent again
 * with the same idempotency key (Shopify answers a replay, never a second charge). Wix's
 * external billing events have no idempotency key, so resending could report revenue twice:
 * their outcome is unknown, and they wait (never claimed: no next attempt) for reconciliation.
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
      UPDATE billing_events e SET state = 'outcome_unknown', locked_until = NULL, next_attempt_at = NULL, updated_at = now(),
        last_error = 'Outcome unknown: the worker stopped while sending. Wix has no idempotency key, so it was not resent; reconciliation with Wix decides.'
      FROM expired x WHERE e.id = x.id AND x.kind = 'wix_billing_event'
      RETURNING e.id
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, 'sending', 'retrying', ${worker}, 'lease expired: resending with the same idempotency key' FROM resend
      UNION ALL
      SELECT id, 'sending', 'outcome_unknown', ${worker}, 'lease expired: outcome unknown, not resent' FROM stop
    )
    SELECT (SELECT count(*) FROM resend) + (SELECT count(*) FROM stop) AS n`;
  return Number(rows[0]?.n ?? 0);
}

export type AttemptOutcome = {
  state: "accepted" | "retrying" | "failed" | "outcome_unknown";
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

/** One attempt's outcome; `ageMs`: how long before the write the attempt started (the database dates it). */
export type Completion = { event: ClaimedEvent; outcome: AttemptOutcome; ageMs: number };

/**
 * Records attempts and their consequences, many in one statement (a worker sends hundreds a
 * second; a statement each cost more CPU than the sends). An event moves only if this worker
 * still holds the lease for that attempt; a late answer is still recorded as an attempt.
 * Returns the ids of the events that moved.
 */
export async function completeAttempts(worker: string, completions: Completion[]): Promise<Set<bigint>> {
  if (!completions.length) return new Set();
  const rows = completions.map(({ event: e, outcome: o, ageMs }) => ({
    id: e.id.toString(),
    attempt: e.attempt_count,
    state: o.state,
    next_attempt_at: o.nextAttemptAt?.toISOString() ?? null,
    error: o.error,
    has_verdict: !!o.verdict,
    verdict: o.verdict?.verdict ?? null,
    code: o.verdict?.code ?? null,
    details: o.verdict?.details ?? null,
    source: o.verdict?.source ?? null,
    request: o.request,
    status: o.status,
    response_body: o.responseBody,
    latency_ms: Math.round(o.latencyMs),
    started_ago_ms: ageMs,
    retryable: o.retryable,
    reason: o.reason,
  }));
  const moved = await db().$queryRaw<{ id: bigint }[]>`
    WITH x AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(id bigint, attempt int, state text, next_attempt_at timestamptz,
        error text, has_verdict boolean, verdict text, code text, details text, source text, request jsonb, status int, response_body text,
        latency_ms int, started_ago_ms double precision, retryable boolean, reason text)
    ), moved AS (
      UPDATE billing_events e SET
        state = x.state::"DeliveryState", locked_until = NULL, updated_at = now(),
        next_attempt_at = CASE WHEN x.state = 'outcome_unknown' THEN x.next_attempt_at ELSE COALESCE(x.next_attempt_at, e.next_attempt_at) END,
        last_error = x.error,
        platform_verdict = COALESCE(x.verdict::"Verdict", e.platform_verdict),
        platform_code = CASE WHEN x.has_verdict THEN x.code ELSE e.platform_code END,
        platform_details = CASE WHEN x.has_verdict THEN x.details ELSE e.platform_details END,
        verdict_source = COALESCE(x.source::"VerdictSource", e.verdict_source),
        verdict_at = CASE WHEN x.has_verdict THEN now() ELSE e.verdict_at END
      FROM x WHERE e.id = x.id AND e.state = 'sending' AND e.attempt_count = x.attempt
      RETURNING e.id, x.state, x.reason
    ), attempt AS (
      INSERT INTO delivery_attempts (event_id, number, started_at, request, status, response_body, latency_ms, error, retryable)
      SELECT x.id, x.attempt, now() - make_interval(secs => x.started_ago_ms / 1000), x.request, x.status, x.response_body, x.latency_ms, x.error, x.retryable
      FROM x
      ON CONFLICT (event_id, number) DO NOTHING
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, 'sending', state, ${worker}, reason FROM moved
    )
    SELECT id FROM moved`;
  return new Set(moved.map((m) => m.id));
}
