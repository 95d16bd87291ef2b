import { describe, expect, it } from "vitest";
import { crossedThresholds, limitStatus, percentOf } from "./wix-limits";

const cycle = { start: new Date("2026-01-05T00:00:00Z"), end: new Date("2026-02-04T00:00:00Z") };

describe("crossedThresholds", () => {
  it("fires the 80% alert once, when usage passes it", () => {
    expect(crossedThresholds({ before: "39.99", after: "40.00", limit: "50" })).toEqual([80]);
    expect(crossedThresholds({ before: "40.00", after: "45.00", limit: "50" })).toEqual([]);
  });

  it("fires 100% when the limit is reached, and both on a jump over both", () => {
    expect(crossedThresholds({ before: "45", after: "50", limit: "50" })).toEqual([100]);
    expect(crossedThresholds({ before: "10", after: "75", limit: "50" })).toEqual([80, 100]);
  });

  it("fires nothing when usage goes down (a correction)", () => {
    expect(crossedThresholds({ before: "55", after: "30", limit: "50" })).toEqual([]);
  });

  it("refuses a limit of zero", () => {
    expect(() => crossedThresholds({ before: "0", after: "1", limit: "0" })).toThrow(/above zero/);
  });
});

describe("limitStatus", () => {
  it("shows usage against the limit and where it will end at this pace", () => {
    const status = limitStatus({ used: "20", limit: "50", cycle, now: new Date("2026-01-20T00:00:00Z") });
    expect(status.percentUsed.toFixed(1)).toBe("40.0");
    expect(status.remaining.toFixed(2)).toBe("30.00");
    expect(status.projected.toFixed(2)).toBe("40.00");
    expect(status.projectedToExceed).toBe(false);
    expect(status.reachesLimitAt).toBeNull();
    expect(status.reached).toEqual([]);
  });

  it("says when the limit will run out if the pace would pass it", () => {
    const status = limitStatus({ used: "30", limit: "50", cycle, now: new Date("2026-01-20T00:00:00Z") });
    expect(status.projected.toFixed(2)).toBe("60.00");
    expect(status.projectedToExceed).toBe(true);
    expect(status.reachesLimitAt?.toISOString()).toBe("2026-01-30T00:00:00.000Z");
  });

  it("never rounds 79.99% up to the alert threshold", () => {
    expect(percentOf("39.995", "50").toFixed(1)).toBe("79.9");
  });

  it("reports thresholds already reached, and no negative remainder over the limit", () => {
    const status = limitStatus({ used: "55", limit: "50", cycle, now: new Date("2026-01-20T00:00:00Z") });
    expect(status.reached).toEqual([80, 100]);
    expect(status.remaining.toFixed()).toBe("0");
    expect(status.reachesLimitAt).toBeNull();
  });
});
