import { db } from "../db/client";
import { paceIntervalUs, reserveSends } from "../db/send-pacing";
import { env } from "../env";
import type { Connection } from "../generated/prisma/client";
import { PlatformError } from "../platforms/errors";
import { BILLING_EVENT_PATH, type WixBillingEventInput } from "../platforms/wix/client";
import { appEventsPath } from "../platforms/shopify/client";
import { joinUrl } from "../platforms/http";
import { shopifyEventBodyOf } from "../domain/shopify-event";
import { claimEvents, completeAttempts, recoverExpiredLeases, type AttemptOutcome, type ClaimedEvent } from "./claims";
import { shopifyClientFor, wixClientFor } from "../platforms/clients";
import { groupBy } from "../domain/group-by";

/**
 * The delivery worker's round: recover expired leases, claim a batch, send each event within the
 * platform's per-app rate (permits shared through Postgres), record every attempt and verdict.
 */
export type RoundStats = {
  claimed: number;
  accepted: number;
  retrying: number;
  failed: number;
  outcome_unknown: number;
  recovered: number;
  permitsDropped?: number;
};

/**
 * A round claims about a second's worth of sends per connection (at most WORKER_BATCH), so a
 * round ends soon and a slow app's share never holds up the others' next claims.
 */
const claimSizes = () => {
  const size = (rate: number) => Math.max(1, Math.min(env().WORKER_BATCH, Math.ceil(rate)));
  return { shopify: size(env().SHOPIFY_RATE_PER_SECOND), wix: size(env().WIX_RATE_PER_SECOND) };
};

export async function deliveryRound(worker: string): Promise<RoundStats> {
  const recovered = await recoverExpiredLeases(worker);
  const events = await claimEvents(worker, claimSizes());
  const stats: RoundStats = { claimed: events.length, accepted: 0, retrying: 0, failed: 0, outcome_unknown: 0, recovered };
  if (!events.length) return stats;
  const connections = new Map(
    (await db().connection.findMany({ where: { id: { in: [...new Set(events.map((e) => e.connection_id))] } } })).map((c) => [c.id, c]),
  );
  const instances = new Map(
    (await db().wixInstance.findMany({ where: { id: { in: events.flatMap((e) => (e.wix_instance_id ? [e.wix_instance_id] : [])) } } })).map((i) => [i.id, i]),
  );
  const deliver = async (e: ClaimedEvent, connection: Connection) => {
    await permits.take(connection);
    const startedAt = performance.now();
    const instance = instances.get(e.wix_instance_id ?? "");
    const outcome = await send(e, connection, instance?.installState === "uninstalled", instance?.instanceId);
    await completions.record(worker, e, outcome, startedAt);
    stats[outcome.state] += 1;
    noteConnection(connection.id, outcome);
  };
  // Each connection has lanes of its own: a lane waiting for one app's send permit never holds
  // back another app's sends.
  const lanes = [...groupBy(events, (e) => e.connection_id)].flatMap(([id, queue]) => {
    const connection = connections.get(id);
    if (!connection) throw new Error(`claimed events of connection ${id}, which no longer exists`);
    let next = 0;
    const lane = async () => {
      for (let e = queue[next++]; e; e = queue[next++]) await deliver(e, connection);
    };
    return Array.from({ length: Math.min(env().WORKER_CONCURRENCY, queue.length) }, lane);
  });
  const droppedBefore = permits.dropped;
  await Promise.all(lanes);
  // Permits a busy event loop took too late to use: a sign this worker is short of CPU.
  stats.permitsDropped = permits.dropped - droppedBefore;
  await flushConnectionNotes();
  return stats;
}

async function send(e: ClaimedEvent, connection: Connection, uninstalled: boolean, instanceId: string | undefined): Promise<AttemptOutcome> {
  const started = performance.now();
  const shopify = e.kind === "shopify_usage";
  let request: { method: string; url: string; auth?: string; body: unknown } = shopify
    ? { method: "POST", url: joinUrl(connection.apiBaseUrl, appEventsPath(env().SHOPIFY_APP_EVENTS_VERSION)), body: e.payload }
    : {
        method: "POST",
        url: joinUrl(connection.apiBaseUrl, BILLING_EVENT_PATH),
        auth: uninstalled ? "api key + wix-account-id" : "instance access token",
        body: e.payload,
      };
  try {
    if (shopify) {
      // The row keeps its attributes only (an old row its whole body): the body is rebuilt from the columns.
      const body = shopifyEventBodyOf({
        payload: e.payload,
        shopNumber: e.shop_number,
        handle: e.handle,
        occurredAt: e.occurred_at,
        idempotencyKey: e.idempotency_key,
      });
      request = { ...request, body };
      const res = await shopifyClientFor(connection).sendEvent(env().SHOPIFY_APP_EVENTS_VERSION, body);
      return {
        state: "accepted",
        status: res.status,
        request,
        responseBody: JSON.stringify(res.body),
        latencyMs: performance.now() - started,
        error: null,
        retryable: false,
        nextAttemptAt: null,
        verdict: null,
        reason: res.replay ? "accepted (Idempotent-Replay: Shopify already had this key)" : "accepted; billing verdict follows in the Dev Dashboard log",
      };
    }
    if (e.kind === "wix_billing_event" && instanceId) {
      const { event } = e.payload as { event: WixBillingEventInput };
      const echoed = await wixClientFor(connection).reportBillingEvent({ instanceId, uninstalled, event });
      return {
        state: "accepted",
        status: 200,
        request,
        responseBody: JSON.stringify({ event: echoed }),
        latencyMs: performance.now() - started,
        error: null,
        retryable: false,
        nextAttemptAt: null,
        verdict: { verdict: "billable", code: null, details: "Wix recorded the billing event", source: "platform_response" },
        reason: "reported to Wix",
      };
    }
    throw new Error(`nothing delivers ${e.kind} events`);
  } catch (err) {
    return failure(e, err, request, performance.now() - started);
  }
}

