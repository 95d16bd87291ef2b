// The sandbox clock at start: a fixture whose clock is "now" runs in real time, with no lag
// from the time spent building the state (a lag would put a subscription started "now" before
// events the app recorded a moment earlier).
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nowMs } from "../clock";
import { buildState } from "../fixture";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/default.json", import.meta.url), "utf8"));

afterEach(() => vi.restoreAllMocks());

describe("the sandbox clock", () => {
  it("reads real time when the fixture says now, however long the state took to build", () => {
    // Real time moves 250 ms at every reading, as on a loaded machine building a large fixture.
    let real = Date.parse("2026-03-01T12:00:00.000Z");
    vi.spyOn(Date, "now").mockImplementation(() => (real += 250));
    const state = buildState({ ...fixture, clock: { now: "now", frozen: false } });
    const before = real;
    const read = nowMs(state.clock); // reads real time once more
    expect(read - before).toBe(250);
  });

  it("keeps an offset given as a fixture time", () => {
    let real = Date.parse("2026-03-01T12:00:00.000Z");
    vi.spyOn(Date, "now").mockImplementation(() => (real += 250));
    const state = buildState({ ...fixture, clock: { now: "-2h", frozen: false } });
    const before = real;
    expect(nowMs(state.clock) - before).toBe(250 - 2 * 3_600_000);
  });
});
