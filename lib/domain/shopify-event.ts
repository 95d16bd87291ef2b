import { z } from "zod";
import { inTimestampRange, TIMESTAMP_RANGE_MESSAGE } from "./input-text";

/**
 * The App Events API request body (docs/platforms/shopify.md §1.3) and the checks Shopify answers
 * synchronously with 400 (1.4): required fields, types, attribute limits, key length. The
 * billing rules (value > 0, timestamp inside the cycle) are asynchronous: see shopify-predict.ts.
 */
type ShopifyFieldErrorCode = "missing" | "invalid" | "invalid_type";
/** One entry of Shopify's `errors[]` (AE-CREATE); `field` is null for request-level problems. */
export type ShopifyFieldError = { field: string | null; code: ShopifyFieldErrorCode; message: string };
export type ShopifyInvalidRequestBody = { success: false; error: "Invalid request"; errors: ShopifyFieldError[] };

const MAX_ATTRIBUTES = 15;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_ATTRIBUTE_STRING = 128;
/** Backend handle rules are UNKNOWN; we apply the UI-extension emit() rule (docs/platforms/shopify.md §1.3, INFERRED). */
const EVENT_HANDLE = /^[A-Za-z0-9_./-]{1,128}$/;
/** Shop ids are 64-bit integers: at most 20 digits. */
const SHOP_ID = /^(gid:\/\/shopify\/Shop\/\d{1,20}|\d{1,20})$/;
/** `attributes.value` becomes the ledger's quantity, a numeric(24,10): 14 digits before the point, 10 after. */
const MAX_VALUE = 1e14;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 date-time with a zone ("2026-01-27T14:30:00Z"), or null if malformed or not a real date. */
export function parseIsoTimestamp(text: unknown): Date | null {
  const ms = parseIsoTimestampMs(text);
  return ms === null ? null : new Date(ms);
}

// The same text is read several times on its way in (validation, key, prediction): the last one is remembered.
let lastText = "";
let lastMs: number | null = null;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number) => (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1]!);

/** parseIsoTimestamp as epoch milliseconds, without a Date. */
export function parseIsoTimestampMs(text: unknown): number | null {
  if (typeof text !== "string") return null;
  if (text === lastText) return lastMs;
  const trimmed = text.trim();
  const m = ISO_TIMESTAMP.exec(trimmed);
  let ms: number | null = null;
  if (m) {
    const year = +m[1]!,
      month = +m[2]!,
      day = +m[3]!,
      hour = +m[4]!,
      minute = +m[5]!;
    const realDay = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
    const parsed = realDay && hour <= 23 && minute <= 59 ? Date.parse(trimmed) : NaN;
    ms = Number.isNaN(parsed) ? null : parsed;
  }
  lastText = text;
  lastMs = ms;
  return ms;
}

function valueFitsLedger(value: number): boolean {
  if (Math.abs(value) >= MAX_VALUE) return false;
  if (Number.isInteger(value)) return true;
  // The shortest text that reads back as this double ("0.1", "1e-7"): its digits after the point.
  const [mantissa, exponent] = String(value).split("e");
  const fraction = mantissa!.split(".")[1]?.length ?? 0;
  return fraction - Number(exponent ?? 0) <= 10;
}

const attributesSchema = z.record(z.string(), z.unknown()).superRefine((attributes, ctx) => {
  const keys = Object.keys(attributes);
  if (keys.length > MAX_ATTRIBUTES) ctx.addIssue({ code: "custom", message: `must not contain more than ${MAX_ATTRIBUTES} keys` });
  for (const key of keys) {
    const value = attributes[key];
    if (!ATTRIBUTE_KEY.test(key)) {
      ctx.addIssue({ code: "custom", path: [key], message: "key must be 1-64 characters of letters, digits, _ . -" });
    } else if (typeof value === "string") {
      if ([...value].length > MAX_ATTRIBUTE_STRING)
        ctx.addIssue({ code: "custom", path: [key], message: `must be at most ${MAX_ATTRIBUTE_STRING} characters` });
    } else if (typeof value !== "boolean" && !(typeof value === "number" && Number.isFinite(value))) {
      ctx.addIssue({ code: "custom", path: [key], params: { type: true }, message: "must be a string, number or boolean" });
    } else if (key === "value" && typeof value === "number" && !valueFitsLedger(value)) {
      ctx.addIssue({ code: "custom", path: [key], message: "must be below 100,000,000,000,000 with at most 10 decimal places (the ledger's numeric(24,10))" });
    }
  }
});

