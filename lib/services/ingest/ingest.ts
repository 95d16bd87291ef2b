import { inTimestampRange, TIMESTAMP_RANGE_MESSAGE } from "../../domain/input-text";
import { Decimal, MAX_INTEGER_DIGITS, parseDecimal } from "../../domain/money";
import { deriveIdempotencyKey } from "../../domain/idempotency";
import { certainShopifyRefusals } from "../../domain/shopify-predict";
import { findPersonalData, personalDataMessage, type PersonalDataFinding } from "../../domain/personal-data";
import { compactShopifyPayload, parseIsoTimestamp, validateShopifyEventBody, type ShopifyEventBody } from "../../domain/shopify-event";
import { sha256 } from "../../crypto";
import { AppError } from "../../errors";
import { db, sql } from "../../db/client";
import type { DeliveryState, EventKind, EventSource, Platform, Verdict } from "../../generated/prisma/enums";
import { afterResponse, coalesced } from "../../after-response";
import { addPendingInstances, addPendingShops, loadIngestContext, type IngestLookups, type PendingInstance, type PendingShop } from "./lookups";
import { lookUpPendingShops } from "../discovery/shopify";
import { releaseReceivedEvents, SHOP_NOT_YET_KNOWN } from "../discovery/shopify-received";
import { INSTANCE_NOT_YET_KNOWN, lookUpPendingInstances, releaseReceivedWixEvents } from "../discovery/wix-received";
import { parseEventInput, type EventInput, type FieldErrors, type ShopifyEventInput, type WixBillingEventInput, type WixUsageInput } from "./schema";
import { predictShopify, predictWixBilling, predictWixUsage, type Prediction } from "./predict";

/**
 * The one way into the ledger, whatever the way in (ingest API, server action, import):
 * validate with the platform's own rules → assign the idempotency key → predict the verdict →
 * write the event row (held when predicted to fail, unless sent anyway). A key seen before
 * returns the original result and writes nothing: forever, not for 24 hours.
 */
/**
 * `timeDefaulted`: the caller filled in the event's time itself (a form left it empty), so a
 * repeat of the same key is the same event whatever time it carries.
 */
export type IngestContext = { source: EventSource; userId?: string | null; apiKeyId?: string | null; now?: Date; timeDefaulted?: boolean };

export type PredictionView = { verdict: Verdict; code: string | null; details: string | null; hint: string | null };
export type IngestResult =
  /** `warning`: held because its attributes look like personal data (the connection warns instead of refusing). */
  | {
      index: number;
      status: "accepted" | "held" | "duplicate";
      eventId: string;
      idempotencyKey: string;
      state: DeliveryState;
      predicted: PredictionView;
      warning?: string;
    }
  /** The key was used before for a different event: nothing was stored or changed. */
  | { index: number; status: "conflict"; eventId: string; idempotencyKey: string; storedBodyHash: string; bodyHash: string }
  | { index: number; status: "rejected"; fieldErrors: FieldErrors };

/** One ledger row as sent to Postgres (who sent it is the same for the whole batch). */
type Row = {
  connection_id: string;
  platform: Platform;
  kind: EventKind;
  shop_id: string | null;
  wix_instance_id: string | null;
  handle: string;
  quantity: string | null;
  amount: string | null;
  currency: string | null;
  occurred_at: string;
  idempotency_key: string;
  payload: unknown;
  predicted_verdict: Verdict;
  predicted_code: string | null;
  predicted_details: string;
  predicted_hint: string | null;
  state: DeliveryState;
  send_anyway: boolean;
  personal_data: PersonalDataFinding[] | null;
};
/** `personalData`: refused because its attributes looked like personal data (counted for the explorer). */
type Prepared =
  | { index: number; row: Row; key: string }
  | { index: number; fieldErrors: FieldErrors }
  | { index: number; fieldErrors: FieldErrors; personalData: true; connectionId: string }
  | { index: number; unknownShop: PendingShop }
  | { index: number; unknownInstance: PendingInstance };

