import DecimalJs from "decimal.js";
import { DomainError } from "./errors";

/**
 * decimal.js set up for money. 60 significant digits keep sums and products of
 * Decimal(24, 10) ledger amounts exact (the library default of 20 would round them), and
 * toString never switches to exponent notation. Inputs from elsewhere (Prisma Decimals, plain
 * decimal.js values) go through `toDecimal`, so arithmetic always runs with this precision.
 */
export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -60, toExpPos: 60 });
export type Decimal = DecimalJs;

/** A decimal string ("12.50"), a decimal.js value or a Prisma Decimal. Never a float. */
export type DecimalInput = string | DecimalJs;

/** ISO 4217 code, upper case ("USD"). Validate untrusted text with `parseCurrency`. */
export type CurrencyCode = string;

export type Money = { amount: Decimal; currency: CurrencyCode };

/** The currencies Wix accepts for Custom Charges (seed 003, SDK-CC); more may come. */
export const WIX_CHARGE_CURRENCIES = ["AUD", "BRL", "CAD", "EUR", "GBP", "ILS", "INR", "JPY", "MXN", "PLN", "RUB", "TRY", "USD"] as const;
export type WixChargeCurrency = (typeof WIX_CHARGE_CURRENCIES)[number];

export function isWixChargeCurrency(currency: string): currency is WixChargeCurrency {
  return (WIX_CHARGE_CURRENCIES as readonly string[]).includes(currency);
}

const DECIMAL_PATTERN = /^-?\d+(\.\d{1,10})?$/;
/** Every amount and quantity column is numeric(24,10): 14 digits before the point. */
export const MAX_INTEGER_DIGITS = 14;
const knownCurrencies = new Set(Intl.supportedValuesOf("currency"));

export function parseCurrency(text: string, field = "currency"): CurrencyCode {
  const code = typeof text === "string" ? text.trim().toUpperCase() : "";
  if (!/^[A-Z]{3}$/.test(code) || !knownCurrencies.has(code)) {
    throw new DomainError("INVALID_CURRENCY", `"${String(text)}" is not an ISO 4217 currency code (e.g. USD, EUR, JPY)`, field);
  }
  return code;
}

/**
 * Reads a decimal amount typed by a person or sent by a partner app: digits, an optional minus
 * sign, a dot and at most 10 decimals (the ledger's scale and Wix's maximum). No exponents, no
 * thousands separators, no floats.
 */
export function parseAmount(text: string, currency: CurrencyCode, field = "amount"): Money {
  return { amount: parseDecimal(text, field), currency: parseCurrency(currency) };
}

/** Input quoted back in a message, cut short: a refusal must not echo a megabyte. */
const shown = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

export function parseDecimal(text: string, field = "amount"): Decimal {
  if (typeof text !== "string") {
    throw new DomainError("INVALID_AMOUNT", `Amounts must be sent as decimal strings such as "12.50", not ${typeof text}`, field);
  }
  const trimmed = text.trim();
  if (DECIMAL_PATTERN.test(trimmed)) {
    if (
      trimmed
        .replace(/^-/, "")
        .split(".")[0]!
        .replace(/^0+(?=\d)/, "").length > MAX_INTEGER_DIGITS
    ) {
      throw new DomainError(
        "INVALID_AMOUNT",
        `"${shown(trimmed)}" has more than ${MAX_INTEGER_DIGITS} digits before the decimal point (the ledger stores numeric(24,10))`,
        field,
      );
    }
    return new Decimal(trimmed);
  }
  if (trimmed === "") throw new DomainError("INVALID_AMOUNT", "Enter an amount.", field);
  if (/^-?\d+\.\d{11,}$/.test(trimmed)) {
    throw new DomainError("INVALID_AMOUNT", `"${shown(trimmed)}" has more than 10 decimal places`, field);
  }
  if (/^-?[\d,]+(\.\d+)?$/.test(trimmed)) {
    throw new DomainError("INVALID_AMOUNT", `"${shown(trimmed)}" is not a decimal amount: leave out thousands separators (e.g. 1250.00)`, field);
  }
  throw new DomainError("INVALID_AMOUNT", `"${shown(trimmed)}" is not a decimal amount (expected digits with a dot, e.g. 12.50)`, field);
}

