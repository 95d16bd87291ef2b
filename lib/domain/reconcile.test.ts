import { describe, expect, it } from "vitest";
import { Decimal } from "./money";
import { compareTotals, ledgerTotals, matchEvents, type LedgerLine, type PlatformLine } from "./reconcile";

const ours = (key: string, extra: Partial<LedgerLine> = {}): LedgerLine => ({
  key, eventId: key, subject: "shop-a", handle: "sms_sent", quantity: "1", sent: true,
  predicted: { verdict: "billable", code: null }, recorded: { verdict: "billable", code: null }, ...extra,
});
const theirs = (key: string, extra: Partial<PlatformLine> = {}): PlatformLine => ({ key, subject: "shop-a", handle: "sms_sent", quantity: "1", verdict: "billable", code: null, ...extra });

describe("matching by idempotency key", () => {
  it("finds each kind of difference and nothing else", () => {
    const m = matchEvents(
      [
        ours("same"),
        ours("only-ours"),
        ours("held-not-sent", { sent: false, recorded: null }),
        ours("predicted-wrong", { predicted: { verdict: "billable", code: null } }),
        ours("units", { quantity: "5" }),
        ours("recorded-wrong", { recorded: { verdict: "billable", code: null } }),
      ],
      [
        theirs("same"),
        theirs("only-theirs"),
        theirs("predicted-wrong", { verdict: "failed", code: "PERIOD_CLOSED" }),
        theirs("units", { quantity: "4" }),
        theirs("recorded-wrong", { verdict: "failed", code: "NO_SUBSCRIPTION" }),
      ],
    );
    expect(m.missingHere.map((l) => l.key)).toEqual(["only-theirs"]);
    expect(m.missingThere.map((l) => l.key)).toEqual(["only-ours"]);
    expect(m.verdictDiffs.map((d) => [d.line.key, d.platform.code])).toEqual([["predicted-wrong", "PERIOD_CLOSED"], ["recorded-wrong", "NO_SUBSCRIPTION"]]);
    expect(m.recordedDiffs.map((d) => d.line.key)).toEqual(["predicted-wrong", "recorded-wrong"]);
    expect(m.unitDiffs.map((d) => d.line.key)).toEqual(["units"]);
  });

  it("treats failed verdicts with different codes as different, and decimals by value", () => {
    const m = matchEvents([ours("k", { predicted: { verdict: "failed", code: "INVALID_VALUE" }, quantity: "2.50" })], [theirs("k", { verdict: "failed", code: "MISSING_VALUE_KEY", quantity: "2.5" })]);
    expect(m.verdictDiffs).toHaveLength(1);
    expect(m.unitDiffs).toHaveLength(0);
  });
});

describe("totals", () => {
  it("compares confirmed units and money exactly, per currency", () => {
    const lines = [ours("a", { quantity: "150" }), ours("b", { quantity: "0.5", recorded: null }), ours("c", { quantity: "3", subject: "shop-b", handle: "mms_sent" })];
    const totals = ledgerTotals(lines);
    expect(totals.get("shop-a|sms_sent")).toEqual({ sent: new Decimal("150.5"), predictedBillable: new Decimal("150.5"), confirmedBillable: new Decimal("150") });
    const rows = compareTotals(
      totals,
      [{ subject: "shop-a", handle: "sms_sent", units: "149", amount: "0.49", currency: "USD" }, { subject: "shop-c", handle: "sms_sent", units: "7", amount: "0.07", currency: "EUR" }],
      (_s, _h, units) => ({ amount: Decimal.max(units.minus(100), 0).mul("0.01"), currency: "USD" }),
    );
    const a = rows.find((r) => r.subject === "shop-a")!;
    expect([a.diffUnits!.toFixed(), a.ourAmount!.toFixed(2), a.diffAmount!.toFixed(2)]).toEqual(["1", "0.50", "0.01"]);
    const c = rows.find((r) => r.subject === "shop-c")!;
    expect([c.ours.confirmedBillable.toFixed(), c.diffUnits!.toFixed()]).toEqual(["0", "-7"]);
    expect(rows.find((r) => r.subject === "shop-b")!.platformUnits).toBeNull();
  });
});
