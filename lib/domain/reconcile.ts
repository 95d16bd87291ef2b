import { DomainError } from "./errors";
import { Decimal, toDecimal } from "./money";

/**
 * Reconciliation as plain functions: a cycle's meters (ours beside the platform's), the money of
 * its open differences per currency, and the rules for signing a cycle off. Nothing here reads a
 * database or the network.
 */
export const DIFFERENCE_KINDS = ["missing_there", "missing_here", "verdict_differs", "units_differ", "amount_differs", "charge_differs"] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];
export const KIND_LABEL: Record<DifferenceKind, string> = {
  missing_there: "Missing at the platform",
  missing_here: "Missing here",
  verdict_differs: "Verdict differs",
  units_differ: "Units differ",
  amount_differs: "Meter total differs",
  charge_differs: "Charged amount differs",
};

/** Where a verdict or log row came from, in a sentence. */
export const VERDICT_SOURCE_LABEL: Record<string, string> = {
  sandbox_log: "the sandbox's log",
  imported_file: "an imported log file",
  person: "a person",
  wix_invoice: "a Wix invoice",
  platform_response: "the platform's answer",
};

/** One meter of one cycle: our billable units and their price, and what the platform reported. */
export type CycleMeter = {
  handle: string;
  currency: string;
  ourUnits: string;
  ourPending: string;
  ourAmount: string | null;
  platformUnits: string | null;
  platformAmount: string | null;
  /** When the platform's figure was read (ISO), null when it never was. */
  fetchedAt: string | null;
  /** What the platform actually charged for the meter in the cycle (Shopify CHARGE_USAGE), null when no charge was read. */
  chargedUnits?: string | null;
  chargedAmount?: string | null;
  /** Wix: what the ledger priced that was knowingly not charged (over the charge limit, below the minimum, minor units), exact. */
  carriedAmount?: string;
  /** A development store's cycle: Shopify never charges it (test only). */
  neverCharged?: boolean;
  /**
   * Events the platform's read could not have seen: sent (accepted) after it, or not accepted yet,
   * plus those accepted in the verdict margin before it that the read does not count. Not in
   * ourUnits and never a difference; they are compared after the next read. Absent when none.
   */
  inFlight?: InFlight;
};

/** What was sent after the platform's last read: how many events, their billable units and their money (exact). */
export type InFlight = { count: number; units: string; amount: string | null; readAt: string };

/**
 * Ours as of a platform read: `settled` units were accepted before the read minus the verdict
 * margin (the platform has them); `window` units were accepted within the margin before the read
 * (Shopify's verdict is asynchronous, so the read may count any of them). Our figure is the
 * platform's where it lies between the two, else the nearer end: the platform is not blamed for
 * an event it could not have counted yet. With no figure of the platform's, both count.
 */
export function unitsAsOfRead(settled: Decimal, window: Decimal, platform: Decimal | null): Decimal {
  // Nothing of the platform's to compare with (a log read, no usage figure): everything accepted before the read is ours.
  if (platform === null) return settled.plus(window);
  const high = settled.plus(window);
  return Decimal.max(settled, Decimal.min(high, platform));
}

/** One charge the platform made in a cycle (Shopify CHARGE_USAGE / CHARGE_RECURRING), as stored with the cycle. */
export type CycleCharge = {
  chargeId: string;
  type: "usage" | "recurring";
  handle: string | null;
  units: string | null;
  amount: string;
  currency: string;
  at: string;
};

/**
 * A closed cycle's usage charge against our figure: our billable units priced (rounded half up to
 * the currency's minor units, as the platform charges) beside what it charged, where no charge
 * counts as 0 once the charges have been read past the cycle's end. Null when they agree.
 * The platform's rounding is not documented (docs/platforms/shopify.md §2.3); the sandbox rounds half up.
 */
export function chargeDifference(m: CycleMeter, minorDigits: number): Decimal | null {
  // A meter we cannot price (not on the cycle's plan) counts as 0 of ours: a charge for it is a difference.
  const ours = toDecimal(m.ourAmount ?? "0").toDecimalPlaces(minorDigits, Decimal.ROUND_HALF_UP);
  const diff = ours.minus(toDecimal(m.chargedAmount ?? "0"));
  return diff.isZero() ? null : diff;
}

