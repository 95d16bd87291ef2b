import { describe, expect, it } from "vitest";
import { assertPeriod, elapsedFraction, isInPeriod, projectAtTrailingRate, projectToPeriodEnd } from "./periods";

const january = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-02-01T00:00:00Z") };

describe("periods", () => {
  it("are half-open: the first instant is in, the end is not", () => {
    expect(isInPeriod(january.start, january)).toBe(true);
    expect(isInPeriod(new Date("2026-01-31T23:59:59.999Z"), january)).toBe(true);
    expect(isInPeriod(january.end, january)).toBe(false);
  });

  it("refuse an end before the start", () => {
    expect(() => assertPeriod({ start: january.end, end: january.start })).toThrow(/before it starts/);
  });

  it("project linearly from the pace so far", () => {
    const tenDaysIn = new Date("2026-01-11T00:00:00Z");
    expect(elapsedFraction(january, tenDaysIn).toFixed(4)).toBe("0.3226");
    expect(projectToPeriodEnd("100", january, tenDaysIn).toFixed()).toBe("310");
  });

  it("do not extrapolate before the start or after the end", () => {
    expect(projectToPeriodEnd("5", january, january.start).toFixed()).toBe("5");
    expect(projectToPeriodEnd("5", january, new Date("2026-03-01T00:00:00Z")).toFixed()).toBe("5");
  });

  it("project at the trailing rate, never from the first minutes", () => {
    // Two days in: the window is the two days; 40 units in them, 29 days left: 40 + 20 × 29.
    expect(projectAtTrailingRate("40", "40", january, new Date("2026-01-03T00:00:00Z"))!.toFixed()).toBe("620");
    // Twenty days in: the last 7 days (70 units) set the rate, 11 days left.
    expect(projectAtTrailingRate("500", "70", january, new Date("2026-01-21T00:00:00Z"))!.toFixed()).toBe("610");
    expect(projectAtTrailingRate("5", "5", january, new Date("2026-01-01T23:59:59Z"))).toBeNull();
    expect(projectAtTrailingRate("5", "0", january, january.end)!.toFixed()).toBe("5");
  });
});
