import { DomainError } from "./errors";
import { Decimal, toDecimal, type DecimalInput } from "./money";

/** A billing period, half-open: `start` is inside, `end` is not. */
export type Period = { start: Date; end: Date };

export function assertPeriod(period: Period, field = "period"): Period {
  const { start, end } = period;
  if (!(start instanceof Date) || !(end instanceof Date) || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new DomainError("INVALID_PERIOD", "A period needs a valid start and end date", field);
  }
  if (end.getTime() <= start.getTime()) {
    throw new DomainError("INVALID_PERIOD", `The period ends (${end.toISOString()}) before it starts (${start.toISOString()})`, field);
  }
  return period;
}

export function isInPeriod(at: Date, period: Period): boolean {
  return at.getTime() >= period.start.getTime() && at.getTime() < period.end.getTime();
}

/** Share of the period that has passed at `now`, between 0 and 1. */
export function elapsedFraction(period: Period, now: Date): Decimal {
  assertPeriod(period);
  const length = period.end.getTime() - period.start.getTime();
  const elapsed = Math.min(Math.max(now.getTime() - period.start.getTime(), 0), length);
  return new Decimal(elapsed).dividedBy(length);
}

/**
 * Linear projection to the end of the period: what `value` (accumulated since the start) will
 * be at `end` if it keeps growing at the rate seen so far. Before any time has passed there is
 * no rate yet, so the value is returned unchanged; after the end the value is final. Rounded to
 * 10 decimals (the ledger's scale): a projection is an estimate, not an amount to bill.
 */
export function projectToPeriodEnd(value: DecimalInput, period: Period, now: Date): Decimal {
  const current = toDecimal(value);
  const fraction = elapsedFraction(period, now);
  if (fraction.isZero() || fraction.gte(1)) return current;
  return current.dividedBy(fraction).toDecimalPlaces(10, Decimal.ROUND_HALF_UP);
}

/** How the Overview projects a cycle to its end (shown beside the figure). */
export const TRAILING_RATE_DAYS = 7;
export const PROJECTION_METHOD = `At each cycle's rate over its last ${TRAILING_RATE_DAYS} days (or since it began), to the cycle's end; a cycle less than a day old is counted as it stands.`;
const DAY_MS = 86_400_000;

/**
 * The value at the period's end if it keeps growing at its trailing rate: `current` (since the
 * start) plus `trailing` (accumulated over [max(start, now − TRAILING_RATE_DAYS), now)) per
 * millisecond of that window, times what is left of the period. Null while less than a day of
 * the period has passed: a rate from minutes would multiply noise by thousands.
 */
export function projectAtTrailingRate(current: DecimalInput, trailing: DecimalInput, period: Period, now: Date): Decimal | null {
  assertPeriod(period);
  const value = toDecimal(current);
  if (now.getTime() >= period.end.getTime()) return value;
  const elapsed = now.getTime() - period.start.getTime();
  if (elapsed < DAY_MS) return null;
  const window = Math.min(elapsed, TRAILING_RATE_DAYS * DAY_MS);
  const remaining = period.end.getTime() - now.getTime();
  return value.plus(toDecimal(trailing).times(remaining).dividedBy(window)).toDecimalPlaces(10, Decimal.ROUND_HALF_UP);
}
