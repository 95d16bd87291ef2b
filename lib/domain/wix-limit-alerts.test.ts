import { describe, expect, it } from "vitest";
import { limitAlerts } from "./wix-limit-alerts";
import { limitStatus } from "./wix-limits";

const cycle = { start: new Date("2026-01-05T00:00:00.000Z"), end: new Date("2026-02-05T00:00:00.000Z") };
const instance = { id: "3f0e5c1a-0000-4000-8000-00000000000a", siteName: "Acme Bakery", currency: "USD" };
const alertsAt = (used: string, limit: string, now = "2026-01-15T00:00:00.000Z") =>
  limitAlerts({ instance, cycle, now: new Date(now), status: limitStatus({ used, limit, cycle, now: new Date(now) }) });

describe("charge-limit alerts", () => {
  it("says nothing below 80 %", () => {
    expect(alertsAt("39.99", "50")).toEqual([]);
  });

  it("warns at 80 % with the pace, and is critical at 100 %", () => {
    const [warning] = alertsAt("40.00", "50");
    expect(warning).toMatchObject({ kind: "wix_limit_80", severity: "warning", title: "Acme Bakery passed 80 % of its Wix charge limit" });
    expect(warning!.message).toContain("$40.00 of $50.00 (80.0 %)");
    expect(warning!.message).toContain("At this pace: $124.00 by the cycle's end, reaching the limit on 2026-01-17.");
    expect(warning!.message).toContain("Manage Charge Limit");
    const both = alertsAt("52.10", "50");
    expect(both.map((a) => [a.kind, a.severity])).toEqual([
      ["wix_limit_80", "warning"],
      ["wix_limit_100", "critical"],
    ]);
    expect(both[1]!.message).toContain("not billed this cycle");
    expect(both[1]!.details).toMatchObject({ used: "52.1", limit: "50", threshold: 100 });
  });

  it("dedupes per threshold, cycle and limit: a raise or a new cycle re-arms the alert", () => {
    const first = alertsAt("45", "50")[0]!.dedupeKey;
    expect(alertsAt("49", "50")[0]!.dedupeKey).toBe(first);
    expect(alertsAt("85", "100")[0]!.dedupeKey).not.toBe(first);
    const next = limitAlerts({
      instance,
      cycle: { start: cycle.end, end: new Date("2026-03-05T00:00:00.000Z") },
      now: new Date("2026-02-15T00:00:00.000Z"),
      status: limitStatus({ used: "45", limit: "50", cycle, now: new Date("2026-01-15T00:00:00.000Z") }),
    });
    expect(next[0]!.dedupeKey).not.toBe(first);
  });

  it("formats yen without decimals", () => {
    const now = new Date("2026-01-15T00:00:00.000Z");
    const [a] = limitAlerts({ instance: { ...instance, currency: "JPY" }, cycle, now, status: limitStatus({ used: "4500", limit: "5000", cycle, now }) });
    expect(a!.message).toContain("¥4,500 of ¥5,000");
  });

  it("leaves the projection out in the first hours of a cycle, where a pace means nothing", () => {
    const [early] = alertsAt("45", "50", "2026-01-05T00:10:00.000Z");
    expect(early!.message).not.toContain("At this pace");
    expect(early!.details.projected).toBeNull();
  });
});
