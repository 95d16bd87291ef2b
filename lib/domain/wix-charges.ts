import { createHash } from "node:crypto";
import { DomainError } from "./errors";
import {
  Decimal,
  WIX_CHARGE_CURRENCIES,
  isWixChargeCurrency,
  minorUnit,
  toDecimal,
  toMinorString,
  truncateToMinor,
  type DecimalInput,
  type WixChargeCurrency,
} from "./money";
import { assertPeriod, type Period } from "./periods";

/**
 * The answer to Wix's List Charges call (docs/platforms/wix.md §5.3) from an instance's priced usage in
 * [period.start, period.end). Wix's rules (5.1, 5.4): at most 5 charges, each at least 0.50,
 * in the request currency, extra minor digits truncated, and the sum within the charge limit.
 * A rejected answer means no invoice at all, so this never proposes anything Wix would refuse.
 *
 * Nothing is lost silently: every amount that is not charged is returned in `carried`, per
 * kind, with the reason (below the 0.50 minimum, over the charge limit, or the fraction of a
 * minor unit that truncation drops), so the sum of the charges and the carried amounts always
 * equals the sum of the usage lines. Whether carried usage goes on a later invoice is the
 * caller's decision: Wix forbids charging usage outside the invoice's period (seed 003).
 *
 * Decisions on unknowns:
 * - More than 5 kinds: the 4 largest stay, the rest become one "Other usage" charge.
 * - Charges are filled largest first; the one that reaches the limit is charged in part.
 * - The sum must be "lower than" the limit (SDK-CC) while the rejection speaks of "exceeding"
 *   it (open question 9): by default the total stays at least one minor unit below the
 *   remaining limit; `limitInclusive` allows reaching it exactly.
 * - Ids are stable (same instance, period and kind: same id, so a retried List Charges gives the
 *   same answer); an id Wix rejected is not reused: the next revision ("-r2", "-r3") is.
 * - usagePeriod shows the period's last second as its end (the docs/platforms/wix.md §5.3 example: a period ending
 *   2026-02-05T00:00Z shows 2026-02-04T23:59:59Z), so the invoice line names the right last day.
 */
export type UsageLine = { kind: string; description: string; quantity: DecimalInput; amount: DecimalInput };

export type ListChargesInput = {
  instanceId: string;
  /** The request currency; `amount`s of the lines are in it. */
  currency: string;
  period: Period;
  lines: readonly UsageLine[];
  chargeLimit: DecimalInput;
  /** Already invoiced, or proposed and accepted, against this cycle's limit. */
  alreadyCharged?: DecimalInput;
  rejectedChargeIds?: readonly string[];
  limitInclusive?: boolean;
};

export type WixCharge = { id: string; description: string; amount: string; usagePeriod: { startDate: string; endDate: string } };
type CarryReason = "below_minimum" | "charge_limit" | "minor_unit";
type CarriedAmount = { kind: string; amount: Decimal; reason: CarryReason };
/** How much of one usage kind a charge bills (a charge covers one kind, or several as "Other usage"). */
type ChargeAllocation = { chargeId: string; kind: string; amount: Decimal };
export type ListChargesResult = {
  currency: WixChargeCurrency;
  charges: WixCharge[];
  /** Per charge and kind: the charged amounts; they add up to each charge's amount. */
  allocations: ChargeAllocation[];
  total: Decimal;
  carried: CarriedAmount[];
  /** Room left under the limit after these charges. */
  remainingLimit: Decimal;
};

const MAX_CHARGES = 5;
const MIN_CHARGE = new Decimal("0.50");
const OTHER_KIND = "other";

type Kind = { kind: string; description: string; amount: Decimal };
type Group = { kind: string; description: string; members: Kind[]; amount: Decimal };

export function assertWixChargeCurrency(currency: string): WixChargeCurrency {
  const code = currency.trim().toUpperCase();
  if (!isWixChargeCurrency(code)) {
    throw new DomainError("UNSUPPORTED_CURRENCY", `Wix does not take charges in "${currency}"; it supports ${WIX_CHARGE_CURRENCIES.join(", ")}`, "currency");
  }
  return code;
}