// Batch after batch with new shops (or Wix instances): one lookup run at a time per platform, each taking what the
// batches meanwhile added. Then the events kept waiting move on, whichever batch stored them (the worker does the same each round).
const lookUps: Record<Platform, { what: string; run: () => Promise<void> }> = {
  shopify: { what: "looking up new shops", run: lookUpThenRelease(lookUpPendingShops, releaseReceivedEvents) },
  wix: { what: "looking up new Wix instances", run: lookUpThenRelease(lookUpPendingInstances, releaseReceivedWixEvents) },
};
function lookUpThenRelease(lookUp: (actor: string) => Promise<unknown>, release: (actor: string) => Promise<unknown>) {
  return coalesced(async () => {
    await lookUp("ingest");
    await release("ingest");
  });
}

export async function ingestEvents(raws: unknown[], ctx: IngestContext): Promise<IngestResult[]> {
  const now = ctx.now ?? new Date();
  const parsed = raws.map((raw) => parseEventInput(raw));
  const inputs = parsed.flatMap((p) => (p.ok ? [p.input] : []));
  const lookups = await loadIngestContext(inputs);
  let prepared: Prepared[] = parsed.map((p, index) => (p.ok ? prepare(index, p.input, lookups, ctx, now) : { index, fieldErrors: p.fieldErrors }));
  // A valid event for a shop nobody knows yet is kept: the shop is added pending a lookup, then the event prepared again.
  // The same for a Wix instance: added pending an App Instance API lookup (docs/platforms/wix.md §3).
  const unknown = prepared.flatMap((p) => ("unknownShop" in p ? [p.unknownShop] : []));
  const unknownInstances = prepared.flatMap((p) => ("unknownInstance" in p ? [p.unknownInstance] : []));
  if (unknown.length || unknownInstances.length) {
    if (unknown.length) await addPendingShops(unknown, lookups);
    if (unknownInstances.length) await addPendingInstances(unknownInstances, lookups);
    const again = (p: Prepared) =>
      "unknownShop" in p || "unknownInstance" in p ? prepare(p.index, (parsed[p.index] as { input: EventInput }).input, lookups, ctx, now) : p;
    prepared = prepared.map(again);
  }

  // One row per key: a key repeated inside the batch is a duplicate of its first use.
  const firstByKey = new Map<string, number>();
  const firstRow = new Map<string, Row>();
  const toInsert: Row[] = [];
  for (const p of prepared) {
    if (!("row" in p) || firstByKey.has(p.key)) continue;
    firstByKey.set(p.key, p.index);
    firstRow.set(p.key, p.row);
    toInsert.push(p.row);
  }
  // Rows written now come back from the INSERT itself; only keys seen before are looked up.
  let stored = new Map<string, Stored>();
  let refused = new Map<string, FieldErrors>();
  if (toInsert.length) {
    try {
      stored = await insertRows(toInsert, ctx);
    } catch (err) {
      // Validation should leave nothing for Postgres to refuse; if it did, that row alone is refused.
      if (!refusedByInput(err)) throw err;
      ({ stored, refused } = await insertEach(toInsert, ctx));
    }
  }

  const inserted = new Set(stored.keys());
  // Only once the rows exist: a lookup started before could settle first and leave them waiting.
  const waiting = toInsert.filter((r) => r.state === "received" && inserted.has(rowKey(r)));
  for (const platform of new Set(waiting.map((r) => r.platform))) afterResponse(lookUps[platform].run, lookUps[platform].what);
  const seenBefore = toInsert.filter((r) => !inserted.has(rowKey(r)) && !refused.has(rowKey(r)));
  for (const [k, v] of await loadStored(seenBefore.map((r) => [r.connection_id, r.idempotency_key]))) stored.set(k, v);

  const conflicts: { row: Row; eventId: string; storedBodyHash: string; bodyHash: string }[] = [];
  const results = prepared.map((p): IngestResult => {
    if ("unknownShop" in p) return { index: p.index, status: "rejected", fieldErrors: { shop_id: ["the shop could not be added"] } };
    if ("unknownInstance" in p) return { index: p.index, status: "rejected", fieldErrors: { instance_id: ["the instance could not be added"] } };
    if (!("row" in p)) return { index: p.index, status: "rejected", fieldErrors: p.fieldErrors };
    const refusal = refused.get(p.key);
    if (refusal) return { index: p.index, status: "rejected", fieldErrors: refusal };
    const s = stored.get(p.key)!;
    const fresh = firstByKey.get(p.key) === p.index && inserted.has(p.key);
    if (!fresh) {
      // The same key again: the same event is a duplicate; a different one is a conflict, and changes nothing.
      const storedHash = bodyHash(s.body ?? firstRow.get(p.key)!, !!ctx.timeDefaulted);
      const hash = bodyHash(p.row, !!ctx.timeDefaulted);
      if (hash !== storedHash) {
        conflicts.push({ row: p.row, eventId: s.id, storedBodyHash: storedHash, bodyHash: hash });
        return { index: p.index, status: "conflict", eventId: s.id, idempotencyKey: p.row.idempotency_key, storedBodyHash: storedHash, bodyHash: hash };
      }
    }
    return {
      index: p.index,
      status: fresh ? (s.state === "held" ? "held" : "accepted") : "duplicate",
      eventId: s.id,
      idempotencyKey: p.row.idempotency_key,
      state: s.state,
      predicted: s.predicted,
      ...(p.row.personal_data ? { warning: personalDataMessage(p.row.personal_data) } : {}),
    };
  });
  if (conflicts.length) await recordConflicts(conflicts, ctx);
  await recordPersonalDataCatches(prepared, results);
  return results;
}

