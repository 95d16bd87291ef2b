import { describe, expect, it } from "vitest";
import { admitRequest } from "./rate-limit";

describe("admitRequest (sliding window of arrivals)", () => {
  it("admits at most the limit in any second, also when arrivals are handled out of order", () => {
    const windows = new Map<string, number[]>();
    // Arrivals at 0..4 ms, handled 4, 3, 2, 1, 0: with a limit of 3 exactly three are admitted.
    const admitted = [4, 3, 2, 1, 0].filter((t) => admitRequest(windows, "app", t, 3));
    expect(admitted).toEqual([4, 3, 2]);
    // The window [2, 1002) holds 2, 3, 4: an arrival at 1,001 ms is refused, one at 1,002 admitted
    // (2 has left), and one at 1,002.5 refused again (3, 4 and 1,002 are in [3, 1003)).
    expect(admitRequest(windows, "app", 1001, 3)).toBe(false);
    expect(admitRequest(windows, "app", 1002, 3)).toBe(true);
    expect(admitRequest(windows, "app", 1002.5, 3)).toBe(false);
    expect(admitRequest(windows, "app", 1004, 3)).toBe(true);
  });

  it("keeps apps apart", () => {
    const windows = new Map<string, number[]>();
    expect(admitRequest(windows, "a", 0, 1)).toBe(true);
    expect(admitRequest(windows, "a", 1, 1)).toBe(false);
    expect(admitRequest(windows, "b", 1, 1)).toBe(true);
  });
});
