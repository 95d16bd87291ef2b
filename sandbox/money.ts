// Exact decimal helpers: money stays a decimal string on the wire and a Decimal in code.
import Decimal from "decimal.js";

/** Unsigned decimal string: whole number or dot-separated decimal ("12", "0.50"). */
export const UNSIGNED_DECIMAL = /^\d+(\.\d+)?$/;
/** Signed decimal string with at most 10 fraction digits (Wix external billing amounts). */
export const SIGNED_DECIMAL_10 = /^-?\d+(\.\d{1,10})?$/;

/** Currencies Wix supports for Custom Charges (docs/platforms/wix.md §5.1). */
export const WIX_CURRENCIES = ["AUD", "BRL", "CAD", "EUR", "GBP", "ILS", "INR", "JPY", "MXN", "PLN", "RUB", "TRY", "USD"] as const;

const ZERO_DECIMAL_CURRENCIES = new Set(["JPY"]);

function minorDigits(currency: string): number {
  return ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
}

/** Truncates (never rounds) to the currency's minor digits, as Wix does with charge amounts. */
export function truncateToCurrency(amount: Decimal, currency: string): Decimal {
  return amount.toDecimalPlaces(minorDigits(currency), Decimal.ROUND_DOWN);
}

/** Formats with exactly the currency's minor digits ("1.5" -> "1.50"; JPY "100"). */
export function formatAmount(amount: Decimal, currency = "USD"): string {
  return amount.toFixed(minorDigits(currency));
}

/** Rounds a computed cost to cents, half up (rounding of fractional cents is UNKNOWN in docs/platforms/shopify.md §2.3). */
export function roundCost(amount: Decimal, currency = "USD"): Decimal {
  return amount.toDecimalPlaces(minorDigits(currency), Decimal.ROUND_HALF_UP);
}

export { Decimal };
