import { describe, expect, it } from "vitest";
import { addMonthsUtc, cycleAfterInvoicePeriod, cycleStartingAt, projectionIsMeaningful } from "./wix-cycles";

const at = (iso: string) => new Date(iso);

describe("Wix billing cycles", () => {
  it("adds calendar months in UTC and clamps to the month's last day", () => {
    expect(addMonthsUtc(at("2026-01-05T09:12:44.000Z"), 1).toISOString()).toBe("2026-02-05T09:12:44.000Z");
    expect(addMonthsUtc(at("2026-01-31T00:00:00.000Z"), 1).toISOString()).toBe("2026-02-28T00:00:00.000Z");
    expect(addMonthsUtc(at("2028-01-31T00:00:00.000Z"), 1).toISOString()).toBe("2028-02-29T00:00:00.000Z");
    expect(addMonthsUtc(at("2026-12-15T00:00:00.000Z"), 1).toISOString()).toBe("2027-01-15T00:00:00.000Z");
  });

  it("starts a cycle at the upgrade with the duration Get Charge Limit names, monthly by default", () => {
    const start = at("2026-01-05T00:00:00.000Z");
    expect(cycleStartingAt(start, { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } }).end.toISOString()).toBe("2026-02-05T00:00:00.000Z");
    expect(cycleStartingAt(start, { cycleType: "RECURRING", cycleDuration: { unit: "WEEK", count: 2 } }).end.toISOString()).toBe("2026-01-19T00:00:00.000Z");
    expect(cycleStartingAt(start, { cycleType: "RECURRING", cycleDuration: { unit: "YEAR", count: 1 } }).end.toISOString()).toBe("2027-01-05T00:00:00.000Z");
    expect(cycleStartingAt(start, { cycleType: "ONE_TIME" }).end.toISOString()).toBe("2026-02-05T00:00:00.000Z");
    expect(cycleStartingAt(start, null).end.toISOString()).toBe("2026-02-05T00:00:00.000Z");
  });

  it("moves to the next cycle when Wix closes a period, never back to an older one", () => {
    const known = { start: at("2026-01-05T00:00:00.000Z"), end: at("2026-02-05T00:00:00.000Z") };
    expect(cycleAfterInvoicePeriod({ start: known.start, end: at("2026-01-20T10:00:00.000Z") }, known)).toEqual({
      start: at("2026-01-20T10:00:00.000Z"),
      end: at("2026-02-20T10:00:00.000Z"),
    });
    expect(cycleAfterInvoicePeriod({ start: at("2025-12-05T00:00:00.000Z"), end: known.start }, known)).toBeNull();
    expect(cycleAfterInvoicePeriod({ start: known.start, end: known.end }, null)?.end.toISOString()).toBe("2026-03-05T00:00:00.000Z");
  });

  it("projects to the cycle's end only once a day (or a tenth of a short cycle) has passed", () => {
    const month = { start: at("2026-01-05T00:00:00.000Z"), end: at("2026-02-05T00:00:00.000Z") };
    expect(projectionIsMeaningful(month, at("2026-01-05T00:05:00.000Z"))).toBe(false);
    expect(projectionIsMeaningful(month, at("2026-01-06T00:00:00.000Z"))).toBe(true);
    const hour = { start: at("2026-01-05T00:00:00.000Z"), end: at("2026-01-05T01:00:00.000Z") };
    expect(projectionIsMeaningful(hour, at("2026-01-05T00:05:00.000Z"))).toBe(false);
    expect(projectionIsMeaningful(hour, at("2026-01-05T00:06:00.000Z"))).toBe(true);
  });
});
