/**
 * One-time ids for forms that create billing: a form carries its id from the moment it opens
 * until the person starts a new one, and every submit of it (a double click, a resend after a
 * slow answer) carries the same id, so the ledger records the event once. getRandomValues,
 * because randomUUID needs a secure context and the dashboard may be served over plain http.
 */
export function newNonce() {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A send form's idempotency key: 35 characters, well inside the 64 Shopify allows. */
export const newFormKey = (prefix: string) => `${prefix}-${newNonce()}`;
