import fc from "fast-check";

/**
 * The values that broke the edges before (issue: 201 × 503 from 10,000 bodies), as fast-check
 * arbitraries for the fuzz tests: text Postgres cannot store, timestamps outside the calendar or
 * Postgres' range, numbers past numeric(24,10), huge strings and ids, deep nesting, plus whatever
 * fast-check makes up.
 */
const nul = fc.string({ maxLength: 8 }).map((s) => `${s}\u0000${s}`);
const loneSurrogate = fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff")).map(([s, u]) => `${s}${u}${s}`);
const huge = fc.constantFrom(70_000, 5_000, 300, 129, 65).map((n) => "x".repeat(n));
const timestamp = fc.constantFrom(
  "0000-01-01T00:00:00Z",
  "0000-06-15T12:00:00+01:00",
  "-000001-01-01T00:00:00Z",
  "10000-01-01T00:00:00Z",
  "9999-12-31T23:59:59-14:00",
  "1969-12-31T23:59:59Z",
  "2026-02-30T00:00:00Z",
  "2026-13-01T00:00:00Z",
  "2026-01-01T24:00:00Z",
  "2026-01-01T00:00:00+99:99",
  "2026-01-01",
  "yesterday",
  "2031-01-01T00:00:00Z",
  new Date(Date.now() - 120_000).toISOString(),
  new Date(Date.now() + 3_600_000).toISOString(),
);
const number = fc.oneof(
  fc.constantFrom(1e15, 1e14, 99_999_999_999_999, 1e-11, 1e-10, 5e-324, 1.7976931348623157e308, -0, -5, 0, 0.1 + 0.2, Number.MAX_SAFE_INTEGER + 2, 0.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const decimalText = fc.constantFrom(
  "123456789012345678",
  "99999999999999.9999999999",
  "100000000000000",
  "1.12345678901",
  "1e5",
  "-0",
  "0.00000000001",
  "12,50",
  " 7 ",
  "",
  "-12.5",
  "1".repeat(400),
);
const id = fc.constantFrom(
  "9".repeat(5000),
  "9".repeat(21),
  "gid://shopify/Shop/1",
  "0",
  "7DD21EBC-A097-43AC-8763-2806DAEE84A1",
  "00000000-0000-0000-0000-000000000000",
  "XXX",
  "usd",
  "x".repeat(65),
);
const deep = fc.integer({ min: 17, max: 400 }).map((n) => {
  let v: unknown = "bottom";
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { n: v };
  return v;
});

export const nasty = {
  text: () => fc.oneof(nul, loneSurrogate, huge, fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })),
  value: (): fc.Arbitrary<unknown> =>
    fc.oneof(
      nul,
      loneSurrogate,
      huge,
      timestamp,
      number,
      decimalText,
      id,
      deep,
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.boolean(),
      fc.constant(null),
      fc.constant([]),
      fc.constant({}),
      fc.anything({ maxDepth: 2, withNullPrototype: false }),
    ),
  /** JSON text with escapes JSON.stringify would never write, or that nests deeper than any body. */
  json: () =>
    fc.constantFrom(
      '{"events": [{"platform": "shopify", "shop_id": "\\u0000"}]}',
      '{"events": [{"platform": "wix", "kind": "\\ud800"}]}',
      `{"a":${'{"a":'.repeat(5000)}1${"}".repeat(5001)}`,
    ),
};

/** Runs the tasks `concurrency` at a time; the first failure stops the run. */
export async function runPool(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}
