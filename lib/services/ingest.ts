import { Decimal, parseDecimal } from "../domain/money";
import { deriveIdempotencyKey } from "../domain/idempotency";
import { parseIsoTimestamp, validateShopifyEventBody, type ShopifyEventBody } from "../domain/shopify-event";
import { db, sql } from "../db/client";
import type { DeliveryState, EventKind, EventSource, Platform, Verdict } from "../generated/prisma/enums";
import { loadIngestContext, type IngestLookups } from "./ingest-lookups";
import { parseEventInput, type EventInput, type FieldErrors, type ShopifyEventInput, type WixBillingEventInput, type WixUsageInput } from "./ingest-schema";
import { predictShopify, predictWixBilling, predictWixUsage, type Prediction } from "./predict";

/**
 * The one way into the ledger, whatever the way in (ingest API, server action, import):
 * validate with the platform's own rules → assign the idempotency key → predict the verdict →
 * write the event row (held when predicted to fail, unless sent anyway). A key seen before
 * returns the original result and writes nothing: forever, not for 24 hours.
 */
export type IngestContext = { source: EventSource; userId?: string | null; apiKeyId?: string | null; now?: Date };

export type PredictionView = { verdict: Verdict; code: string | null; details: string | null; hint: string | null };
export type IngestResult =
  | { index: number; status: "accepted" | "held" | "duplicate"; eventId: string; idempotencyKey: string; state: DeliveryState; predicted: PredictionView }
  | { index: number; status: "rejected"; fieldErrors: FieldErrors };

/** One ledger row as sent to Postgres (who sent it is the same for the whole batch). */
type Row = {
  connection_id: string; platform: Platform; kind: EventKind; shop_id: string | null; wix_instance_id: string | null; handle: string;
  quantity: string | null; amount: string | null; currency: string | null; occurred_at: string; idempotency_key: string; payload: unknown;
  predicted_verdict: Verdict; predicted_code: string | null; predicted_details: string; predicted_hint: string | null; state: DeliveryState; send_anyway: boolean;
};
type Prepared = { index: number; row: Row; key: string } | { index: number; fieldErrors: FieldErrors };

export async function ingestEvents(raws: unknown[], ctx: IngestContext): Promise<IngestResult[]> {
  const now = ctx.now ?? new Date();
  const parsed = raws.map((raw) => parseEventInput(raw));
  const inputs = parsed.flatMap((p) => (p.ok ? [p.input] : []));
  const lookups = await loadIngestContext(inputs);
  const prepared: Prepared[] = parsed.map((p, index) => (p.ok ? prepare(index, p.input, lookups, ctx, now) : { index, fieldErrors: p.fieldErrors }));

  // One row per key: a key repeated inside the batch is a duplicate of its first use.
  const firstByKey = new Map<string, number>();
  const toInsert: Row[] = [];
  for (const p of prepared) {
    if (!("row" in p) || firstByKey.has(p.key)) continue;
    firstByKey.set(p.key, p.index);
    toInsert.push(p.row);
  }
  // Rows written now come back from the INSERT itself; only keys seen before are looked up.
  const stored = toInsert.length ? await insertRows(toInsert, ctx) : new Map<string, Stored>();

  const inserted = new Set(stored.keys());
  const seenBefore = toInsert.filter((r) => !inserted.has(rowKey(r)));
  for (const [k, v] of await loadStored(seenBefore.map((r) => [r.connection_id, r.idempotency_key]))) stored.set(k, v);

  return prepared.map((p): IngestResult => {
    if (!("row" in p)) return { index: p.index, status: "rejected", fieldErrors: p.fieldErrors };
    const s = stored.get(p.key)!;
    const fresh = firstByKey.get(p.key) === p.index && inserted.has(p.key);
    return {
      index: p.index,
      status: fresh ? (s.state === "held" ? "held" : "accepted") : "duplicate",
      eventId: s.id,
      idempotencyKey: p.row.idempotency_key,
      state: s.state,
      predicted: s.predicted,
    };
  });
}

