import { describe, expect, it } from "vitest";
import { coalesced } from "./after-response";

describe("coalesced", () => {
  it("runs once at a time: calls during a run ask for one more run after it, not one each", async () => {
    let runs = 0;
    let active = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const run = coalesced(async () => {
      runs += 1;
      active += 1;
      most = Math.max(most, active);
      await new Promise<void>((r) => release.push(r));
      active -= 1;
    });
    const first = run();
    const more = [run(), run(), run()];
    release.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2); // the three calls during the first run made one more
    release.shift()!();
    await Promise.all([first, ...more]);
    expect(most).toBe(1);
    // Idle again: the next call starts a run of its own.
    const later = run();
    expect(runs).toBe(3);
    release.shift()!();
    await later;
  });
});
