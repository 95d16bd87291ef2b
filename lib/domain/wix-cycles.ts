import type { Period } from "./periods";

/**
 * Wix usage-based plans bill monthly (docs/platforms/wix.md §5.1, D-UBM): a cycle starts at the upgrade and each
 * invoice period ends where the next cycle starts. Wix sends no "new cycle" notice, so the product
 * infers the current cycle from what it sees: Get Charge Limit starts one, and a List Charges
 * with CREATE_INVOICE closes the period it names (the next cycle starts at its end).
 */
export type WixCycleRequest =
  | {
      cycleType?: string | null;
      cycleDuration?: { unit?: string | null; count?: number | null } | null;
    }
  | null
  | undefined;

/** Adds calendar months in UTC, keeping the day of the month where it exists (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsUtc(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/**
 * The cycle that starts at `start` for the Get Charge Limit `cycle` (RECURRING with a duration);
 * a ONE_TIME or missing cycle is taken as one month, the only cycle usage-based plans have.
 */
export function cycleStartingAt(start: Date, cycle?: WixCycleRequest): Period {
  const count = cycle?.cycleDuration?.count && cycle.cycleDuration.count > 0 ? cycle.cycleDuration.count : 1;
  const unit = cycle?.cycleType === "RECURRING" ? (cycle.cycleDuration?.unit ?? "MONTH") : "MONTH";
  const end = new Date(start.getTime());
  if (unit === "DAY") end.setUTCDate(end.getUTCDate() + count);
  else if (unit === "WEEK") end.setUTCDate(end.getUTCDate() + 7 * count);
  else if (unit === "YEAR") return { start, end: addMonthsUtc(start, 12 * count) };
  else return { start, end: addMonthsUtc(start, count) };
  return { start, end };
}

/**
 * The instance's cycle after Wix closed `period` for invoicing: the next one starts at its end.
 * A period that ends before the known cycle started (a retry of an older one) changes nothing.
 */
export function cycleAfterInvoicePeriod(period: Period, known: Partial<Period> | null): Period | null {
  if (known?.start && period.end.getTime() <= known.start.getTime()) return null;
  return { start: period.end, end: addMonthsUtc(period.end, 1) };
}

const DAY_MS = 86_400_000;

/**
 * Whether a projection to the cycle's end means anything yet: a linear pace read from the first
 * minutes of a month-long cycle multiplies noise by thousands. It does once a day (or a tenth of a
 * shorter cycle) has passed.
 */
export function projectionIsMeaningful(cycle: Period, now: Date): boolean {
  const length = cycle.end.getTime() - cycle.start.getTime();
  return length > 0 && now.getTime() - cycle.start.getTime() >= Math.min(DAY_MS, length / 10);
}