/** Converts a trusted decimal (from the database or another module) to a money-precision Decimal. */
export function toDecimal(value: DecimalInput, field = "amount"): Decimal {
  try {
    return new Decimal(value);
  } catch {
    throw new DomainError("INVALID_AMOUNT", `"${String(value)}" is not a decimal amount`, field);
  }
}

const digitsCache = new Map<string, number>();

/** Decimal places of the currency's minor unit as Intl knows them: JPY 0, USD 2, KWD 3. */
export function minorDigits(currency: CurrencyCode): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** One minor unit: 0.01 for USD, 1 for JPY. */
export function minorUnit(currency: CurrencyCode): Decimal {
  return new Decimal(1).dividedBy(new Decimal(10).pow(minorDigits(currency)));
}

/** Drops digits beyond the minor unit toward zero, as Wix does with charge amounts (1.239 USD -> 1.23). */
export function truncateToMinor(amount: DecimalInput, currency: CurrencyCode): Decimal {
  return toDecimal(amount).toDecimalPlaces(minorDigits(currency), Decimal.ROUND_DOWN);
}

/** The wire form of an amount at the currency's minor digits: "12.50", JPY "1250". Truncates. */
export function toMinorString(amount: DecimalInput, currency: CurrencyCode): string {
  return plainFixed(truncateToMinor(amount, currency), minorDigits(currency));
}

/**
 * For people, at the edge: "$1,250.00", "¥1,250". Rounds half up to the minor unit unless
 * `exact`, which keeps every significant decimal (unit prices such as $0.005).
 */
export function formatMoney(money: Money, locale = "en-US", { exact = false }: { exact?: boolean } = {}): string {
  const amount = toDecimal(money.amount);
  const minor = minorDigits(money.currency);
  const digits = exact ? Math.max(minor, amount.decimalPlaces()) : minor;
  const text = plainFixed(amount.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP), digits) as Intl.StringNumericLiteral;
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(text);
}

/** A quantity for people, exactly: grouped digits and every stored decimal ("1,234.5"), never a float. */
export function formatQuantity(quantity: DecimalInput, locale = "en-US"): string {
  const value = toDecimal(quantity, "quantity");
  const digits = value.decimalPlaces();
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    plainFixed(value, digits) as Intl.StringNumericLiteral,
  );
}

/** An amount for people with its currency's minor units, every stored decimal kept: "$120.50", "¥120", "$0.005". */
export const formatAmount = (amount: DecimalInput, currency: CurrencyCode, locale = "en-US") =>
  formatMoney({ amount: toDecimal(amount), currency }, locale, { exact: true });

/** Totals per currency, sorted by currency code; amounts in different currencies are never added. */
export function sumByCurrency(items: readonly Money[]): Money[] {
  const totals = new Map<CurrencyCode, Decimal>();
  for (const { amount, currency } of items) totals.set(currency, (totals.get(currency) ?? new Decimal(0)).plus(toDecimal(amount)));
  return [...totals.keys()].sort().map((currency) => ({ currency, amount: totals.get(currency)! }));
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new DomainError("CURRENCY_MISMATCH", `Cannot add ${b.currency} to ${a.currency}`);
  }
  return { amount: toDecimal(a.amount).plus(toDecimal(b.amount)), currency: a.currency };
}

/** toFixed without a "-0.00" for amounts that are zero. */
function plainFixed(amount: Decimal, digits: number): string {
  return amount.isZero() ? new Decimal(0).toFixed(digits) : amount.toFixed(digits);
}