const rowKey = (r: Row) => `${r.connection_id}|${r.idempotency_key}`;

function prepare(index: number, input: EventInput, lookups: IngestLookups, ctx: IngestContext, now: Date): Prepared {
  const connection = lookups.connections.get(input.connection_id);
  if (!connection) return { index, fieldErrors: { connection_id: ["no such connection"] } };
  if (connection.platform !== input.platform) return { index, fieldErrors: { platform: [`connection ${connection.name} is a ${connection.platform} connection`] } };
  const f =
    input.platform === "shopify" ? prepareShopify(input, lookups, now) : input.type === "usage" ? prepareWixUsage(input as WixUsageInput, lookups) : prepareWixBilling(input as WixBillingEventInput, lookups);
  if ("fieldErrors" in f) return { index, fieldErrors: f.fieldErrors };
  const prediction = f.prediction;
  const hold = !input.send_anyway && (prediction.verdict === "failed" || !!prediction.hint);
  // One object literal of a fixed shape per row: the batch builds a thousand of them.
  const row: Row = {
    connection_id: connection.id, platform: input.platform, kind: f.kind, shop_id: f.shop_id, wix_instance_id: f.wix_instance_id,
    handle: f.handle, quantity: f.quantity, amount: f.amount, currency: f.currency, occurred_at: f.occurred_at,
    idempotency_key: f.idempotency_key, payload: f.payload, predicted_verdict: prediction.verdict, predicted_code: prediction.code ?? null,
    predicted_details: prediction.details, predicted_hint: prediction.hint ?? null, state: f.kind === "wix_usage" ? "accepted" : hold ? "held" : "queued",
    send_anyway: !!input.send_anyway,
  };
  return { index, row, key: rowKey(row) };
}

type PreparedFields = {
  kind: EventKind; shop_id: string | null; wix_instance_id: string | null; handle: string; quantity: string | null; amount: string | null;
  currency: string | null; occurred_at: string; idempotency_key: string; payload: unknown; prediction: Prediction;
};

