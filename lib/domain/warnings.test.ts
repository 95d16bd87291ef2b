import { describe, expect, it } from "vitest";
import { authFailures, errorSpikes, pendingNearCycleEnd, quietMeters, uninstalledWithUndelivered } from "./warnings";

const now = new Date("2026-11-22T12:00:00Z");
const h = (n: number) => new Date(now.getTime() + n * 3_600_000);

describe("warnings before value is lost", () => {
  it("warns about pending events only when the cycle ends within a day", () => {
    const w = pendingNearCycleEnd(
      [
        { id: "a", domain: "a.myshopify.com", connectionId: "c", cycleEnd: h(5), pending: 3 },
        { id: "b", domain: "b.myshopify.com", connectionId: "c", cycleEnd: h(30), pending: 3 },
        { id: "c", domain: "c.myshopify.com", connectionId: "c", cycleEnd: h(5), pending: 0 },
      ],
      now,
    );
    expect(w.map((x) => x.subjectId)).toEqual(["a"]);
    expect(w[0]!.message).toContain("PERIOD_CLOSED");
  });

  it("counts down the 24 hours after an uninstall", () => {
    const w = uninstalledWithUndelivered(
      [
        { id: "a", domain: "a", connectionId: "c", uninstalledAt: h(-2), pending: 4 },
        { id: "b", domain: "b", connectionId: "c", uninstalledAt: h(-25), pending: 4 },
      ],
      now,
    );
    expect(w.map((x) => [x.subjectId, x.severity, x.details.deadline])).toEqual([["a", "critical", "2026-11-23T10:00:00.000Z"]]);
  });

  it("flags a connection whose last send failed for its credentials, not one that recovered", () => {
    const w = authFailures([
      { id: "bad", name: "Bad", lastAuthErrorAt: h(-1), lastSendAt: h(-1), lastSendError: "401 unauthorized" },
      { id: "ok", name: "Ok", lastAuthErrorAt: h(-3), lastSendAt: h(-1), lastSendError: null },
    ]);
    expect(w.map((x) => x.subjectId)).toEqual(["bad"]);
  });

  it("finds error spikes against the day before, ignoring small samples", () => {
    const w = errorSpikes(
      [
        { connectionId: "spike", name: "S", hourTotal: 100, hourFailed: 30, dayTotal: 2400, dayFailed: 120 },
        { connectionId: "steady", name: "T", hourTotal: 100, hourFailed: 12, dayTotal: 2400, dayFailed: 240 },
        { connectionId: "tiny", name: "U", hourTotal: 5, hourFailed: 5, dayTotal: 10, dayFailed: 0 },
      ],
      now,
    );
    expect(w.map((x) => x.connectionId)).toEqual(["spike"]);
  });

  it("notices a meter that usually reports and has gone quiet", () => {
    const w = quietMeters(
      [
        { connectionId: "c", name: "C", handle: "sms_sent", activeDays: 7, last24h: 0, lastAt: h(-30) },
        { connectionId: "c", name: "C", handle: "mms_sent", activeDays: 3, last24h: 0, lastAt: h(-30) },
        { connectionId: "c", name: "C", handle: "email", activeDays: 7, last24h: 12, lastAt: h(-1) },
      ],
      now,
    );
    expect(w.map((x) => x.details.handle)).toEqual(["sms_sent"]);
  });
});
