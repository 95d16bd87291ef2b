// Synchronous schema checks of an App Events request body (docs/platforms/shopify.md §1.3-1.4).
// Each problem becomes one errors[] entry {field, code, message}; the route answers 400.
import { isObject } from "../http";

export type FieldError = { field: string | null; code: string; message: string };

export type EventBody = {
  shop_id: string;
  event_handle: string;
  timestamp: string;
  idempotency_key: string;
  attributes: Record<string, unknown>;
};

const REQUIRED = ["shop_id", "event_handle", "timestamp", "idempotency_key", "attributes"] as const;
const KEY_RE = /^[A-Za-z0-9_.-]+$/;
const HANDLE_RE = /^[A-Za-z0-9_./-]+$/;

export function validateEventBody(body: unknown): { ok: true; event: EventBody } | { ok: false; errors: FieldError[] } {
  if (!isObject(body)) return { ok: false, errors: [{ field: null, code: "invalid", message: "request body must be a JSON object" }] };
  const errors: FieldError[] = [];
  for (const field of REQUIRED) {
    const v = body[field];
    if (v === undefined || v === null) errors.push({ field, code: "missing", message: "is missing" });
    else if (field === "attributes" ? !isObject(v) : typeof v !== "string") {
      errors.push({ field, code: "invalid_type", message: field === "attributes" ? "must be an object" : "must be a string" });
    } else if (typeof v === "string" && v.trim() === "") errors.push({ field, code: "missing", message: "is missing" });
  }
  const { event_handle: handle, idempotency_key: key, attributes } = body;
  if (typeof handle === "string" && handle !== "") {
    if (handle.length > 128 || !HANDLE_RE.test(handle)) {
      errors.push({ field: "event_handle", code: "invalid", message: "must be at most 128 characters of letters, digits, _ . - /" });
    } else if (handle.startsWith("shopify.")) {
      errors.push({ field: "event_handle", code: "invalid", message: "the shopify. prefix is reserved" });
    }
  }
  if (typeof key === "string" && key.length > 64) {
    errors.push({ field: "idempotency_key", code: "invalid", message: "must be at most 64 characters" });
  }
  if (isObject(attributes)) errors.push(...attributeErrors(attributes));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, event: body as EventBody };
}

function attributeErrors(attributes: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const keys = Object.keys(attributes);
  if (keys.length > 15) errors.push({ field: "attributes", code: "invalid", message: "must not contain more than 15 keys" });
  for (const key of keys) {
    const field = `attributes.${key}`;
    const value = attributes[key];
    if (key.length > 64) errors.push({ field, code: "invalid", message: "key must be at most 64 characters" });
    else if (!KEY_RE.test(key)) errors.push({ field, code: "invalid", message: "key may only contain ASCII letters, digits, _ . -" });
    if (!["string", "number", "boolean"].includes(typeof value)) {
      errors.push({ field, code: "invalid_type", message: "must be a string, number or boolean" });
    } else if (typeof value === "string" && [...value].length > 128) {
      errors.push({ field, code: "invalid", message: "must be at most 128 characters" });
    }
  }
  return errors;
}

export function invalidRequest(errors: FieldError[]) {
  return { success: false, error: "Invalid request", errors };
}
