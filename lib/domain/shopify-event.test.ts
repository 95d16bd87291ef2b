import { describe, expect, it } from "vitest";
import { compactShopifyPayload, parseIsoTimestamp, shopifyEventBodyOf, shopifyInvalidRequestBody, validateShopifyEventBody } from "./shopify-event";

const good = {
  shop_id: "gid://shopify/Shop/23423423",
  event_handle: "sms_sent",
  timestamp: "2026-01-27T14:30:00Z",
  idempotency_key: "sms_23423423_1706365800",
  attributes: { value: 1 },
};

const errorsOf = (body: unknown) => {
  const result = validateShopifyEventBody(body);
  return result.ok ? [] : result.errors;
};

describe("validateShopifyEventBody", () => {
  it("accepts the documented billing and custom events", () => {
    expect(validateShopifyEventBody(good).ok).toBe(true);
    expect(validateShopifyEventBody({ ...good, shop_id: "23423423", attributes: { value: 5, campaign_kind: "abandoned_cart" } }).ok).toBe(true);
    expect(validateShopifyEventBody({ ...good, event_handle: "sync_failed", attributes: { sync_type: "inventory", retry_count: 3, ok: false } }).ok).toBe(true);
  });

  it("names each missing field the way Shopify does", () => {
    expect(shopifyInvalidRequestBody(errorsOf({ ...good, shop_id: undefined }))).toEqual({
      success: false,
      error: "Invalid request",
      errors: [{ field: "shop_id", code: "missing", message: "is missing" }],
    });
    expect(errorsOf({}).map((e) => e.field)).toEqual(["shop_id", "event_handle", "timestamp", "idempotency_key", "attributes"]);
  });

  it("reports wrong types as invalid_type", () => {
    expect(errorsOf({ ...good, shop_id: 23423423 })).toEqual([{ field: "shop_id", code: "invalid_type", message: "must be a string" }]);
    expect(errorsOf({ ...good, attributes: [1] })).toEqual([{ field: "attributes", code: "invalid_type", message: "must be an object" }]);
    expect(errorsOf({ ...good, attributes: { value: 1, tags: ["a"] } })).toEqual([
      { field: "attributes.tags", code: "invalid_type", message: "must be a string, number or boolean" },
    ]);
    expect(errorsOf({ ...good, attributes: { nested: { a: 1 }, gone: null } }).map((e) => e.field)).toEqual(["attributes.nested", "attributes.gone"]);
  });

  it("enforces the attribute limits", () => {
    const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]));
    expect(errorsOf({ ...good, attributes: sixteen })).toEqual([{ field: "attributes", code: "invalid", message: "must not contain more than 15 keys" }]);
    const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i]));
    expect(errorsOf({ ...good, attributes: fifteen })).toEqual([]);
    expect(errorsOf({ ...good, attributes: { "bad key": 1, ["k".repeat(65)]: 1, "ok.key-1_x": 1 } }).map((e) => e.field)).toEqual([
      "attributes.bad key",
      `attributes.${"k".repeat(65)}`,
    ]);
    expect(errorsOf({ ...good, attributes: { note: "é".repeat(128) } })).toEqual([]);
    expect(errorsOf({ ...good, attributes: { note: "é".repeat(129) } })[0]?.field).toBe("attributes.note");
  });

  it("limits idempotency keys to 64 characters", () => {
    expect(errorsOf({ ...good, idempotency_key: "k".repeat(64) })).toEqual([]);
    expect(errorsOf({ ...good, idempotency_key: "k".repeat(65) })).toEqual([
      { field: "idempotency_key", code: "invalid", message: "must be at most 64 characters" },
    ]);
  });

  it("rejects shop ids, handles and timestamps Shopify cannot read", () => {
    expect(errorsOf({ ...good, shop_id: "acme.myshopify.com" })[0]?.field).toBe("shop_id");
    expect(errorsOf({ ...good, event_handle: "sms sent" })[0]?.field).toBe("event_handle");
    expect(errorsOf({ ...good, timestamp: "27/01/2026" })[0]?.field).toBe("timestamp");
    expect(errorsOf({ ...good, timestamp: "2026-01-27T14:30:00" })[0]?.field).toBe("timestamp");
  });

  it("rejects a body that is not an object", () => {
    expect(errorsOf("hello")).toEqual([{ field: null, code: "invalid", message: "request body must be a JSON object" }]);
  });
});

describe("parseIsoTimestamp", () => {
  it("reads zoned ISO 8601 and refuses dates that do not exist", () => {
    expect(parseIsoTimestamp("2026-01-27T16:30:00+02:00")?.toISOString()).toBe("2026-01-27T14:30:00.000Z");
    expect(parseIsoTimestamp("2026-01-27T14:30Z")?.toISOString()).toBe("2026-01-27T14:30:00.000Z");
    expect(parseIsoTimestamp("2026-02-30T00:00:00Z")).toBeNull();
    expect(parseIsoTimestamp("next tuesday")).toBeNull();
    expect(parseIsoTimestamp(1706365800)).toBeNull();
  });
});

describe("shopifyEventBodyOf", () => {
  const columns = { shopNumber: "23423423", handle: "sms_sent", occurredAt: new Date("2026-01-27T12:30:00.250Z"), idempotencyKey: "k-1" };
  it("rebuilds the body of a compact row from its columns", () => {
    const body = {
      shop_id: "gid://shopify/Shop/23423423",
      event_handle: "sms_sent",
      timestamp: "2026-01-27T14:30:00.25+02:00",
      idempotency_key: "k-1",
      attributes: { value: 2 },
    };
    expect(shopifyEventBodyOf({ ...columns, payload: compactShopifyPayload(body) })).toEqual({ ...body, timestamp: "2026-01-27T12:30:00.250Z" });
  });
  it("uses an old row's full body as it is", () => {
    const full = { shop_id: "23423423", event_handle: "sms_sent", timestamp: "2026-01-27T14:30:00.25+02:00", idempotency_key: "k-1", attributes: { value: 2 } };
    expect(shopifyEventBodyOf({ ...columns, payload: full })).toBe(full);
  });
});