export const shopifyEventBodySchema = z.object({
  shop_id: z.string().regex(SHOP_ID, "must be a shop GID (gid://shopify/Shop/123) or a numeric shop id"),
  event_handle: z.string().regex(EVENT_HANDLE, "must be 1-128 characters of letters, digits, _ . - /"),
  timestamp: z.string().superRefine((t, ctx) => {
    const ms = parseIsoTimestampMs(t);
    if (ms === null) ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date-time with a time zone" });
    else if (!inTimestampRange(ms)) ctx.addIssue({ code: "custom", message: TIMESTAMP_RANGE_MESSAGE });
  }),
  idempotency_key: z.string().min(1, "must not be empty").max(64, "must be at most 64 characters"),
  attributes: attributesSchema,
});
export type ShopifyEventBody = z.infer<typeof shopifyEventBodySchema>;
type ScalarAttributes = Record<string, string | number | boolean>;

export type ShopifyEventValidation = { ok: true; event: ShopifyEventBody & { attributes: ScalarAttributes } } | { ok: false; errors: ShopifyFieldError[] };

/** What Shopify would reject with 400 before looking at billing, as field-level errors. */
export function validateShopifyEventBody(body: unknown): ShopifyEventValidation {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, errors: [{ field: null, code: "invalid", message: "request body must be a JSON object" }] };
  }
  const parsed = shopifyEventBodySchema.safeParse(body);
  if (parsed.success) return { ok: true, event: parsed.data as ShopifyEventBody & { attributes: ScalarAttributes } };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join(".") || null;
      if (issue.code === "invalid_type") {
        const missing = issue.path.length === 1 && (body as Record<string, unknown>)[String(issue.path[0])] === undefined;
        return missing
          ? { field, code: "missing" as const, message: "is missing" }
          : { field, code: "invalid_type" as const, message: `must be ${issue.expected === "record" ? "an object" : `a ${issue.expected}`}` };
      }
      const typeProblem = issue.code === "custom" && (issue.params as { type?: boolean } | undefined)?.type;
      return { field, code: typeProblem ? ("invalid_type" as const) : ("invalid" as const), message: issue.message };
    }),
  };
}

/** The 400 body Shopify documents for these errors. */
export function shopifyInvalidRequestBody(errors: ShopifyFieldError[]): ShopifyInvalidRequestBody {
  return { success: false, error: "Invalid request", errors };
}

/**
 * What a Shopify usage row keeps in `payload`: the attributes only. The rest of the App Events
 * body is in the row's columns (shop, handle, occurred_at, idempotency_key), so storing it again
 * cost a row 100-150 B.
 */
export function compactShopifyPayload(body: ShopifyEventBody): { attributes: ShopifyEventBody["attributes"] } {
  return { attributes: body.attributes };
}

/** The columns a Shopify usage row's body is rebuilt from; `shopNumber` is shops.shop_id. */
export type StoredShopifyEvent = { payload: unknown; shopNumber: string | null; handle: string; occurredAt: Date; idempotencyKey: string };

/**
 * The App Events body of a stored Shopify usage row: the one place it is rebuilt, so the body sent,
 * predicted from and shown is always the same. A row written before the compact form carries its
 * whole body (it has `shop_id`): that body is used as it is.
 */
export function shopifyEventBodyOf(row: StoredShopifyEvent): ShopifyEventBody {
  const payload = (row.payload ?? {}) as Partial<ShopifyEventBody>;
  if (typeof payload.shop_id === "string") return payload as ShopifyEventBody;
  if (row.shopNumber === null) throw new Error("a Shopify usage event without a shop has no App Events body");
  return {
    shop_id: `gid://shopify/Shop/${row.shopNumber}`,
    event_handle: row.handle,
    timestamp: row.occurredAt.toISOString(),
    idempotency_key: row.idempotencyKey,
    attributes: payload.attributes ?? {},
  };
}
