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