function failure(e: ClaimedEvent, err: unknown, request: unknown, latencyMs: number): AttemptOutcome {
  const pe = err instanceof PlatformError ? err : null;
  const retryable = pe ? pe.retryable : false;
  const last = e.attempt_count >= env().WORKER_MAX_ATTEMPTS;
  const message = pe ? `${pe.status ?? "no response"} ${pe.code}: ${pe.message}` : (err as Error).message;
  if (pe?.outcomeUnknown) return unknownOutcome(e, pe, message, request, latencyMs, last);
  if (retryable && !last) {
    const backoff = Math.min(2 ** (e.attempt_count - 1) * 1000, 5 * 60_000) * (0.8 + Math.random() * 0.4);
    const wait = Math.max(backoff, (pe?.retryAfterSeconds ?? 0) * 1000);
    return {
      state: "retrying",
      status: pe?.status ?? null,
      request,
      responseBody: pe?.responseBody ?? null,
      latencyMs,
      error: message,
      retryable,
      nextAttemptAt: new Date(Date.now() + wait),
      reason: `retry in ${Math.round(wait / 1000)} s: ${message}`,
    };
  }
  // A refusal (4xx, e.g. 403 not_installed for a shop Shopify does not know) is the platform's own verdict on the event.
  const refused = !!pe && !retryable && pe.status !== undefined && pe.status !== null && pe.status >= 400 && pe.status < 500;
  return {
    state: "failed",
    status: pe?.status ?? null,
    request,
    responseBody: pe?.responseBody ?? null,
    latencyMs,
    error: message,
    retryable,
    nextAttemptAt: null,
    reason: retryable ? `gave up after ${e.attempt_count} attempts: ${message}` : `refused: ${message}`,
    verdict: refused ? { verdict: "failed", code: pe!.code, details: pe!.message, source: "platform_response" } : null,
  };
}

/**
 * No answer after the request left: the platform may have recorded the event. Not a failure.
 * Shopify dedupes on the idempotency key, so the event is resent with it (after the usual
 * backoff) until an answer comes; Wix has no key, so a resend could report the revenue twice:
 * the event waits, never claimed again, for reconciliation with Wix's record (or a person).
 */
function unknownOutcome(e: ClaimedEvent, pe: PlatformError, message: string, request: unknown, latencyMs: number, last: boolean): AttemptOutcome {
  const base = {
    state: "outcome_unknown" as const,
    status: pe.status,
    request,
    responseBody: pe.responseBody ?? null,
    latencyMs,
    error: `Outcome unknown: ${message}`,
    retryable: true,
  };
  if (e.kind === "shopify_usage" && !last) {
    const wait = Math.min(2 ** (e.attempt_count - 1) * 1000, 5 * 60_000) * (0.8 + Math.random() * 0.4);
    return {
      ...base,
      nextAttemptAt: new Date(Date.now() + wait),
      reason: `outcome unknown (${message}): resending in ${Math.round(wait / 1000)} s with the same idempotency key`,
    };
  }
  const why =
    e.kind === "shopify_usage"
      ? `no answer after ${e.attempt_count} attempts: the Dev Dashboard log decides`
      : "not resent (Wix has no idempotency key): reconciliation with Wix's record decides";
  return { ...base, nextAttemptAt: null, reason: `outcome unknown (${message}): ${why}` };
}

/**
 * Send permits of this process, reserved in small blocks from the shared pacing (send-pacing.ts):
 * each permit is a moment to start one send. A lane sleeps until its permit's moment; a permit
 * whose moment passed more than STALE_MS ago (a busy event loop woke the lane late) is dropped
 * unused, since sending late would bunch requests that were meant to be spread out.
 * One reservation per connection is in flight at a time, and the next block is reserved while
 * the last few permits are still ahead, so a lone worker's sends have no gaps.
 */
export const STALE_MS = 10;
const MAX_BLOCK = 16;

export class PermitPool {
  private readonly queues = new Map<string, number[]>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, number>();
  /** Permits dropped unused because they were taken too late. */
  dropped = 0;

  constructor(
    private readonly rateOf: (connection: Connection) => number = defaultRate,
    private readonly reserveBlock: typeof reserveSends = reserveSends,
  ) {}