/**
 * What makes two sends the same event, whatever their spelling: the subject, the handle, when it
 * happened and what it carries (Shopify's attributes, Wix's amounts), with keys in a fixed order.
 * Not the key itself, "send anyway", or anything taken from state (a price, the time of receipt).
 */
type HashInput = { kind: EventKind; shop_id: string | null; wix_instance_id: string | null; handle: string; occurred_at: string; payload: unknown };
function bodyHash(r: HashInput, ignoreTime: boolean): string {
  const payload = (r.payload ?? {}) as { attributes?: unknown; event?: Record<string, unknown>; timestamp?: unknown };
  let content: unknown = r.kind === "shopify_usage" ? (payload.attributes ?? {}) : r.kind === "wix_billing_event" ? (payload.event ?? {}) : payload;
  if (ignoreTime && r.kind === "wix_billing_event") content = { ...payload.event, createdDate: null };
  if (ignoreTime && r.kind === "wix_usage") content = { ...payload, timestamp: null };
  // A Wix billing event without createdDate is dated on arrival: its date is in `content` (null), not occurred_at.
  const when = r.kind === "wix_billing_event" || ignoreTime ? null : r.occurred_at;
  return `sha256:${sha256(canonicalJson([r.kind, r.shop_id, r.wix_instance_id, r.handle, when, content]))}`;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/**
 * Events caught with personal data in their attributes, per connection and day: refused ones (each
 * send counts) and ones stored held (each stored event once). The explorer shows the sums.
 */
async function recordPersonalDataCatches(prepared: Prepared[], results: IngestResult[]) {
  const counts = new Map<string, { c: string; refused: number; held: number }>();
  const bump = (connectionId: string, field: "refused" | "held") => {
    const entry = counts.get(connectionId) ?? { c: connectionId, refused: 0, held: 0 };
    entry[field] += 1;
    counts.set(connectionId, entry);
  };
  for (const p of prepared) {
    if ("personalData" in p && p.personalData) bump(p.connectionId, "refused");
    else if ("row" in p && p.row.personal_data && results[p.index]?.status === "held") bump(p.row.connection_id, "held");
  }
  if (!counts.size) return;
  await sql().query(
    `INSERT INTO personal_data_catches (connection_id, day, refused, held)
     SELECT (x->>'c')::uuid, (now() AT TIME ZONE 'UTC')::date, (x->>'refused')::int, (x->>'held')::int FROM jsonb_array_elements($1::jsonb) AS x
     ON CONFLICT (connection_id, day) DO UPDATE SET refused = personal_data_catches.refused + EXCLUDED.refused, held = personal_data_catches.held + EXCLUDED.held`,
    [JSON.stringify([...counts.values()])],
  );
}

/** One row per (event, different body), counting how often it came back. */
async function recordConflicts(conflicts: { row: Row; eventId: string; storedBodyHash: string; bodyHash: string }[], ctx: IngestContext) {
  const grouped = new Map<string, { e: string; c: string; k: string; h: string; s: string; n: number }>();
  for (const c of conflicts) {
    const g = grouped.get(`${c.eventId}|${c.bodyHash}`);
    if (g) g.n += 1;
    else
      grouped.set(`${c.eventId}|${c.bodyHash}`, { e: c.eventId, c: c.row.connection_id, k: c.row.idempotency_key, h: c.bodyHash, s: c.storedBodyHash, n: 1 });
  }
  await sql().query(
    `INSERT INTO idempotency_conflicts (event_id, connection_id, idempotency_key, body_hash, stored_body_hash, source, api_key_id, user_id, attempts)
     SELECT (x->>'e')::bigint, (x->>'c')::uuid, x->>'k', x->>'h', x->>'s', $2::"EventSource", $3::uuid, $4::uuid, (x->>'n')::int
     FROM jsonb_array_elements($1::jsonb) AS x
     ON CONFLICT (event_id, body_hash) DO UPDATE SET attempts = idempotency_conflicts.attempts + EXCLUDED.attempts, last_seen_at = now()`,
    [JSON.stringify([...grouped.values()]), ctx.source, ctx.apiKeyId ?? null, ctx.userId ?? null],
  );
}

const LEDGER_MAX = new Decimal(10).pow(MAX_INTEGER_DIGITS);
const fitsLedger = (d: Decimal) => d.abs().lt(LEDGER_MAX);

/**
 * For the dashboard's adapters (server actions): a conflict is refused at the key's field, naming
 * the event that holds the key. Returns the result narrowed to a stored one.
 */
export function storedOrThrow(result: IngestResult | undefined, keyField: string) {
  if (result?.status === "conflict") {
    throw new AppError(
      "CONFLICT",
      `Idempotency key ${result.idempotencyKey} is already event #${result.eventId}, with different details; nothing was stored.`,
      {
        [keyField]: [`already used by event #${result.eventId} for a different event: use a new key for a new event`],
      },
    );
  }
  return result as Exclude<IngestResult, { status: "conflict" }> | undefined;
}

const rowKey = (r: Row) => `${r.connection_id}|${r.idempotency_key}`;

function prepare(index: number, input: EventInput, lookups: IngestLookups, ctx: IngestContext, now: Date): Prepared {
  const connection = lookups.connections.get(input.connection_id);
  if (!connection) return { index, fieldErrors: { connection_id: ["no such connection"] } };
  if (connection.platform !== input.platform)
    return { index, fieldErrors: { platform: [`connection ${connection.name} is a ${connection.platform} connection`] } };
  const f =
    input.platform === "shopify"
      ? prepareShopify(input, lookups, now)
      : input.type === "usage"
        ? prepareWixUsage(input as WixUsageInput, lookups)
        : prepareWixBilling(input as WixBillingEventInput, lookups);
  if ("fieldErrors" in f)
    return "personalData" in f ? { index, fieldErrors: f.fieldErrors, personalData: true, connectionId: connection.id } : { index, fieldErrors: f.fieldErrors };
  if ("unknownShop" in f) return { index, unknownShop: f.unknownShop };
  if ("unknownInstance" in f) return { index, unknownInstance: f.unknownInstance };
  const prediction = f.prediction;
  const hold = !input.send_anyway && (prediction.verdict === "failed" || !!prediction.hint);
  // Personal data in warn mode is held whatever else is true (a shop being looked up, "send anyway"): a person decides.
  const personal = f.personalData ?? null;
  // One object literal of a fixed shape per row: the batch builds a thousand of them.
  const row: Row = {
    connection_id: connection.id,
    platform: input.platform,
    kind: f.kind,
    shop_id: f.shop_id,
    wix_instance_id: f.wix_instance_id,
    handle: f.handle,
    quantity: f.quantity,
    amount: f.amount,
    currency: f.currency,
    occurred_at: f.occurred_at,
    idempotency_key: f.idempotency_key,
    payload: f.payload,
    predicted_verdict: prediction.verdict,
    predicted_code: prediction.code ?? null,
    predicted_details: prediction.details,
    predicted_hint: prediction.hint ?? null,
    state: personal ? "held" : f.received ? "received" : f.kind === "wix_usage" ? "accepted" : hold ? "held" : "queued",
    send_anyway: !!input.send_anyway,
    personal_data: personal,
  };
  return { index, row, key: rowKey(row) };
}

type PreparedFields = {
  kind: EventKind;
  shop_id: string | null;
  wix_instance_id: string | null;
  handle: string;
  quantity: string | null;
  amount: string | null;
  currency: string | null;
  occurred_at: string;
  idempotency_key: string;
  payload: unknown;
  prediction: Prediction;
  /** Kept in `received` (not predicted yet): the shop or instance is being looked up. */
  received?: true;
  /** Attributes that look like personal data, on a connection that holds such events with a warning. */
  personalData?: PersonalDataFinding[];
};

function prepareShopify(
  input: ShopifyEventInput,
  lookups: IngestLookups,
  now: Date,
): PreparedFields | { fieldErrors: FieldErrors; personalData?: true } | { unknownShop: PendingShop } {
  // Shopify's own rules first (with a stand-in key when none was given), so errors name the real field.
  const body = {
    shop_id: input.shop_id,
    event_handle: input.event_handle,
    timestamp: input.timestamp,
    idempotency_key: input.idempotency_key ?? "derived",
    attributes: input.attributes ?? {},
  };
  const valid = input.bodyChecked
    ? { ok: true as const, event: body as ShopifyEventBody & { attributes: Record<string, string | number | boolean> } }
    : validateShopifyEventBody(body);
  if (!valid.ok) {
    const fieldErrors: FieldErrors = {};
    for (const e of valid.errors) (fieldErrors[e.field ?? "_"] ??= []).push(e.message);
    return { fieldErrors };
  }
  // Shopify forbids personal data in attributes and checks nothing (docs/platforms/shopify.md §1.3): refused, or held with a warning.
  const personal = findPersonalData(valid.event.attributes);
  const warn = personal.length > 0 && lookups.connections.get(input.connection_id)?.personalDataMode === "warn";
  if (personal.length && !warn) {
    const fieldErrors: FieldErrors = {};
    for (const p of personal)
      fieldErrors[`attributes.${p.attribute}`] = [
        `${p.reason}: Shopify forbids personal data in attributes, so nothing was stored; leave it out or send an id of your own instead`,
      ];
    return { fieldErrors, personalData: true };
  }
  const certain = certainShopifyRefusals(valid.event, lookups.meterHandlesByConnection.get(input.connection_id), now);
  if (certain) return { fieldErrors: certain };
  const key =
    input.idempotency_key ??
    deriveIdempotencyKey({
      platform: "shopify",
      account: valid.event.shop_id,
      handle: valid.event.event_handle,
      occurredAt: parseIsoTimestamp(valid.event.timestamp)!,
      value: typeof valid.event.attributes.value === "number" ? valid.event.attributes.value : null,
      attributes: valid.event.attributes,
    });
  valid.event.idempotency_key = key;
  const event = valid.event;
  const shopNumber = event.shop_id.replace(/^gid:\/\/shopify\/Shop\//, "");
  const shop = lookups.shops.get(`${input.connection_id}|${shopNumber}`);
  if (!shop) return { unknownShop: { connectionId: input.connection_id, shopId: shopNumber } };
  const value = event.attributes.value;
  const pending = shop.lookupState === "pending";
  return {
    kind: "shopify_usage",
    shop_id: shop.id,
    wix_instance_id: null,
    handle: event.event_handle,
    quantity: typeof value !== "number" || !Number.isFinite(value) ? null : Number.isSafeInteger(value) ? String(value) : new Decimal(String(value)).toFixed(),
    amount: null,
    currency: null,
    occurred_at: parseIsoTimestamp(event.timestamp)!.toISOString(),
    idempotency_key: key,
    // Only the attributes: the rest of the body is in the columns (shopifyEventBodyOf rebuilds it).
    payload: compactShopifyPayload(event),
    prediction: pending ? SHOP_NOT_YET_KNOWN : predictShopify(event, shop, lookups, now),
    ...(pending ? { received: true as const } : {}),
    ...(warn ? { personalData: personal } : {}),
  };
}

const WIX_FIELDS: Record<string, string> = {
  gross_revenue: "grossRevenue",
  net_revenue: "netRevenue",
  wix_share: "wixShare",
  billing_type: "billingType",
  created_date: "createdDate",
};

type UnknownInstance = { unknownInstance: PendingInstance };

function prepareWixBilling(input: WixBillingEventInput, lookups: IngestLookups): PreparedFields | { fieldErrors: FieldErrors } | UnknownInstance {
  const instance = lookups.instances.get(`${input.connection_id}|${input.instance_id}`);
  if (!instance) return { unknownInstance: { connectionId: input.connection_id, instanceId: input.instance_id } };
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
  else if (createdDate && !inTimestampRange(createdDate.getTime())) errors["event.createdDate"] = [TIMESTAMP_RANGE_MESSAGE];
  if (!input.idempotency_key && !createdDate && !errors["event.createdDate"]) {
    errors.idempotency_key = ["give an idempotency_key or event.createdDate, so a retry can never report the same revenue twice"];
  }
  if (Object.keys(errors).length) return { fieldErrors: errors };
  const occurredAt = createdDate ?? new Date();
  const key =
    input.idempotency_key ??
    deriveIdempotencyKey({
      platform: "wix",
      account: input.instance_id,
      handle: String(billingType),
      occurredAt,
      value: grossRevenue,
      attributes: { netRevenue, wixShare },
    });
  const event = { createdDate: createdDate?.toISOString() ?? null, grossRevenue, netRevenue, wixShare, billingType };
  const pending = instance.lookupState === "pending";
  return {
    kind: "wix_billing_event",
    shop_id: null,
    wix_instance_id: instance.id,
    handle: String(billingType),
    quantity: null,
    amount: grossRevenue,
    currency: "USD",
    occurred_at: occurredAt.toISOString(),
    idempotency_key: key,
    payload: { event },
    prediction: pending ? INSTANCE_NOT_YET_KNOWN : predictWixBilling(instance, lookups),
    ...(pending ? { received: true as const } : {}),
  };
}

function prepareWixUsage(input: WixUsageInput, lookups: IngestLookups): PreparedFields | { fieldErrors: FieldErrors } | UnknownInstance {
  const instance = lookups.instances.get(`${input.connection_id}|${input.instance_id}`);
  if (!instance) return { unknownInstance: { connectionId: input.connection_id, instanceId: input.instance_id } };
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
  else if (!inTimestampRange(at.getTime())) errors.timestamp = [TIMESTAMP_RANGE_MESSAGE];
  if (Object.keys(errors).length) return { fieldErrors: errors };
  const pending = instance.lookupState === "pending";
  // Priced once the lookup told the site's currency (wix-received.ts): not before.
  const { prediction, unitPrice } = pending ? { prediction: INSTANCE_NOT_YET_KNOWN, unitPrice: null } : predictWixUsage(input.kind, instance, lookups);
  if (unitPrice && !fitsLedger(quantity!.mul(unitPrice))) {
    return {
      fieldErrors: {
        quantity: [`priced at ${unitPrice} ${instance.currency} per unit comes to more than the ledger holds (numeric(24,10)); send it in smaller parts`],
      },
    };
  }
  const key =
    input.idempotency_key ??
    deriveIdempotencyKey({ platform: "wix", account: input.instance_id, handle: input.kind, occurredAt: at!, value: quantity!.toFixed() });
  return {
    kind: "wix_usage",
    shop_id: null,
    wix_instance_id: instance.id,
    handle: input.kind,
    quantity: quantity!.toFixed(),
    amount: unitPrice ? quantity!.mul(unitPrice).toFixed() : null,
    currency: instance.currency,
    occurred_at: at!.toISOString(),
    idempotency_key: key,
    payload: { kind: input.kind, quantity: quantity!.toFixed(), timestamp: at!.toISOString() },
    prediction,
    ...(pending ? { received: true as const } : {}),
  };
}

/** Returns the rows this call wrote; a key already in the ledger is left alone (ON CONFLICT). */
async function insertRows(rows: Row[], ctx: IngestContext): Promise<Map<string, Stored>> {
  // Each row goes as a JSON array in INSERT_ROWS's column order: a third of the bytes of keyed objects.
  const tuples = rows.map((r) => [
    r.connection_id,
    r.platform,
    r.kind,
    r.shop_id,
    r.wix_instance_id,
    r.handle,
    r.quantity,
    r.amount,
    r.currency,
    r.occurred_at,
    r.idempotency_key,
    r.payload,
    r.predicted_verdict,
    r.predicted_code,
    r.predicted_details,
    r.predicted_hint,
    r.state,
    r.send_anyway,
    r.personal_data,
  ]);
  const { rows: written } = await sql().query<{ id: string; k: string }>(INSERT_ROWS, [
    JSON.stringify(tuples),
    ctx.source,
    ctx.userId ?? null,
    ctx.apiKeyId ?? null,
  ]);
  const byKey = new Map(rows.map((r) => [rowKey(r), r]));
  return new Map(
    written.map((w) => {
      const r = byKey.get(w.k)!;
      return [
        w.k,
        { id: w.id, state: r.state, predicted: { verdict: r.predicted_verdict, code: r.predicted_code, details: r.predicted_details, hint: r.predicted_hint } },
      ];
    }),
  );
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the value, not the database, is at fault. */
const refusedByInput = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown } | null)?.code ?? ""));

