import { Decimal, toDecimal } from "./money";

/**
 * Reconciliation as plain functions: our ledger beside what the platform says it has, matched
 * by idempotency key, and totals per subject (shop / instance) and meter. Nothing here reads a
 * database or the network.
 */
export type VerdictPair = { verdict: string; code: string | null };

export type LedgerLine = {
  key: string;
  eventId: string;
  subject: string;
  handle: string;
  quantity: string | null;
  /** Delivered: the platform accepted the request (so it should be in its log). */
  sent: boolean;
  predicted: VerdictPair;
  /** The platform's verdict as recorded on the ledger entry, if any. */
  recorded: VerdictPair | null;
};

export type PlatformLine = { key: string; subject: string | null; handle: string; quantity: string | null; verdict: string; code: string | null };

export type EventMatch = {
  /** The platform has the event; the ledger does not. */
  missingHere: PlatformLine[];
  /** The ledger sent the event; the platform's log has no row for it. */
  missingThere: LedgerLine[];
  /** The platform decided differently from what we predicted. */
  verdictDiffs: { line: LedgerLine; platform: VerdictPair }[];
  /** The platform's log disagrees with the verdict recorded on the ledger entry. */
  recordedDiffs: { line: LedgerLine; platform: VerdictPair }[];
  /** Same key, different units. */
  unitDiffs: { line: LedgerLine; platform: PlatformLine }[];
};

const same = (a: VerdictPair, b: VerdictPair) => a.verdict === b.verdict && (a.verdict !== "failed" || (a.code ?? null) === (b.code ?? null));
const qty = (q: string | null) => (q === null ? null : toDecimal(q, "quantity"));

export function matchEvents(ours: readonly LedgerLine[], theirs: readonly PlatformLine[]): EventMatch {
  const byKey = new Map(theirs.map((t) => [t.key, t]));
  const ourKeys = new Set(ours.map((o) => o.key));
  const result: EventMatch = { missingHere: theirs.filter((t) => !ourKeys.has(t.key)), missingThere: [], verdictDiffs: [], recordedDiffs: [], unitDiffs: [] };
  for (const line of ours) {
    const platform = byKey.get(line.key);
    if (!platform) {
      if (line.sent) result.missingThere.push(line);
      continue;
    }
    const verdict = { verdict: platform.verdict, code: platform.code };
    if (!same(line.predicted, verdict)) result.verdictDiffs.push({ line, platform: verdict });
    if (line.recorded && !same(line.recorded, verdict)) result.recordedDiffs.push({ line, platform: verdict });
    const a = qty(line.quantity);
    const b = qty(platform.quantity);
    if (a && b && !a.eq(b)) result.unitDiffs.push({ line, platform });
  }
  return result;
}

export type UnitTotals = { sent: Decimal; predictedBillable: Decimal; confirmedBillable: Decimal };

/** Units per subject and handle: sent, predicted billable, confirmed billable by the platform. */
export function ledgerTotals(lines: readonly LedgerLine[]): Map<string, UnitTotals> {
  const out = new Map<string, UnitTotals>();
  for (const l of lines) {
    const k = `${l.subject}|${l.handle}`;
    const t = out.get(k) ?? { sent: new Decimal(0), predictedBillable: new Decimal(0), confirmedBillable: new Decimal(0) };
    const q = qty(l.quantity) ?? new Decimal(0);
    if (l.sent) t.sent = t.sent.plus(q);
    if (l.predicted.verdict === "billable") t.predictedBillable = t.predictedBillable.plus(q);
    if (l.recorded?.verdict === "billable") t.confirmedBillable = t.confirmedBillable.plus(q);
    out.set(k, t);
  }
  return out;
}

export type TotalsComparison = {
  subject: string;
  handle: string;
  currency: string;
  ours: UnitTotals;
  platformUnits: Decimal | null;
  diffUnits: Decimal | null;
  ourAmount: Decimal | null;
  platformAmount: Decimal | null;
  diffAmount: Decimal | null;
};

/** Our confirmed units and money beside the platform's, per subject and meter. */
export function compareTotals(
  ours: Map<string, UnitTotals>,
  platform: readonly { subject: string; handle: string; units: string; amount: string | null; currency: string }[],
  price: (subject: string, handle: string, units: Decimal) => { amount: Decimal; currency: string } | null,
): TotalsComparison[] {
  const keys = new Set([...ours.keys(), ...platform.map((p) => `${p.subject}|${p.handle}`)]);
  return [...keys].sort().map((k) => {
    const [subject, handle] = k.split("|") as [string, string];
    const o = ours.get(k) ?? { sent: new Decimal(0), predictedBillable: new Decimal(0), confirmedBillable: new Decimal(0) };
    const p = platform.find((x) => x.subject === subject && x.handle === handle);
    const priced = price(subject, handle, o.confirmedBillable);
    const platformUnits = p ? toDecimal(p.units, "units") : null;
    const platformAmount = p?.amount ? toDecimal(p.amount, "amount") : null;
    return {
      subject, handle, currency: priced?.currency ?? p?.currency ?? "USD", ours: o,
      platformUnits, diffUnits: platformUnits ? o.confirmedBillable.minus(platformUnits) : null,
      ourAmount: priced?.amount ?? null, platformAmount,
      diffAmount: priced && platformAmount ? priced.amount.minus(platformAmount) : null,
    };
  });
}