function prepareShopify(input: ShopifyEventInput, lookups: IngestLookups, now: Date): PreparedFields | { fieldErrors: FieldErrors } {
  // Shopify's own rules first (with a stand-in key when none was given), so errors name the real field.
  const body = { shop_id: input.shop_id, event_handle: input.event_handle, timestamp: input.timestamp, idempotency_key: input.idempotency_key ?? "derived", attributes: input.attributes ?? {} };
  const valid = input.bodyChecked ? { ok: true as const, event: body as ShopifyEventBody & { attributes: Record<string, string | number | boolean> } } : validateShopifyEventBody(body);
  if (!valid.ok) {
    const fieldErrors: FieldErrors = {};
    for (const e of valid.errors) (fieldErrors[e.field ?? "_"] ??= []).push(e.message);
    return { fieldErrors };
  }
  const key =
    input.idempotency_key ??
    deriveIdempotencyKey({
      platform: "shopify", account: valid.event.shop_id, handle: valid.event.event_handle, occurredAt: parseIsoTimestamp(valid.event.timestamp)!,
      value: typeof valid.event.attributes.value === "number" ? valid.event.attributes.value : null, attributes: valid.event.attributes,
    });
  valid.event.idempotency_key = key;
  const event = valid.event;
  const shopNumber = event.shop_id.replace(/^gid:\/\/shopify\/Shop\//, "");
  const shop = lookups.shops.get(`${input.connection_id}|${shopNumber}`);
  if (!shop) return { fieldErrors: { shop_id: [`shop ${shopNumber} is not known for this connection: sync its shops (Shops & instances) or check the id`] } };
  const value = event.attributes.value;
  return {
    kind: "shopify_usage", shop_id: shop.id, wix_instance_id: null, handle: event.event_handle,
    quantity: typeof value !== "number" || !Number.isFinite(value) ? null : Number.isSafeInteger(value) ? String(value) : new Decimal(String(value)).toFixed(),
    amount: null, currency: null, occurred_at: parseIsoTimestamp(event.timestamp)!.toISOString(), idempotency_key: key, payload: event,
    prediction: predictShopify(event, shop, lookups, now),
  };
}

const WIX_FIELDS: Record<string, string> = { gross_revenue: "grossRevenue", net_revenue: "netRevenue", wix_share: "wixShare", billing_type: "billingType", created_date: "createdDate" };

function prepareWixBilling(input: WixBillingEventInput, lookups: IngestLookups): PreparedFields | { fieldErrors: FieldErrors } {
  const instance = lookups.instances.get(`${input.connection_id}|${input.instance_id}`);
  if (!instance) return { fieldErrors: { instance_id: ["this Wix instance is not known for this connection"] } };
  const e: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.event)) e[WIX_FIELDS[k] ?? k] = v;
  const errors: FieldErrors = {};
  const amount = (field: string, required: boolean) => {
    const v = e[field];
    if (v === undefined || v === null || v === "") {
      if (required) errors[`event.${field}`] = ["is required"];
      return null;
    }
    try {
      return parseDecimal(typeof v === "number" ? String(v) : (v as string), `event.${field}`).toFixed();
    } catch (err) {
      errors[`event.${field}`] = [(err as Error).message];
      return null;
    }
  };
  const grossRevenue = amount("grossRevenue", true);
  const netRevenue = amount("netRevenue", false);
  const wixShare = amount("wixShare", true);
  const billingType = e.billingType;
  if (!["CHARGE", "REFUND", "UNKNOWN"].includes(String(billingType))) errors["event.billingType"] = ['must be "CHARGE", "REFUND" or "UNKNOWN"'];
  const createdDate = e.createdDate === undefined || e.createdDate === null ? null : parseIsoTimestamp(e.createdDate);
  if (e.createdDate !== undefined && e.createdDate !== null && !createdDate) errors["event.createdDate"] = ["must be an ISO 8601 date-time with a time zone"];
  if (!input.idempotency_key && !createdDate && !errors["event.createdDate"]) {
    errors.idempotency_key = ["give an idempotency_key or event.createdDate, so a retry can never report the same revenue twice"];
  }
  if (Object.keys(errors).length) return { fieldErrors: errors };
  const occurredAt = createdDate ?? new Date();
  const key = input.idempotency_key ?? deriveIdempotencyKey({ platform: "wix", account: input.instance_id, handle: String(billingType), occurredAt, value: grossRevenue, attributes: { netRevenue, wixShare } });
  const event = { createdDate: createdDate?.toISOString() ?? null, grossRevenue, netRevenue, wixShare, billingType };
  return {
    kind: "wix_billing_event", shop_id: null, wix_instance_id: instance.id, handle: String(billingType), quantity: null, amount: grossRevenue, currency: "USD",
    occurred_at: occurredAt.toISOString(), idempotency_key: key, payload: { event }, prediction: predictWixBilling(instance, lookups),
  };
}

function prepareWixUsage(input: WixUsageInput, lookups: IngestLookups): PreparedFields | { fieldErrors: FieldErrors } {
  const instance = lookups.instances.get(`${input.connection_id}|${input.instance_id}`);
  if (!instance) return { fieldErrors: { instance_id: ["this Wix instance is not known for this connection"] } };
  const errors: FieldErrors = {};
  let quantity: Decimal | null = null;
  try {
    quantity = parseDecimal(input.quantity, "quantity");
    if (quantity.lte(0)) errors.quantity = ["must be greater than 0"];
  } catch (err) {
    errors.quantity = [(err as Error).message];
  }
  const at = parseIsoTimestamp(input.timestamp);
  if (!at) errors.timestamp = ["must be an ISO 8601 date-time with a time zone"];
  if (Object.keys(errors).length) return { fieldErrors: errors };
  const { prediction, unitPrice } = predictWixUsage(input.kind, instance, lookups);
  const key = input.idempotency_key ?? deriveIdempotencyKey({ platform: "wix", account: input.instance_id, handle: input.kind, occurredAt: at!, value: quantity!.toFixed() });
  return {
    kind: "wix_usage", shop_id: null, wix_instance_id: instance.id, handle: input.kind, quantity: quantity!.toFixed(),
    amount: unitPrice ? quantity!.mul(unitPrice).toFixed() : null, currency: instance.currency, occurred_at: at!.toISOString(), idempotency_key: key,
    payload: { kind: input.kind, quantity: quantity!.toFixed(), timestamp: at!.toISOString() }, prediction,
  };
}