/** The batch one row at a time, after Postgres refused it: each refused row becomes a field error, the rest are stored. */
async function insertEach(rows: Row[], ctx: IngestContext): Promise<{ stored: Map<string, Stored>; refused: Map<string, FieldErrors> }> {
  const stored = new Map<string, Stored>();
  const refused = new Map<string, FieldErrors>();
  for (const row of rows) {
    try {
      for (const [k, v] of await insertRows([row], ctx)) stored.set(k, v);
    } catch (err) {
      if (!refusedByInput(err)) throw err;
      refused.set(rowKey(row), { [fieldOf(row, String((err as { code: string }).code))]: [`could not be stored: ${(err as Error).message}`] });
    }
  }
  return { stored, refused };
}

/** The input field a Postgres refusal is most likely about. */
function fieldOf(row: Row, code: string): string {
  const shopify = row.kind === "shopify_usage";
  if (code === "22003") return shopify ? "attributes.value" : row.kind === "wix_usage" ? "quantity" : "event.grossRevenue";
  if (code === "22007" || code === "22008") return row.kind === "wix_billing_event" ? "event.createdDate" : "timestamp";
  if (code === "22001") return "idempotency_key";
  if (code === "23503") return "connection_id";
  return "_";
}

const INSERT_ROWS = `
  INSERT INTO billing_events (connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, occurred_at,
    idempotency_key, payload, predicted_verdict, predicted_code, predicted_details, predicted_hint, state, send_anyway, personal_data,
    source, created_by_id, api_key_id, next_attempt_at, created_at, updated_at)
  SELECT (x->>0)::uuid, (x->>1)::"Platform", (x->>2)::"EventKind", (x->>3)::uuid, (x->>4)::uuid, x->>5, (x->>6)::numeric, (x->>7)::numeric,
    x->>8, (x->>9)::timestamptz, x->>10, x->11, (x->>12)::"Verdict", x->>13, x->>14, x->>15, (x->>16)::"DeliveryState", (x->>17)::boolean,
    NULLIF(x->18, 'null'::jsonb), $2::"EventSource", $3::uuid, $4::uuid, now(), now(), now()
  FROM jsonb_array_elements($1::jsonb) AS x
  ON CONFLICT (connection_id, idempotency_key) DO NOTHING
  RETURNING id::text, connection_id::text || '|' || idempotency_key AS k`;

