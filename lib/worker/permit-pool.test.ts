import { afterEach, describe, expect, it } from "vitest";
import { PermitPool } from "./delivery";
import type { Reservation } from "../db/send-pacing";
import type { Connection } from "../generated/prisma/client";

/**
 * The permit pool reserves its next block of send moments while lanes still hold permits. When
 * that reservation fails (the worker's database connection was killed), no lane may be waiting
 * on it, and the failure must not become an unhandled rejection: Node ends the process on one,
 * and the worker would stop delivering (the restart drill saw it on CI).
 */
const connection = { id: "6f1c3a2e-0000-4000-8000-000000000001", platform: "shopify" } as Connection;
const block = (count: number, intervalUs: number): Reservation => ({ startUs: 0n, startInUs: 0, intervalUs, count });

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

describe("PermitPool", () => {
  it("survives a reservation that fails while no lane waits on it, and the next take reserves again", async () => {
    let calls = 0;
    const pool = new PermitPool(
      () => 1000,
      async (_id, count, intervalUs) => {
        calls += 1;
        if (calls === 2) throw new Error("terminating connection due to administrator command");
        return block(count, intervalUs);
      },
    );
    // First block: 2 permits (one lane waiting). Taking the first leaves 1 ≤ 16/4 in the queue,
    // so the second reservation starts ahead, with no lane waiting on it, and fails.
    await pool.take(connection);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(2);
    expect(unhandled).toEqual([]);
    // The pool goes on: the stale permit is dropped and a third reservation serves this take.
    await pool.take(connection);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(unhandled).toEqual([]);
  });

  it("hands a failed reservation's error to the lane that waits on it", async () => {
    const pool = new PermitPool(
      () => 1000,
      async () => {
        throw new Error("connection refused");
      },
    );
    await expect(pool.take(connection)).rejects.toThrow("connection refused");
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  });
});
