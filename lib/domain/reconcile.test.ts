import { describe, expect, it } from "vitest";
import { Decimal } from "./money";
import { chargeDifference, decideClose, gapOf, meterDifferences, moneyByCurrency, unitsAsOfRead, type CycleMeter } from "./reconcile";

const ended = new Date("2026-02-04T00:00:00Z");
const base = { cycleEnd: ended, platformReadAt: new Date(ended.getTime() + 3_600_000), knownGap: false, isAdmin: false, note: "" };

describe("signing a cycle off", () => {
  it("is refused while the platform's charges are unread: no read after the cycle's end (at the end is not after)", () => {
    const now = new Date(ended.getTime() + 86_400_000);
    expect(() => decideClose({ ...base, now, platformReadAt: null, platformName: "Shopify", open: [] })).toThrow(
      "Shopify's charges for this cycle have not been read since it ended at 2026-02-04 00:00 UTC (they have never been read): refresh now, then close it.",
    );
    expect(() => decideClose({ ...base, now, platformReadAt: new Date(ended.getTime() - 60_000), open: [] })).toThrow(
      "they were last read at 2026-02-03 23:59 UTC",
    );
    expect(() => decideClose({ ...base, now, platformReadAt: ended, open: [] })).toThrow(/not been read since it ended/);
    expect(decideClose({ ...base, now, platformReadAt: new Date(ended.getTime() + 1), open: [] })).toEqual({ state: "closed", gap: [] });
  });

  it("is refused before the cycle has ended, even one millisecond before", () => {
    expect(() => decideClose({ ...base, now: new Date(ended.getTime() - 1), open: [] })).toThrow(/once it has ended/);
    expect(decideClose({ ...base, now: ended, open: [] })).toEqual({ state: "closed", gap: [] });
  });

  it("is refused while differences are open, naming their money per currency", () => {
    const open = [
      { amount: "1.25", currency: "USD", kind: "missing_there" as const, handle: "sms_sent" },
      { amount: "0.11", currency: "USD", kind: "units_differ" as const, handle: "sms_sent" },
      { amount: "-300", currency: "JPY", kind: "missing_here" as const, handle: "calls" },
    ];
    expect(() => decideClose({ ...base, now: ended, open })).toThrow("3 differences are still open (-300 JPY, 1.36 USD)");
    expect(() => decideClose({ ...base, now: ended, open, knownGap: true })).toThrow(/Only an admin/);
    expect(() => decideClose({ ...base, now: ended, open, knownGap: true, isAdmin: true, note: " " })).toThrow(/Say why/);
    expect(decideClose({ ...base, now: ended, open, knownGap: true, isAdmin: true, note: "Shopify support case 123" })).toEqual({
      state: "closed_with_gap",
      gap: [
        { currency: "JPY", amount: "-300" },
        { currency: "USD", amount: "1.36" },
      ],
    });
  });
});

describe("the gap of a cycle", () => {
  it("counts a meter once: its exact total where there is one, else its events", () => {
    const open = [
      { amount: "-0.09", currency: "USD", kind: "missing_here" as const, handle: "sms_sent" },
      { amount: "-0.08", currency: "USD", kind: "amount_differs" as const, handle: "sms_sent" },
      { amount: "0.25", currency: "USD", kind: "missing_there" as const, handle: "mms_sent" },
    ];
    expect(gapOf(open)).toEqual([{ currency: "USD", amount: "0.17" }]);
  });
  it("takes what the platform actually charged as the meter's last word", () => {
    const open = [
      { amount: "-0.09", currency: "USD", kind: "missing_here" as const, handle: "sms_sent" },
      { amount: "-0.08", currency: "USD", kind: "amount_differs" as const, handle: "sms_sent" },
      { amount: "-0.10", currency: "USD", kind: "charge_differs" as const, handle: "sms_sent" },
      { amount: "0.25", currency: "USD", kind: "missing_there" as const, handle: "mms_sent" },
    ];
    expect(gapOf(open)).toEqual([{ currency: "USD", amount: "0.15" }]);
  });
});

describe("a closed cycle's charge", () => {
  const meter = (over: Partial<CycleMeter>): CycleMeter => ({
    handle: "sms_sent",
    currency: "USD",
    ourUnits: "250",
    ourPending: "0",
    ourAmount: "1.5",
    platformUnits: null,
    platformAmount: null,
    fetchedAt: null,
    ...over,
  });
  it("agrees when our exact price rounds half up to the charged cents", () => {
    expect(chargeDifference(meter({ chargedAmount: "1.50" }), 2)).toBeNull();
    expect(chargeDifference(meter({ ourAmount: "1.255", chargedAmount: "1.26" }), 2)).toBeNull();
    expect(chargeDifference(meter({ ourAmount: "300.5", currency: "JPY", chargedAmount: "301" }), 0)).toBeNull();
  });
  it("differs by the money between them, and a missing charge is a charge of 0", () => {
    expect(chargeDifference(meter({ chargedAmount: "1.40" }), 2)!.toFixed()).toBe("0.1");
    expect(chargeDifference(meter({ chargedAmount: "0" }), 2)!.toFixed()).toBe("1.5");
    expect(chargeDifference(meter({ ourAmount: "0", chargedAmount: "0" }), 2)).toBeNull();
    expect(chargeDifference(meter({ ourAmount: null, chargedAmount: "2" }), 2)!.toFixed()).toBe("-2");
  });
});

describe("meter totals", () => {
  const meter = (over: Partial<CycleMeter>): CycleMeter => ({
    handle: "sms_sent",
    currency: "USD",
    ourUnits: "150",
    ourPending: "0",
    ourAmount: "0.5",
    platformUnits: "150",
    platformAmount: "0.50",
    fetchedAt: null,
    ...over,
  });
  it("differ only where the platform has a figure and units or money disagree, exactly", () => {
    expect(meterDifferences([meter({})])).toEqual([]);
    expect(meterDifferences([meter({ platformUnits: null, platformAmount: null })])).toEqual([]);
    const [d] = meterDifferences([meter({ ourUnits: "153", ourAmount: "0.53" })]);
    expect([d!.units!.toFixed(), d!.amount.toFixed()]).toEqual(["3", "0.03"]);
  });
  it("are summed per currency, never across", () => {
    expect(
      moneyByCurrency([
        { amount: "0.1", currency: "USD" },
        { amount: "0.2", currency: "USD" },
        { amount: "5", currency: "EUR" },
      ]),
    ).toEqual([
      { currency: "EUR", amount: "5" },
      { currency: "USD", amount: "0.3" },
    ]);
  });
});

describe("ours as of a platform read", () => {
  const d = (x: string) => new Decimal(x);
  it("is the platform's figure where it lies between the settled units and those plus the margin's, else the nearer end", () => {
    expect(unitsAsOfRead(d("100"), d("5"), null).toFixed()).toBe("105");
    expect(unitsAsOfRead(d("100"), d("5"), d("103")).toFixed()).toBe("103");
    expect(unitsAsOfRead(d("100"), d("5"), d("105")).toFixed()).toBe("105");
    expect(unitsAsOfRead(d("100"), d("5"), d("109")).toFixed()).toBe("105");
    expect(unitsAsOfRead(d("100"), d("5"), d("97.5")).toFixed()).toBe("100");
    expect(unitsAsOfRead(d("100"), d("0"), d("101")).toFixed()).toBe("100");
  });
});
