import { createHash } from "node:crypto";
import { DomainError } from "./errors";
import { toDecimal, type DecimalInput } from "./money";

/**
 * Idempotency keys for events whose sender gave none. The key is derived from the business
 * fact itself, never random, so the same fact sent twice (a retried import, a double click, a
 * partner app that resends) gets the same key and is recorded and billed once. Shopify keeps
 * billing keys forever and allows 64 characters (docs/platforms/shopify.md §1.5); the derived key is 48.
 *
 * Equivalent spellings of the same fact give the same key: a shop GID or its numeric id,
 * "2026-01-27T14:30:00Z" or "...00.000Z", value 5 or "5.0", attributes in any order.
 */
export type BusinessFact = {
  platform: "shopify" | "wix";
  /** Shopify shop id (GID or numeric) or Wix instance id. */
  account: string;
  /** Shopify event_handle; Wix billing type or usage kind. */
  handle: string;
  occurredAt: string | Date;
  /** Units (Shopify attributes.value) or amount. Numbers are taken as the decimal they print as. */
  value?: DecimalInput | number | null;
  /** Other attributes of the fact; `value` in here is ignored in favour of `value` above. */
  attributes?: Readonly<Record<string, unknown>> | null;
};

export const DERIVED_KEY_PREFIX = "pbd1_";

export function deriveIdempotencyKey(fact: BusinessFact): string {
  const occurredAt = new Date(fact.occurredAt);
  if (Number.isNaN(occurredAt.getTime())) {
    throw new DomainError("INVALID_TIMESTAMP", `"${String(fact.occurredAt)}" is not a date and time`, "occurredAt");
  }
  const { value: _ignored, ...attributes } = fact.attributes ?? {};
  const canonical = canonicalJson([
    fact.platform,
    normalizeAccount(fact.platform, fact.account),
    fact.handle,
    occurredAt.toISOString(),
    fact.value === undefined || fact.value === null ? null : toDecimal(typeof fact.value === "number" ? String(fact.value) : fact.value, "value").toFixed(),
    attributes,
  ]);
  return DERIVED_KEY_PREFIX + createHash("sha256").update(canonical).digest("base64url");
}

/** The caller's key when it gave a usable one, otherwise the derived key. */
export function resolveIdempotencyKey(given: string | null | undefined, fact: BusinessFact): string {
  const trimmed = given?.trim();
  return trimmed ? trimmed : deriveIdempotencyKey(fact);
}

/** JSON with object keys sorted at every level, so equal data always serializes the same way. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new DomainError("INVALID_AMOUNT", `${value} cannot be part of an idempotency key`, "attributes");
  }
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function normalizeAccount(platform: BusinessFact["platform"], account: string): string {
  const trimmed = account.trim();
  if (platform === "shopify") return trimmed.replace(/^gid:\/\/shopify\/Shop\//, "");
  return trimmed.toLowerCase();
}