export function buildListChargesResponse(input: ListChargesInput): ListChargesResult {
  const currency = assertWixChargeCurrency(input.currency);
  const period = assertPeriod(input.period);
  const unit = minorUnit(currency);
  const room = toDecimal(input.chargeLimit, "chargeLimit").minus(toDecimal(input.alreadyCharged ?? "0", "alreadyCharged"));
  const ceiling = truncateToMinor(Decimal.max(input.limitInclusive ? room : room.minus(unit), 0), currency);
  const rejected = new Set(input.rejectedChargeIds ?? []);

  const charges: WixCharge[] = [];
  const allocations: ChargeAllocation[] = [];
  const carried: CarriedAmount[] = [];
  let total = new Decimal(0);
  for (const group of groupKinds(input.lines)) {
    const wanted = truncateToMinor(group.amount, currency);
    const fit = Decimal.min(wanted, ceiling.minus(total));
    const charged = wanted.lt(MIN_CHARGE) || fit.lt(MIN_CHARGE) ? new Decimal(0) : fit;
    const reason: CarryReason = wanted.lt(MIN_CHARGE) ? "below_minimum" : charged.lt(wanted) ? "charge_limit" : "minor_unit";
    const id = chargeId(input.instanceId, period, group.kind, rejected);
    let left = charged;
    for (const member of group.members) {
      const share = Decimal.min(member.amount, left);
      left = left.minus(share);
      if (share.gt(0)) allocations.push({ chargeId: id, kind: member.kind, amount: share });
      if (member.amount.gt(share)) carried.push({ kind: member.kind, amount: member.amount.minus(share), reason });
    }
    if (charged.isZero()) continue;
    total = total.plus(charged);
    charges.push({
      id,
      description: charged.lt(wanted) ? `${group.description} (part; the charge limit is reached)` : group.description,
      amount: toMinorString(charged, currency),
      usagePeriod: {
        startDate: period.start.toISOString(),
        endDate: new Date(Math.max(period.start.getTime(), period.end.getTime() - 1000)).toISOString(),
      },
    });
  }
  return { currency, charges, allocations, total, carried, remainingLimit: room.minus(total) };
}

function groupKinds(lines: readonly UsageLine[]): Group[] {
  const kinds = new Map<string, Kind>();
  for (const line of lines) {
    const amount = toDecimal(line.amount, "amount");
    if (amount.isNegative()) {
      throw new DomainError("INVALID_AMOUNT", `Usage of ${line.kind} has a negative amount (${amount.toFixed()}); credits are not charges`, "amount");
    }
    const known = kinds.get(line.kind);
    kinds.set(line.kind, known ? { ...known, amount: known.amount.plus(amount) } : { kind: line.kind, description: line.description, amount });
  }
  const sorted = [...kinds.values()].filter((k) => k.amount.gt(0)).sort((a, b) => b.amount.comparedTo(a.amount) || (a.kind < b.kind ? -1 : 1));
  const single = (k: Kind): Group => ({ ...k, members: [k] });
  if (sorted.length <= MAX_CHARGES) return sorted.map(single);
  const rest = sorted.slice(MAX_CHARGES - 1);
  const other: Group = {
    kind: OTHER_KIND,
    description: truncateText(`Other usage: ${rest.map((k) => k.description).join(", ")}`, 256),
    members: rest,
    amount: rest.reduce((sum, k) => sum.plus(k.amount), new Decimal(0)),
  };
  return [...sorted.slice(0, MAX_CHARGES - 1).map(single), other].sort((a, b) => b.amount.comparedTo(a.amount));
}

/** "20260105-sms-sent-3f9a0c1b22de": readable on the invoice, at most 64 characters. */
export function chargeId(instanceId: string, period: Period, kind: string, rejected: ReadonlySet<string> = new Set()): string {
  const hash = createHash("sha256").update(`${instanceId}|${period.start.toISOString()}|${period.end.toISOString()}|${kind}`).digest("hex").slice(0, 12);
  const slug =
    kind
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 24) || "usage";
  const base = `${period.start.toISOString().slice(0, 10).replaceAll("-", "")}-${slug}-${hash}`;
  let id = base;
  for (let revision = 2; rejected.has(id); revision++) id = `${base}-r${revision}`;
  return id;
}

function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
