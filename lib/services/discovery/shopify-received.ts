import { db, Prisma } from "../../db/client";
import { shopifyEventBodyOf } from "../../domain/shopify-event";
import type { Shop } from "../../generated/prisma/client";
import { loadIngestContext } from "../ingest/lookups";
import type { EventInput } from "../ingest/schema";
import { predictShopify, type Prediction } from "../ingest/predict";

/** What an event for a shop nobody knows yet is predicted as, until the lookup answers. */
export const SHOP_NOT_YET_KNOWN: Prediction = {
  verdict: "failed",
  code: "SHOP_NOT_YET_KNOWN",
  details: "Shop not yet known: it is being looked up on Shopify's Partner API. The event is kept, then predicted and sent like any other.",
};

/** A shop the Partner API does not know either: the event is sent, and Shopify's answer is its verdict. */
const SHOP_UNKNOWN_TO_SHOPIFY: Prediction = {
  verdict: "failed",
  code: "SHOP_UNKNOWN",
  details:
    "Neither this dashboard nor Shopify's Partner API knows an install of the app on this shop. Sent anyway, so Shopify's own answer is recorded as the verdict.",
};

/**
 * Events kept in `received` while their shop was looked up: once the shop is found (or known to
 * be unknown) each is predicted and moved on (queued, or held when predicted to fail), with the
 * transition recorded. Called after each lookup and discovery page, and by the worker.
 */
export async function releaseReceivedEvents(actor: string, connectionId?: string, now = new Date()): Promise<number> {
  type ReceivedRow = {
    id: bigint;
    connection_id: string;
    payload: unknown;
    shop_id: string;
    shop_number: string;
    handle: string;
    occurred_at: Date;
    idempotency_key: string;
    send_anyway: boolean;
  };
  const rows = await db().$queryRaw<ReceivedRow[]>`
    SELECT e.id, e.connection_id::text, e.payload, e.shop_id::text, s.shop_id AS shop_number, e.handle, e.occurred_at, e.idempotency_key, e.send_anyway
    FROM billing_events e JOIN shops s ON s.id = e.shop_id
    WHERE e.state = 'received' AND e.kind = 'shopify_usage' AND s.lookup_state IS DISTINCT FROM 'pending'
      ${connectionId ? Prisma.sql`AND e.connection_id = ${connectionId}::uuid` : Prisma.empty}
    ORDER BY e.id LIMIT 5000`;
  if (!rows.length) return 0;
  const mine = rows.map((r) => ({
    ...r,
    body: shopifyEventBodyOf({ payload: r.payload, shopNumber: r.shop_number, handle: r.handle, occurredAt: r.occurred_at, idempotencyKey: r.idempotency_key }),
  }));
  const inputs = mine.map((r) => ({ platform: "shopify", connection_id: r.connection_id, shop_id: r.body.shop_id }) as EventInput);
  const lookups = await loadIngestContext(inputs);
  const shops = new Map<string, Shop>([...lookups.shops.values()].map((s) => [s.id, s]));
  // A row whose shop the lookups did not load stays received for the next round, instead of failing the whole batch.
  const known = mine.flatMap((r) => {
    const shop = shops.get(r.shop_id);
    return shop ? [{ r, shop }] : [];
  });
  const updates = known.map(({ r, shop }) => {
    const prediction = shop.lookupState === "not_found" ? SHOP_UNKNOWN_TO_SHOPIFY : predictShopify(r.body, shop, lookups, now);
    const hold = shop.lookupState !== "not_found" && !r.send_anyway && (prediction.verdict === "failed" || !!prediction.hint);
    return {
      id: r.id.toString(),
      verdict: prediction.verdict,
      code: prediction.code ?? null,
      details: prediction.details,
      hint: prediction.hint ?? null,
      state: hold ? "held" : "queued",
    };
  });
  const moved = await db().$queryRaw<{ n: bigint }[]>`
    WITH x AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS x(id bigint, verdict text, code text, details text, hint text, state text)
    ), updated AS (
      UPDATE billing_events e SET predicted_verdict = x.verdict::"Verdict", predicted_code = x.code, predicted_details = x.details, predicted_hint = x.hint,
        state = x.state::"DeliveryState", next_attempt_at = now(), updated_at = now()
      FROM x WHERE e.id = x.id AND e.state = 'received'
      RETURNING e.id, x.state, x.code, x.verdict
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, 'received', state, ${actor}, 'shop looked up; predicted ' || COALESCE(code, verdict) FROM updated
    )
    SELECT count(*) AS n FROM updated`;
  return Number(moved[0]?.n ?? 0);
}