/** Returns the rows this call wrote; a key already in the ledger is left alone (ON CONFLICT). */
async function insertRows(rows: Row[], ctx: IngestContext): Promise<Map<string, Stored>> {
  // Each row goes as a JSON array in INSERT_ROWS's column order: a third of the bytes of keyed objects.
  const tuples = rows.map((r) => [
    r.connection_id, r.platform, r.kind, r.shop_id, r.wix_instance_id, r.handle, r.quantity, r.amount, r.currency, r.occurred_at,
    r.idempotency_key, r.payload, r.predicted_verdict, r.predicted_code, r.predicted_details, r.predicted_hint, r.state, r.send_anyway,
  ]);
  const { rows: written } = await sql().query<{ id: string; k: string }>(INSERT_ROWS, [JSON.stringify(tuples), ctx.source, ctx.userId ?? null, ctx.apiKeyId ?? null]);
  const byKey = new Map(rows.map((r) => [rowKey(r), r]));
  return new Map(written.map((w) => {
    const r = byKey.get(w.k)!;
    return [w.k, { id: w.id, state: r.state, predicted: { verdict: r.predicted_verdict, code: r.predicted_code, details: r.predicted_details, hint: r.predicted_hint } }];
  }));
}

const INSERT_ROWS = `
  INSERT INTO billing_events (connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, occurred_at,
    idempotency_key, payload, predicted_verdict, predicted_code, predicted_details, predicted_hint, state, send_anyway,
    source, created_by_id, api_key_id, next_attempt_at, created_at, updated_at)
  SELECT (x->>0)::uuid, (x->>1)::"Platform", (x->>2)::"EventKind", (x->>3)::uuid, (x->>4)::uuid, x->>5, (x->>6)::numeric, (x->>7)::numeric,
    x->>8, (x->>9)::timestamptz, x->>10, x->11, (x->>12)::"Verdict", x->>13, x->>14, x->>15, (x->>16)::"DeliveryState", (x->>17)::boolean,
    $2::"EventSource", $3::uuid, $4::uuid, now(), now(), now()
  FROM jsonb_array_elements($1::jsonb) AS x
  ON CONFLICT (connection_id, idempotency_key) DO NOTHING
  RETURNING id::text, connection_id::text || '|' || idempotency_key AS k`;

type Stored = { id: string; state: DeliveryState; predicted: PredictionView };
type StoredRow = { id: bigint; connection_id: string; idempotency_key: string; state: DeliveryState; predicted_verdict: Verdict; predicted_code: string | null; predicted_details: string | null; predicted_hint: string | null };

const toStored = (rows: StoredRow[]) =>
  new Map(rows.map((r) => [`${r.connection_id}|${r.idempotency_key}`, {
    id: r.id.toString(), state: r.state,
    predicted: { verdict: r.predicted_verdict, code: r.predicted_code, details: r.predicted_details, hint: r.predicted_hint },
  }]));

/** The ledger's answer for each key: the row just written, or the one written before. */
async function loadStored(keys: [string, string][]): Promise<Map<string, Stored>> {
  if (!keys.length) return new Map();
  const rows = await db().$queryRaw<StoredRow[]>`
    SELECT e.id, e.connection_id::text, e.idempotency_key, e.state, e.predicted_verdict, e.predicted_code, e.predicted_details, e.predicted_hint
    FROM billing_events e
    JOIN jsonb_to_recordset(${JSON.stringify(keys.map(([c, k]) => ({ c, k })))}::jsonb) AS x(c text, k text)
      ON e.connection_id = x.c::uuid AND e.idempotency_key = x.k`;
  return toStored(rows);
}
