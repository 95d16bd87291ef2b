import { z } from "zod";
import { findTextProblems, GUID, storableText } from "../../domain/input-text";
import { shopifyEventBodySchema } from "../../domain/shopify-event";

/**
 * The envelope of one event on its way in (ingest API, server actions, imports). The platform
 * payload itself is checked later with the platform's own rules, so a caller gets Shopify's or
 * Wix's field names in its errors.
 */
export const MAX_BATCH = 1000;
/** The ingest API's body limit: 1,000 events of about 5 KB each (a Shopify event at its documented limits is under 3 KB). */
export const MAX_INGEST_BODY = 5 * 1024 * 1024;

const key = (rule: string) => z.string().trim().min(1, "must not be empty").max(64, `must be at most 64 characters (${rule})`).optional();
const shopifyKey = key("Shopify's limit");
/** Wix billing events carry no key of their own: the key is ours, and the ledger's column holds 64. */
const wixKey = key("Wix events carry no key, so this one is ours and the ledger keeps up to 64");
const instanceId = z.string().trim().min(1, "is missing").regex(GUID, "must be the Wix instance id (a GUID such as 7dd21ebc-a097-43ac-8763-2806daee84a1)");

const shopifyEventInput = z.object({
  platform: z.literal("shopify"),
  connection_id: z.uuid("must be the connection's id (a UUID)"),
  shop_id: z.unknown(),
  event_handle: z.unknown(),
  timestamp: z.unknown(),
  idempotency_key: shopifyKey,
  attributes: z.unknown().optional(),
  send_anyway: z.boolean().optional(),
});

/**
 * The envelope and Shopify's own body rules in one pass: most events pass it, and are then not
 * checked again. An event that fails it goes the long way, for errors in Shopify's own terms.
 */
const shopifyEventChecked = shopifyEventInput.extend({
  shop_id: shopifyEventBodySchema.shape.shop_id,
  event_handle: shopifyEventBodySchema.shape.event_handle,
  timestamp: shopifyEventBodySchema.shape.timestamp,
  attributes: shopifyEventBodySchema.shape.attributes.optional(),
});

const decimal = z.union([z.string(), z.number()]).transform(String);

const wixBillingEventInput = z.object({
  platform: z.literal("wix"),
  type: z.literal("billing_event").default("billing_event"),
  connection_id: z.uuid("must be the connection's id (a UUID)"),
  instance_id: instanceId,
  idempotency_key: wixKey,
  event: z.record(z.string(), z.unknown(), "must be an object with grossRevenue, wixShare and billingType"),
  send_anyway: z.boolean().optional(),
});

const wixUsageInput = z.object({
  platform: z.literal("wix"),
  type: z.literal("usage"),
  connection_id: z.uuid("must be the connection's id (a UUID)"),
  instance_id: instanceId,
  kind: storableText(100).pipe(z.string().trim().min(1, "is missing")),
  quantity: decimal,
  timestamp: z.string().max(64, "must be an ISO 8601 date-time with a time zone"),
  idempotency_key: wixKey,
  send_anyway: z.boolean().optional(),
});

/** `bodyChecked`: Shopify's body rules were checked with the envelope (shopifyEventChecked). */
export type ShopifyEventInput = z.infer<typeof shopifyEventInput> & { bodyChecked?: true };
export type WixBillingEventInput = z.infer<typeof wixBillingEventInput>;
export type WixUsageInput = z.infer<typeof wixUsageInput>;
export type EventInput = ShopifyEventInput | WixBillingEventInput | WixUsageInput;

export type FieldErrors = Record<string, string[]>;

export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "_";
    (out[field] ??= []).push(issue.message);
  }
  return out;
}

/** Picks the schema by platform and type, so the errors speak of the right fields. */
export function parseEventInput(raw: unknown): { ok: true; input: EventInput } | { ok: false; fieldErrors: FieldErrors } {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { ok: false, fieldErrors: { _: ["each event must be a JSON object"] } };
  // Text Postgres cannot store, anywhere in the event (keys too), is refused before any field rule.
  const text = findTextProblems(raw);
  if (text) return { ok: false, fieldErrors: text };
  const r = raw as Record<string, unknown>;
  const schema = r.platform === "shopify" ? shopifyEventInput : r.platform === "wix" ? (r.type === "usage" ? wixUsageInput : wixBillingEventInput) : null;
  if (!schema) return { ok: false, fieldErrors: { platform: ['must be "shopify" or "wix"'] } };
  if (schema === shopifyEventInput) {
    const checked = shopifyEventChecked.safeParse(raw);
    if (checked.success) return { ok: true, input: { ...checked.data, bodyChecked: true } };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? { ok: true, input: parsed.data as EventInput } : { ok: false, fieldErrors: zodFieldErrors(parsed.error) };
}