  /** Resolves at the moment this send may start. */
  async take(connection: Connection): Promise<void> {
    const id = connection.id;
    this.waiting.set(id, (this.waiting.get(id) ?? 0) + 1);
    try {
      for (;;) {
        const queue = this.queues.get(id) ?? [];
        while (queue.length && queue[0]! < performance.now() - STALE_MS) {
          queue.shift();
          this.dropped += 1;
        }
        if (queue.length <= MAX_BLOCK / 4) this.reserve(connection);
        const at = queue.shift();
        if (at === undefined) {
          await this.inflight.get(id);
          continue;
        }
        const wait = at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() - at <= STALE_MS) return;
        this.dropped += 1;
      }
    } finally {
      this.waiting.set(id, this.waiting.get(id)! - 1);
    }
  }

  private reserve(connection: Connection): void {
    const id = connection.id;
    if (this.inflight.has(id)) return;
    const count = Math.min(MAX_BLOCK, 2 * (this.waiting.get(id) ?? 1));
    const asked = performance.now();
    const done = this.reserveBlock(id, count, paceIntervalUs(this.rateOf(connection))).then(({ startInUs, intervalUs }) => {
      // The database's `now` is taken as the middle of the round trip.
      const start = (asked + performance.now()) / 2 + startInUs / 1000;
      const queue = this.queues.get(id) ?? [];
      for (let i = 0; i < count; i++) queue.push(start + (i * intervalUs) / 1000);
      this.queues.set(id, queue);
    });
    const flight = done.finally(() => this.inflight.delete(id));
    // A reservation is made ahead, while lanes still hold permits: when it fails (the database
    // connection was dropped), no lane may be waiting on it. The lanes that do wait see the error;
    // unobserved, it must not become an unhandled rejection, which would end the worker process.
    flight.catch(() => {});
    this.inflight.set(id, flight);
  }
}

const defaultRate = (connection: Connection) => (connection.platform === "shopify" ? env().SHOPIFY_RATE_PER_SECOND : env().WIX_RATE_PER_SECOND);

/**
 * Attempts recorded in batches: a lane's outcome waits at most FLUSH_MS (or until FLUSH_SIZE
 * are waiting) and is then written with the others in one statement. The lane goes on only once
 * its attempt is recorded, so a worker killed at any moment has at most the sends of that short
 * wait unrecorded, and those are resent with the same key when their lease runs out.
 */
const FLUSH_MS = 10;
const FLUSH_SIZE = 50;
/** Tries of one batch's write: 100 ms … 1.6 s apart, about 3 s in all. */
const WRITE_ATTEMPTS = 6;

class CompletionWriter {
  private pending: {
    worker: string;
    event: ClaimedEvent;
    outcome: AttemptOutcome;
    startedAt: number;
    done: (moved: boolean) => void;
    fail: (err: unknown) => void;
  }[] = [];
  private timer: NodeJS.Timeout | null = null;

  record(worker: string, event: ClaimedEvent, outcome: AttemptOutcome, startedAt: number): Promise<boolean> {
    return new Promise((done, fail) => {
      this.pending.push({ worker, event, outcome, startedAt, done, fail });
      if (this.pending.length >= FLUSH_SIZE) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    });
  }

  private async flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending.splice(0);
    for (const worker of new Set(batch.map((p) => p.worker))) {
      const items = batch.filter((p) => p.worker === worker);
      for (let attempt = 1; ; attempt++) {
        try {
          const now = performance.now();
          const moved = await completeAttempts(
            worker,
            items.map((p) => ({ event: p.event, outcome: p.outcome, ageMs: now - p.startedAt })),
          );
          for (const p of items) p.done(moved.has(p.event.id));
          break;
        } catch (err) {
          // These sends happened: a write lost to a dropped connection or a deadlock is written
          // again (the statement is all-or-nothing and guarded by the attempt number, so a retry
          // after a write that did commit moves nothing and adds no attempt). Only if the database
          // stays away do the lanes fail; the leases then run out and the events are resent.
          if (attempt >= WRITE_ATTEMPTS) {
            for (const p of items) p.fail(err);
            break;
          }
          await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
        }
      }
    }
  }
}

const completions = new CompletionWriter();

/** One pool per process, shared by its concurrent delivery loops. */
const permits = new PermitPool();

const notes = new Map<string, { at: Date; error: string | null; auth: boolean }>();
function noteConnection(connectionId: string, o: AttemptOutcome) {
  notes.set(connectionId, { at: new Date(), error: o.state === "accepted" ? null : o.error, auth: o.status === 401 });
}
/** Last send per connection, for the warnings; raw SQL so updated_at (the settings' version) stays. */
async function flushConnectionNotes() {
  for (const [id, n] of notes) {
    await db().$executeRaw`
      UPDATE connections SET last_send_at = ${n.at}, last_send_error = ${n.error},
        last_auth_error_at = CASE WHEN ${n.auth} THEN ${n.at} ELSE last_auth_error_at END
      WHERE id = ${id}::uuid`;
  }
  notes.clear();
}
