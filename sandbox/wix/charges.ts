// Wix's checks of a List Charges answer (docs/platforms/wix.md §5.1, §5.3): at most 5 charges, each a decimal
// string of at least 0.50 (extra minor digits truncated), in the request's currency, unique
// ids of at most 64 characters, and a total below the charge limit (equal: a switch).
import { isObject } from "../http";
import { Decimal, formatAmount, truncateToCurrency, UNSIGNED_DECIMAL } from "../money";
import type { InvoiceLine } from "../state";

type RejectReason = "UNKNOWN" | "CHARGE_LIMIT_EXCEEDED" | "TOO_MANY_CHARGES" | "INVALID_FORMAT";
type AcceptedCharge = Omit<InvoiceLine, "id">;
export type ChargesCheck =
  { ok: true; charges: AcceptedCharge[]; total: string } | { ok: false; reasons: RejectReason[]; chargeIds: string[]; problems: string[] };

const MAX_CHARGES = 5;
const MIN_AMOUNT = new Decimal("0.50");
const EARLIEST_USAGE = Date.parse("2010-01-01T00:00:00Z");

export function checkCharges(answer: unknown, opts: { currency: string; chargeLimit: string; acceptEqual: boolean }): ChargesCheck {
  const reasons = new Set<RejectReason>();
  const problems: string[] = [];
  const flag = (reason: RejectReason, problem: string) => {
    reasons.add(reason);
    problems.push(problem);
  };
  if (!isObject(answer) || !Array.isArray(answer.charges)) {
    return { ok: false, reasons: ["INVALID_FORMAT"], chargeIds: [], problems: ['the answer must be a JSON object with a "charges" array'] };
  }
  const list: unknown[] = answer.charges;
  if (list.length > MAX_CHARGES) flag("TOO_MANY_CHARGES", `${list.length} charges; at most ${MAX_CHARGES} per invoice`);

  const charges: AcceptedCharge[] = [];
  const ids = new Set<string>();
  let total = new Decimal(0);
  list.forEach((c, i) => {
    if (!isObject(c)) return flag("INVALID_FORMAT", `charges[${i}] is not an object`);
    const { id, description, amount } = c;
    if (typeof id !== "string" || id.length === 0 || id.length > 64) flag("INVALID_FORMAT", `charges[${i}].id must be a string of 1 to 64 characters`);
    else if (ids.has(id)) flag("INVALID_FORMAT", `charges[${i}].id "${id}" is repeated`);
    else ids.add(id);
    if (description !== undefined && typeof description !== "string") flag("INVALID_FORMAT", `charges[${i}].description must be a string`);
    if (c.currency !== undefined && c.currency !== opts.currency)
      flag("INVALID_FORMAT", `charges[${i}].currency ${String(c.currency)} is not the request currency ${opts.currency}`);
    if (typeof amount !== "string" || !UNSIGNED_DECIMAL.test(amount)) {
      return flag("INVALID_FORMAT", `charges[${i}].amount must be a decimal string such as "12.50"`);
    }
    const value = truncateToCurrency(new Decimal(amount), opts.currency);
    if (value.lt(MIN_AMOUNT)) flag("INVALID_FORMAT", `charges[${i}].amount ${amount} is below the minimum of 0.50`);
    total = total.plus(value);
    charges.push({
      chargeId: String(id),
      description: typeof description === "string" ? description : "",
      amount: formatAmount(value, opts.currency),
      usagePeriod: usagePeriodOf(c.usagePeriod),
    });
  });

  const limit = new Decimal(opts.chargeLimit);
  if (total.gt(limit) || (total.eq(limit) && !opts.acceptEqual)) {
    flag(
      "CHARGE_LIMIT_EXCEEDED",
      `total ${formatAmount(total, opts.currency)} ${opts.currency} is ${total.eq(limit) ? "equal to" : "over"} the charge limit ${opts.chargeLimit}`,
    );
  }
  if (reasons.size > 0) {
    const chargeIds = list.flatMap((c) => (isObject(c) && typeof c.id === "string" ? [c.id] : [])).slice(0, MAX_CHARGES);
    return { ok: false, reasons: [...reasons], chargeIds, problems };
  }
  return { ok: true, charges, total: formatAmount(total, opts.currency) };
}

