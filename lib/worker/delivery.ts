import { db } from "../db/client";
import { acquirePermits, permitsPerSlot, SLOT_MS } from "../db/rate-permits";
import { env } from "../env";
import type { Connection } from "../generated/prisma/client";
import { PlatformError } from "../platforms/errors";
import type { WixBillingEventInput } from "../platforms/wix/client";
import type { ShopifyEventBody } from "../domain/shopify-event";
import { claimEvents, completeAttempt, recoverExpiredLeases, type AttemptOutcome, type ClaimedEvent } from "./claims";
import { shopifyClientFor, wixClientFor } from "./platform-clients";

/**
 * The delivery worker's round: recover expired leases, claim a batch, send each event within the
 * platform's per-app rate (permits shared through Postgres), record every attempt and verdict.
 */
export type RoundStats = { claimed: number; accepted: number; retrying: number; failed: number; recovered: number };

export async function deliveryRound(worker: string): Promise<RoundStats> {
  const recovered = await recoverExpiredLeases(worker);
  const events = await claimEvents(worker, env().WORKER_BATCH);
  const stats: RoundStats = { claimed: events.length, accepted: 0, retrying: 0, failed: 0, recovered };
  if (!events.length) return stats;
  const connections = new Map((await db().connection.findMany({ where: { id: { in: [...new Set(events.map((e) => e.connection_id))] } } })).map((c) => [c.id, c]));
  const instances = new Map(
    (await db().wixInstance.findMany({ where: { id: { in: events.flatMap((e) => (e.wix_instance_id ? [e.wix_instance_id] : [])) } } })).map((i) => [i.id, i]),
  );
  let next = 0;
  const lane = async () => {
    while (next < events.length) {
      const e = events[next++]!;
      const connection = connections.get(e.connection_id)!;
      await permits.take(connection);
      const outcome = await send(e, connection, instances.get(e.wix_instance_id ?? "")?.installState === "uninstalled", instances.get(e.wix_instance_id ?? "")?.instanceId);
      await completeAttempt(worker, e, outcome);
      stats[outcome.state] += 1;
      noteConnection(connection.id, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(env().WORKER_CONCURRENCY, events.length) }, lane));
  await flushConnectionNotes();
  return stats;
}

async function send(e: ClaimedEvent, connection: Connection, uninstalled: boolean, instanceId: string | undefined): Promise<AttemptOutcome> {
  const started = performance.now();
  const request =
    e.kind === "shopify_usage"
      ? { method: "POST", url: `${connection.apiBaseUrl}/app/${env().SHOPIFY_APP_EVENTS_VERSION}/events`, body: e.payload }
      : { method: "POST", url: `${connection.apiBaseUrl}/apps/v1/billing-event`, auth: uninstalled ? "api key + wix-account-id" : "instance access token", body: e.payload };
  try {
    if (e.kind === "shopify_usage") {
      const res = await shopifyClientFor(connection).sendEvent(env().SHOPIFY_APP_EVENTS_VERSION, e.payload as ShopifyEventBody);
      return {
        state: "accepted", status: res.status, request, responseBody: JSON.stringify(res.body), latencyMs: performance.now() - started,
        error: null, retryable: false, nextAttemptAt: null, verdict: null,
        reason: res.replay ? "accepted (Idempotent-Replay: Shopify already had this key)" : "accepted; billing verdict follows in the Dev Dashboard log",
      };
    }
    if (e.kind === "wix_billing_event" && instanceId) {
      const { event } = e.payload as { event: WixBillingEventInput };
      const echoed = await wixClientFor(connection).reportBillingEvent({ instanceId, uninstalled, event });
      return {
        state: "accepted", status: 200, request, responseBody: JSON.stringify({ event: echoed }), latencyMs: performance.now() - started,
        error: null, retryable: false, nextAttemptAt: null,
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
  if (retryable && !last) {
    const backoff = Math.min(2 ** (e.attempt_count - 1) * 1000, 5 * 60_000) * (0.8 + Math.random() * 0.4);
    const wait = Math.max(backoff, (pe?.retryAfterSeconds ?? 0) * 1000);
    return {
      state: "retrying", status: pe?.status ?? null, request, responseBody: pe?.responseBody ?? null, latencyMs, error: message, retryable,
      nextAttemptAt: new Date(Date.now() + wait), reason: `retry in ${Math.round(wait / 1000)} s: ${message}`,
    };
  }
  return {
    state: "failed", status: pe?.status ?? null, request, responseBody: pe?.responseBody ?? null, latencyMs, error: message, retryable,
    nextAttemptAt: null, reason: retryable ? `gave up after ${e.attempt_count} attempts: ${message}` : `refused: ${message}`,
  };
}

/**
 * Permits for the current second, fetched from Postgres in blocks and spent locally. One fetch
 * per connection is in flight at a time, so concurrent sends never waste each other's permits.
 */
export class PermitPool {
  private local = new Map<string, { second: number; left: number; issued: number }>();
  private inflight = new Map<string, Promise<void>>();

  /** Waits for a permit, then until its turn inside the slot: sends are spread evenly, not burst. */
  async take(connection: Connection): Promise<void> {
    const perSecond = connection.platform === "shopify" ? env().SHOPIFY_RATE_PER_SECOND : env().WIX_RATE_PER_SECOND;
    const spacing = SLOT_MS / permitsPerSlot(perSecond);
    for (;;) {
      const second = Math.floor(Date.now() / SLOT_MS);
      const have = this.local.get(connection.id);
      if (have && have.second === second && have.left > 0) {
        have.left -= 1;
        const turn = second * SLOT_MS + have.issued++ * spacing;
        const wait = turn - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return;
      }
      let fetching = this.inflight.get(connection.id);
      if (!fetching) {
        fetching = this.refill(connection.id, perSecond).finally(() => this.inflight.delete(connection.id));
        this.inflight.set(connection.id, fetching);
      }
      await fetching;
    }
  }

  private async refill(connectionId: string, perSecond: number) {
    const now = Date.now();
    const { granted, second } = await acquirePermits(connectionId, permitsPerSlot(perSecond), perSecond, now);
    if (granted > 0) {
      const have = this.local.get(connectionId);
      const same = have?.second === second;
      this.local.set(connectionId, { second, left: (same ? have.left : 0) + granted, issued: same ? have.issued : 0 });
      return;
    }
    // This slot's permits are spent (by this or other workers): wait for the next one.
    await new Promise((r) => setTimeout(r, SLOT_MS - (Date.now() % SLOT_MS) + 1));
  }
}

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