/** The meter totals that disagree: units or money, where the platform has a figure. */
export function meterDifferences(meters: readonly CycleMeter[]): { handle: string; currency: string; units: Decimal | null; amount: Decimal }[] {
  return meters.flatMap((m) => {
    if (m.platformUnits === null && m.platformAmount === null) return [];
    const units = m.platformUnits === null ? null : toDecimal(m.ourUnits).minus(toDecimal(m.platformUnits));
    const amount = m.platformAmount === null || m.ourAmount === null ? new Decimal(0) : toDecimal(m.ourAmount).minus(toDecimal(m.platformAmount));
    return (units && !units.isZero()) || !amount.isZero() ? [{ handle: m.handle, currency: m.currency, units, amount }] : [];
  });
}

/** Money per currency (never summed across currencies), sorted by currency. */
export function moneyByCurrency(rows: readonly { amount: string | Decimal; currency: string }[]): { currency: string; amount: string }[] {
  const sums = new Map<string, Decimal>();
  for (const r of rows) sums.set(r.currency, (sums.get(r.currency) ?? new Decimal(0)).plus(toDecimal(r.amount.toString())));
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount: amount.toFixed() }));
}

/**
 * The money a cycle's open differences come to, counted once per meter: what the platform
 * actually charged (charge_differs) is the last word; else a meter's total row, which is exact
 * (it prices the whole cycle with included units and tiers) and already contains its events'
 * effect; events count only on meters with neither (at their unit price).
 */
export function gapOf(open: readonly { amount: string; currency: string; kind: DifferenceKind; handle: string }[]) {
  const charged = new Set(open.filter((d) => d.kind === "charge_differs").map((d) => d.handle));
  const totals = new Set(open.filter((d) => d.kind === "amount_differs").map((d) => d.handle));
  return moneyByCurrency(
    open.filter((d) => d.kind === "charge_differs" || (d.kind === "amount_differs" ? !charged.has(d.handle) : !charged.has(d.handle) && !totals.has(d.handle))),
  );
}

/** A moment in a sentence: minutes, UTC (the page shows it in the viewer's zone). */
const inWords = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export type CloseRequest = {
  now: Date;
  cycleEnd: Date;
  /** When the platform's charges for the cycle were last read (null: never). */
  platformReadAt: Date | null;
  /** Who the platform is, in the refusal ("Shopify", "Wix"). */
  platformName?: string;
  /** The cycle's open differences: their money, and the meter each is on (null: a meter's total). */
  open: readonly { amount: string; currency: string; kind: DifferenceKind; handle: string }[];
  knownGap: boolean;
  isAdmin: boolean;
  note: string;
};

/**
 * Signing a cycle off: never before it has ended, nor on platform figures read before its end
 * (its charges are unread); with open differences only as an admin's
 * "close with a known gap", which states the gap per currency and needs a note. Throws a
 * DomainError saying why it is refused.
 */
export function decideClose(r: CloseRequest): { state: "closed" | "closed_with_gap"; gap: { currency: string; amount: string }[] } {
  if (r.now.getTime() < r.cycleEnd.getTime()) {
    throw new DomainError("CYCLE_NOT_ENDED", `The cycle ends at ${inWords(r.cycleEnd)}; it can be closed once it has ended.`, "cycle");
  }
  // Signed on figures read before the cycle ended, a late charge or verdict would go unseen.
  if (!r.platformReadAt || r.platformReadAt.getTime() <= r.cycleEnd.getTime()) {
    const who = r.platformName ?? "The platform";
    const last = r.platformReadAt ? `they were last read at ${inWords(r.platformReadAt)}` : "they have never been read";
    throw new DomainError(
      "PLATFORM_UNREAD",
      `${who}'s charges for this cycle have not been read since it ended at ${inWords(r.cycleEnd)} (${last}): refresh now, then close it.`,
      "refresh",
    );
  }
  if (!r.open.length) return { state: "closed", gap: [] };
  const gap = gapOf(r.open);
  const stated = gap.map((g) => `${g.amount} ${g.currency}`).join(", ");
  if (!r.knownGap) {
    throw new DomainError(
      "OPEN_DIFFERENCES",
      `${r.open.length} difference${r.open.length === 1 ? " is" : "s are"} still open (${stated}): resolve them, or an admin closes with a known gap.`,
      "cycle",
    );
  }
  if (!r.isAdmin) throw new DomainError("ADMIN_ONLY", "Only an admin can close a cycle with a known gap.", "knownGap");
  if (r.note.trim().length < 3) throw new DomainError("NOTE_REQUIRED", `Say why the cycle closes with a gap of ${stated}.`, "note");
  return { state: "closed_with_gap", gap };
}
