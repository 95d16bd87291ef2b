import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import {
  Decimal,
  WIX_CHARGE_CURRENCIES,
  addMoney,
  formatAmount,
  formatMoney,
  formatQuantity,
  minorDigits,
  parseAmount,
  parseCurrency,
  sumByCurrency,
  toMinorString,
  truncateToMinor,
} from "./money";

const usd = (amount: string) => ({ amount: new Decimal(amount), currency: "USD" });

describe("parseAmount", () => {
  it("keeps every one of up to 10 decimals exactly", () => {
    const { amount, currency } = parseAmount("0.0000000001", "usd");
    expect(amount.toFixed()).toBe("0.0000000001");
    expect(currency).toBe("USD");
    expect(parseAmount(" -120.50 ", "USD").amount.toFixed(2)).toBe("-120.50");
  });

  it("adds ten cents ten times to exactly one dollar, unlike floats", () => {
    const total = Array.from({ length: 10 }, () => parseAmount("0.10", "USD").amount).reduce((a, b) => a.plus(b));
    expect(total.toFixed()).toBe("1");
  });

  it.each([
    ["1,000.00", /thousands separators/],
    ["0.12345678901", /more than 10 decimal places/],
    ["1e3", /not a decimal amount/],
    ["abc", /not a decimal amount/],
    ["", /Enter an amount/],
    [".5", /not a decimal amount/],
  ])("rejects %j with a clear message", (text, message) => {
    expect(() => parseAmount(text, "USD")).toThrow(message);
    try {
      parseAmount(text, "USD", "grossRevenue");
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe("INVALID_AMOUNT");
      expect((err as DomainError).field).toBe("grossRevenue");
    }
  });

  it("rejects floats passed where a string is expected", () => {
    expect(() => parseAmount(0.1 as unknown as string, "USD")).toThrow(/decimal strings/);
  });

  it("rejects unknown currencies", () => {
    expect(() => parseAmount("1", "XXY")).toThrow(DomainError);
    expect(() => parseCurrency("dollars")).toThrow(/ISO 4217/);
  });
});

describe("minor units", () => {
  it("knows JPY has none and USD two", () => {
    expect(minorDigits("JPY")).toBe(0);
    expect(minorDigits("USD")).toBe(2);
    expect(minorDigits("KWD")).toBe(3);
  });

  it("truncates like Wix instead of rounding", () => {
    expect(truncateToMinor("1.239", "USD").toFixed()).toBe("1.23");
    expect(truncateToMinor("1250.9", "JPY").toFixed()).toBe("1250");
    expect(toMinorString("12.5", "USD")).toBe("12.50");
    expect(toMinorString("1250.99", "JPY")).toBe("1250");
  });

  it("never truncates an amount upward", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.constantFrom(...WIX_CHARGE_CURRENCIES), (n, currency) => {
        const amount = new Decimal(n.toString()).dividedBy(1e10);
        const truncated = truncateToMinor(amount, currency);
        return truncated.lte(amount) && amount.minus(truncated).lt(new Decimal(10).pow(-minorDigits(currency)));
      }),
    );
  });
});

describe("amounts and quantities for people", () => {
  it("shows the currency's minor units and keeps every stored decimal, from strings, never floats", () => {
    expect(formatAmount("120.5", "USD")).toBe("$120.50");
    expect(formatAmount("120", "JPY")).toBe("¥120");
    expect(formatAmount("120.5000000000", "USD")).toBe("$120.50");
    expect(formatAmount("0.1234567891", "EUR")).toBe("€0.1234567891");
    expect(formatAmount("99999999999999.9999999999", "USD")).toBe("$99,999,999,999,999.9999999999");
    expect(formatAmount("1234.567", "KWD")).toBe("KWD\u00a01,234.567");
    expect(formatQuantity("1234.5000000000")).toBe("1,234.5");
    expect(formatQuantity("3")).toBe("3");
    expect(formatQuantity("0.0000000001")).toBe("0.0000000001");
    expect(formatQuantity("12345678901234.0123456789")).toBe("12,345,678,901,234.0123456789");
  });
});

describe("formatMoney", () => {
  it("shows the currency's minor digits, rounding half up for display", () => {
    expect(formatMoney(usd("1250"))).toBe("$1,250.00");
    expect(formatMoney(usd("0.005"))).toBe("$0.01");
    expect(formatMoney({ amount: new Decimal("1250"), currency: "JPY" })).toBe("¥1,250");
    expect(formatMoney(usd("-0.001"))).toBe("$0.00");
  });

  it("can show sub-cent unit prices exactly", () => {
    expect(formatMoney(usd("0.005"), "en-US", { exact: true })).toBe("$0.005");
    expect(formatMoney(usd("12345678901234.0123456789"), "en-US", { exact: true })).toBe("$12,345,678,901,234.0123456789");
  });

  it("follows the viewer's locale", () => {
    expect(formatMoney({ amount: new Decimal("1234.5"), currency: "EUR" }, "de-DE").replace(/\s/g, " ")).toBe("1.234,50 €");
  });
});

describe("sums", () => {
  it("sums per currency and never across currencies", () => {
    const totals = sumByCurrency([usd("0.10"), { amount: new Decimal("100"), currency: "JPY" }, usd("0.20"), { amount: new Decimal("-30"), currency: "JPY" }]);
    expect(totals.map((m) => [m.currency, m.amount.toFixed()])).toEqual([
      ["JPY", "70"],
      ["USD", "0.3"],
    ]);
  });

  it("refuses to add two currencies", () => {
    expect(() => addMoney(usd("1"), { amount: new Decimal(1), currency: "EUR" })).toThrow(/Cannot add EUR to USD/);
    expect(addMoney(usd("0.1"), usd("0.2")).amount.toFixed()).toBe("0.3");
  });

  it("stays exact far beyond 20 significant digits", () => {
    const big = sumByCurrency([usd("99999999999999.9999999999"), usd("0.0000000001")]);
    expect(big[0]?.amount.toFixed()).toBe("100000000000000");
  });
});
