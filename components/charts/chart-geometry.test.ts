import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { bands, niceTicks, ticksFromEnd } from "./chart-geometry";

// Recharts' own tick algorithm (an internal module, untyped), to compare against.
const { getNiceTickValues } = createRequire(import.meta.url)("recharts/lib/util/scale/getNiceTickValues") as {
  getNiceTickValues: (domain: [number, number], count: number, allowDecimals: boolean) => number[];
};

describe("the static charts' geometry is Recharts'", () => {
  it("nice ticks equal Recharts' own for [0, max] with 5 integer ticks", () => {
    const maxes = [0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 19, 99, 101, 280, 1_512, 7_412, 9_999, 10_001, 123_456, 4_000_000];
    let seed = 1;
    for (let i = 0; i < 500; i++) maxes.push(1 + ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % 2_000_000));
    for (const max of maxes) expect(niceTicks(max), `max ${max}`).toEqual(getNiceTickValues([0, max], 5, false));
  });

  it("bars take 80 % of their band in whole pixels, centred", () => {
    const x = bands(30, 56, 878);
    expect(x.bar).toBe(23);
    expect(x.at(0)).toBeCloseTo(58.9267, 3);
    expect(x.center(1)).toBeCloseTo(99.9, 6);
  });

  it("labels are kept from the end, each clear of the next by the gap, the last pulled inside the axis", () => {
    const centers = [10, 30, 50, 70, 90];
    expect(
      ticksFromEnd(
        centers,
        centers.map(() => 12),
        16,
        0,
        100,
      ),
    ).toEqual([0, 2, 4]);
    expect(
      ticksFromEnd(
        centers,
        centers.map(() => 4),
        16,
        0,
        100,
      ),
    ).toEqual([0, 1, 2, 3, 4]);
    // The last label (30 px wide at 90) would end at 105: it is drawn ending at 100, and the one before must clear 70 - 16.
    expect(
      ticksFromEnd(
        centers,
        centers.map(() => 30),
        16,
        0,
        100,
      ),
    ).toEqual([1, 4]);
  });
});
