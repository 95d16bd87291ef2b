// POST /app/{version}/events (docs/platforms/shopify.md §1.2-1.6): bearer check, rate limit, idempotency
// (409 in flight, replay with Idempotent-Replay), schema (400), install (403), then 202
// with the billing verdict worked out now and published after the configured delay.
import { createHash } from "node:crypto";
import { parseIsoTime } from "../clock";
import type { Sandbox } from "../context";
import { isObject, json, ParseError, parseJson, type Reply, type Request } from "../http";
import type { EventRow } from "../state";
import { settleDue } from "./logs";
import { findInstall, findShop, parseShopId, UNINSTALL_GRACE_MS } from "./model";
import { admitRequest } from "./rate-limit";
import { authenticateBearer, unauthorized } from "./token";
import { invalidRequest, validateEventBody, type FieldError } from "./validate-event";
import { billingVerdict, customVerdict, isBillingEvent, type EventContext } from "./verdict";

const ACCEPTED = JSON.stringify({ success: true });

export async function createEvent(sb: Sandbox, req: Request): Promise<Reply> {
  const settings = sb.state.settings.shopify;
  const app = await authenticateBearer(sb, req);
  if (!app) return unauthorized();
  const receivedMs = req.receivedMs;
  const parsed = parseJson(req.rawBody);
  const body = isObject(parsed) ? parsed : {};
  const log = (status: number, details: string) => logRejected(sb, app.clientId, body, status, details, receivedMs);
  if (typeof body.idempotency_key === "string" && body.idempotency_key !== "") {
    const counted = `${app.clientId}|${body.idempotency_key}`;
    sb.keyRequests.set(counted, (sb.keyRequests.get(counted) ?? 0) + 1);
  }

  if (!admitRequest(sb.rateWindows, app.clientId, receivedMs, settings.rateLimitPerSecond)) {
    log(429, "Rate limit exceeded");
    return json(429, { success: false, error: "Rate limit exceeded" });
  }
  if (parsed instanceof ParseError || parsed === undefined) {
    const error = { field: null, code: "invalid", message: "request body must be valid JSON" };
    log(400, error.message);
    return json(400, invalidRequest([error]));
  }

  const key = typeof body.idempotency_key === "string" && body.idempotency_key !== "" ? body.idempotency_key : null;
  const keyId = key ? `${app.clientId}|${key}` : null;
  if (keyId && sb.inFlight.has(keyId)) {
    log(409, "A request with this idempotency_key is still being processed");
    return json(409, {
      success: false,
      error: "Conflict",
      errors: [{ field: "idempotency_key", code: "in_progress", message: "a request with this idempotency_key is still being processed; retry shortly" }],
    });
  }
  const bodyHash = createHash("sha256").update(JSON.stringify(parsed)).digest("hex");
  const replay = keyId ? sb.state.shopify.replays[keyId] : undefined;
  const windowMs = settings.idempotencyWindowHours * 3_600_000;
  if (replay && receivedMs - replay.atMs < windowMs && (replay.bodyHash === bodyHash || settings.keyReuseWithDifferentBody === "replay")) {
    return { status: replay.status, headers: { "content-type": "application/json; charset=utf-8", "idempotent-replay": "true" }, body: replay.body };
  }

  const checked = validateEventBody(parsed);
  if (!checked.ok) {
    log(400, describe(checked.errors));
    return json(400, invalidRequest(checked.errors));
  }
  const event = checked.event;
  const shopId = parseShopId(event.shop_id);
  const shop = shopId ? findShop(sb.state.shopify, shopId) : undefined;
  const install = shop ? findInstall(sb.state.shopify, app.clientId, shop.id) : undefined;
  if (!shop || !install || uninstallRefused(install.uninstalledAt, receivedMs, settings.uninstalledShops)) {
    const error: FieldError = shopId
      ? { field: "shop_id", code: "not_installed", message: "app is not installed on this shop" }
      : { field: "shop_id", code: "invalid", message: "is not a valid shop ID" };
    log(403, error.message);
    return json(403, { success: false, error: "Forbidden", errors: [error] });
  }

  const ctx: EventContext = { st: sb.state.shopify, settings, app, shop, install, event, receivedMs };
  const billing = isBillingEvent(ctx);
  if (!billing && settings.syncTimestampCheckForCustomEvents) {
    const error = customTimestampError(event.timestamp, receivedMs);
    if (error) {
      log(400, describe([error]));
      return json(400, invalidRequest([error]));
    }
  }

  const eventKey = `${app.clientId}|${event.idempotency_key}`;
  sb.inFlight.add(eventKey);
  try {
    if (settings.eventProcessingMs > 0) await new Promise((r) => setTimeout(r, settings.eventProcessingMs));
  } finally {
    sb.inFlight.delete(eventKey);
  }

  const verdict = billing ? billingVerdict(ctx) : customVerdict(ctx);
  const row = addRow(sb, app.clientId, body, receivedMs, {
    type: billing ? "app_billing_event" : "app_event",
    status: 200,
    shop_id: shop.id,
    shop_domain: shop.domain,
  });
  row.pending = { verdict, settleAtMs: Date.now() + sb.state.settings.verdictDelayMs };
  if (billing && verdict.code !== "IDEMPOTENCY_KEY_ERROR" && (verdict.success || settings.billingKeyConsumedOn === "any")) {
    sb.state.shopify.billingKeys[eventKey] = row.id;
  }
  const replays = sb.state.shopify.replays;
  replays[eventKey] = { status: 202, body: ACCEPTED, bodyHash, atMs: receivedMs, eventId: row.id };
  if (row.seq % 1000 === 0) {
    for (const [k, entry] of Object.entries(replays)) if (receivedMs - entry.atMs >= windowMs) delete replays[k];
  }
  if (sb.state.settings.verdictDelayMs === 0) settleDue(sb.state.shopify);
  return { status: 202, headers: { "content-type": "application/json; charset=utf-8" }, body: ACCEPTED };
}