/** Kept only when both dates are valid, start >= 2010-01-01 and start <= end; otherwise dropped. */
function usagePeriodOf(p: unknown): AcceptedCharge["usagePeriod"] {
  if (!isObject(p) || typeof p.startDate !== "string" || typeof p.endDate !== "string") return null;
  const start = Date.parse(p.startDate);
  const end = Date.parse(p.endDate);
  if (Number.isNaN(start) || Number.isNaN(end) || start < EARLIEST_USAGE || start > end) return null;
  return { startDate: p.startDate, endDate: p.endDate };
}

export type UsageLine = { counterId: string; quantity: number; unitPrice: string; amount: string; description: string };
export type UsagesCheck =
  { ok: true; lines: UsageLine[]; total: string } | { ok: false; reasons: ("UNKNOWN" | "CHARGE_LIMIT_EXCEEDED")[]; lines: UsageLine[]; problems: string[] };

/**
 * Wix's checks of a List Usages answer (docs/platforms/wix.md §5.3): at most 5 usages, each for a
 * counter asked for, an integer quantity ≥ 0, priced at the counter's unit price; the priced
 * usages plus the charges already accepted must stay below the charge limit (equal: a switch).
 */
export function checkUsages(
  answer: unknown,
  opts: { counters: { counterId: string; unitPrice: string }[]; currency: string; chargeLimit: string; chargesTotal: string; acceptEqual: boolean },
): UsagesCheck {
  if (!isObject(answer) || !Array.isArray(answer.usages)) {
    return { ok: false, reasons: ["UNKNOWN"], lines: [], problems: ['the answer must be a JSON object with a "usages" array'] };
  }
  const problems: string[] = [];
  const lines: UsageLine[] = [];
  const list: unknown[] = answer.usages;
  if (list.length > MAX_CHARGES) problems.push(`${list.length} usages; at most ${MAX_CHARGES}`);
  list.slice(0, MAX_CHARGES).forEach((u, i) => {
    const counter = isObject(u) ? opts.counters.find((c) => c.counterId === u.counterId) : undefined;
    if (!isObject(u) || !counter) return void problems.push(`usages[${i}].counterId is not one of the counters asked for`);
    if (typeof u.quantity !== "number" || !Number.isSafeInteger(u.quantity) || u.quantity < 0)
      return void problems.push(`usages[${i}].quantity must be a whole number ≥ 0`);
    if (u.description !== undefined && (typeof u.description !== "string" || u.description.length > 256))
      problems.push(`usages[${i}].description must be a string of at most 256 characters`);
    const amount = new Decimal(counter.unitPrice).times(u.quantity);
    lines.push({
      counterId: counter.counterId,
      quantity: u.quantity,
      unitPrice: counter.unitPrice,
      amount: formatAmount(amount, opts.currency),
      description: typeof u.description === "string" ? u.description : "",
    });
  });
  if (problems.length > 0) return { ok: false, reasons: ["UNKNOWN"], lines, problems };
  const usageTotal = lines.reduce((sum, l) => sum.plus(l.amount), new Decimal(0));
  const total = usageTotal.plus(opts.chargesTotal);
  const limit = new Decimal(opts.chargeLimit);
  if (total.gt(limit) || (total.eq(limit) && !opts.acceptEqual)) {
    return {
      ok: false,
      reasons: ["CHARGE_LIMIT_EXCEEDED"],
      lines,
      problems: [`charges and usages total ${formatAmount(total, opts.currency)} ${opts.currency}, over the charge limit ${opts.chargeLimit}`],
    };
  }
  return { ok: true, lines, total: formatAmount(usageTotal, opts.currency) };
}