/** `body`: what the stored event's hash is worked out from, when the key comes again (rows written before this batch). */
type Stored = { id: string; state: DeliveryState; predicted: PredictionView; body?: HashInput };
type StoredRow = {
  id: bigint;
  connection_id: string;
  idempotency_key: string;
  state: DeliveryState;
  predicted_verdict: Verdict;
  predicted_code: string | null;
  predicted_details: string | null;
  predicted_hint: string | null;
  kind: EventKind;
  shop_id: string | null;
  wix_instance_id: string | null;
  handle: string;
  occurred_at: Date;
  payload: unknown;
};

const toStored = (rows: StoredRow[]) =>
  new Map<string, Stored>(
    rows.map((r) => [
      `${r.connection_id}|${r.idempotency_key}`,
      {
        id: r.id.toString(),
        state: r.state,
        predicted: { verdict: r.predicted_verdict, code: r.predicted_code, details: r.predicted_details, hint: r.predicted_hint },
        body: { ...r, occurred_at: r.occurred_at.toISOString() },
      },
    ]),
  );

/** The ledger's answer for each key: the row just written, or the one written before. */
async function loadStored(keys: [string, string][]): Promise<Map<string, Stored>> {
  if (!keys.length) return new Map();
  const rows = await db().$queryRaw<StoredRow[]>`
    SELECT e.id, e.connection_id::text, e.idempotency_key, e.state, e.predicted_verdict, e.predicted_code, e.predicted_details, e.predicted_hint,
      e.kind, e.shop_id::text, e.wix_instance_id::text, e.handle, e.occurred_at, e.payload
    FROM billing_events e
    JOIN jsonb_to_recordset(${JSON.stringify(keys.map(([c, k]) => ({ c, k })))}::jsonb) AS x(c text, k text)
      ON e.connection_id = x.c::uuid AND e.idempotency_key = x.k`;
  return toStored(rows);
}
