import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DERIVED_KEY_PREFIX, canonicalJson, deriveIdempotencyKey, resolveIdempotencyKey, type BusinessFact } from "./idempotency";

const fact: BusinessFact = {
  platform: "shopify",
  account: "gid://shopify/Shop/23423423",
  handle: "sms_sent",
  occurredAt: "2026-01-27T14:30:00Z",
  value: 5,
  attributes: { value: 5, campaign_kind: "abandoned_cart", retry: 0 },
};

describe("deriveIdempotencyKey", () => {
  it("gives the same fact the same key, so a resent event is billed once", () => {
    expect(deriveIdempotencyKey(fact)).toBe(deriveIdempotencyKey({ ...fact }));
    expect(deriveIdempotencyKey(fact)).toMatch(new RegExp(`^${DERIVED_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
  });

  it("treats equivalent spellings of one fact as the same fact", () => {
    const same = deriveIdempotencyKey(fact);
    expect(deriveIdempotencyKey({ ...fact, account: "23423423" })).toBe(same);
    expect(deriveIdempotencyKey({ ...fact, occurredAt: "2026-01-27T14:30:00.000Z" })).toBe(same);
    expect(deriveIdempotencyKey({ ...fact, occurredAt: new Date("2026-01-27T16:30:00+02:00") })).toBe(same);
    expect(deriveIdempotencyKey({ ...fact, value: "5.0" })).toBe(same);
    expect(deriveIdempotencyKey({ ...fact, attributes: { retry: 0, campaign_kind: "abandoned_cart" } })).toBe(same);
  });

  it("gives different facts different keys", () => {
    const key = deriveIdempotencyKey(fact);
    for (const other of [
      { ...fact, value: 6 },
      { ...fact, handle: "mms_sent" },
      { ...fact, occurredAt: "2026-01-27T14:30:01Z" },
      { ...fact, account: "23423424" },
      { ...fact, platform: "wix" as const },
      { ...fact, attributes: { campaign_kind: "welcome" } },
    ]) {
      expect(deriveIdempotencyKey(other)).not.toBe(key);
    }
  });

  it("always fits Shopify's 64-character limit", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.date({ noInvalidDate: true }),
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        (account, handle, at, attributes) => deriveIdempotencyKey({ platform: "shopify", account, handle, occurredAt: at, attributes }).length <= 64,
      ),
    );
  });

  it("refuses a fact without a usable time", () => {
    expect(() => deriveIdempotencyKey({ ...fact, occurredAt: "yesterday" })).toThrow(/not a date/);
  });

  it("keeps a key the caller gave", () => {
    expect(resolveIdempotencyKey(" campaign_8812_batch_1 ", fact)).toBe("campaign_8812_batch_1");
    expect(resolveIdempotencyKey("", fact)).toBe(deriveIdempotencyKey(fact));
    expect(resolveIdempotencyKey(undefined, fact)).toBe(deriveIdempotencyKey(fact));
  });

  it("serializes objects independent of key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