function uninstallRefused(uninstalledAt: string | null, nowMs: number, mode: "accept" | "reject_after_grace" | "reject"): boolean {
  if (uninstalledAt === null || mode === "accept") return false;
  return mode === "reject" || nowMs > Date.parse(uninstalledAt) + UNINSTALL_GRACE_MS;
}

/** Custom events: a malformed or > 5 min future timestamp is a synchronous 400 (INFERRED). */
function customTimestampError(timestamp: string, nowMs: number): FieldError | null {
  const ts = parseIsoTime(timestamp);
  if (ts === null) return { field: "timestamp", code: "invalid", message: "must be an ISO 8601 date-time" };
  if (ts > nowMs + 5 * 60_000) return { field: "timestamp", code: "invalid", message: "must not be more than 5 minutes in the future" };
  return null;
}

function describe(errors: FieldError[]): string {
  return errors.map((e) => `${e.field ?? "request"} ${e.message}`).join("; ");
}

function addRow(
  sb: Sandbox,
  clientId: string,
  body: Record<string, unknown>,
  receivedMs: number,
  extra: Pick<EventRow, "type" | "status" | "shop_id" | "shop_domain">,
): EventRow {
  const seq = sb.seq();
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const attributes = isObject(body.attributes) ? body.attributes : null;
  const row: EventRow = {
    id: `evt_${String(seq).padStart(8, "0")}`,
    seq,
    appClientId: clientId,
    ...extra,
    event_handle: str(body.event_handle),
    timestamp: str(body.timestamp),
    received_at: new Date(receivedMs).toISOString(),
    idempotency_key: str(body.idempotency_key),
    value: attributes && "value" in attributes ? attributes.value : null,
    billable: null,
    billing_result_code: null,
    result_status: "RESULT_STATUS_PENDING",
    result_details: null,
    pending: null,
  };
  sb.state.shopify.events.push(row);
  return row;
}

/** Rejected requests show in the log too, with their HTTP status (as in the Dev Dashboard). */
function logRejected(sb: Sandbox, clientId: string, body: Record<string, unknown>, status: number, details: string, receivedMs: number): void {
  const shop = typeof body.shop_id === "string" ? findShop(sb.state.shopify, body.shop_id) : undefined;
  const row = addRow(sb, clientId, body, receivedMs, { type: "app_event", status, shop_id: shop?.id ?? null, shop_domain: shop?.domain ?? null });
  Object.assign(row, { billable: false, result_status: "RESULT_STATUS_FAILURE", result_details: details });
}
