import { DomainError } from "./errors";
import { Decimal, toDecimal, type DecimalInput } from "./money";
import { elapsedFraction, projectToPeriodEnd, type Period } from "./periods";

/**
 * Usage against a Wix charge limit (docs/platforms/wix.md §5.1). Wix does not tell the site owner when the limit
 * is reached; the app must, so the alerts below are ours to send. Amounts are in the limit's
 * currency; percentages are rounded down to one decimal so 79.99% never shows as 80%.
 */
const ALERT_THRESHOLDS = [80, 100] as const;

export type LimitStatus = {
  used: Decimal;
  limit: Decimal;
  /** Never below zero. */
  remaining: Decimal;
  percentUsed: Decimal;
  /** Usage at the end of the cycle if the pace so far continues. */
  projected: Decimal;
  projectedPercent: Decimal;
  projectedToExceed: boolean;
  /** When the limit is reached at the current pace, if that is before the cycle ends and has not happened yet. */
  reachesLimitAt: Date | null;
  /** Thresholds (percent) already reached. */
  reached: number[];
};

export function percentOf(used: DecimalInput, limit: DecimalInput): Decimal {
  const cap = positiveLimit(limit);
  return toDecimal(used, "used").times(100).dividedBy(cap).toDecimalPlaces(1, Decimal.ROUND_DOWN);
}

/**
 * The alerts a change of usage fires: each threshold that `before` had not reached and `after`
 * has (reaching 100% means used >= limit). A jump over both fires both, in ascending order;
 * usage going down fires nothing.
 */
export function crossedThresholds(
  { before, after, limit }: { before: DecimalInput; after: DecimalInput; limit: DecimalInput },
  thresholds: readonly number[] = ALERT_THRESHOLDS,
): number[] {
  const cap = positiveLimit(limit);
  const from = toDecimal(before, "before");
  const to = toDecimal(after, "after");
  return [...thresholds]
    .sort((a, b) => a - b)
    .filter((t) => {
      const line = cap.times(t).dividedBy(100);
      return from.lt(line) && to.gte(line);
    });
}

export function limitStatus(
  { used, limit, cycle, now }: { used: DecimalInput; limit: DecimalInput; cycle: Period; now: Date },
  thresholds: readonly number[] = ALERT_THRESHOLDS,
): LimitStatus {
  const cap = positiveLimit(limit);
  const spent = toDecimal(used, "used");
  const projected = projectToPeriodEnd(spent, cycle, now);
  const fraction = elapsedFraction(cycle, now);
  let reachesLimitAt: Date | null = null;
  if (spent.lt(cap) && spent.gt(0) && fraction.gt(0) && projected.gte(cap)) {
    const elapsedMs = fraction.times(cycle.end.getTime() - cycle.start.getTime());
    reachesLimitAt = new Date(cycle.start.getTime() + elapsedMs.times(cap).dividedBy(spent).floor().toNumber());
  }
  return {
    used: spent,
    limit: cap,
    remaining: Decimal.max(cap.minus(spent), 0),
    percentUsed: percentOf(spent, cap),
    projected,
    projectedPercent: percentOf(projected, cap),
    projectedToExceed: projected.gt(cap),
    reachesLimitAt,
    reached: crossedThresholds({ before: "0", after: spent, limit: cap }, thresholds),
  };
}

function positiveLimit(limit: DecimalInput): Decimal {
  const cap = toDecimal(limit, "chargeLimit");
  if (cap.lte(0)) throw new DomainError("INVALID_AMOUNT", `A charge limit must be above zero, got ${cap.toFixed()}`, "chargeLimit");
  return cap;
}
