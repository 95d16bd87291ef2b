import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedDatabase, createRealDatabase, type TestDatabase } from "../testing/databases";
import { createWorld, DAILY, expectRollupsExact, insertEvents, opArb, OUTCOMES, ROLLUP, rows, runOp, TOTALS, ZERO_ROWS } from "../testing/rollup-checks";
import { applyMigrations } from "./migrate";

/**
 * Every rollup level must equal a plain GROUP BY over billing_events after any mix of inserts,
 * verdict and state changes, corrections, no-op updates, deletes and rolled-back transactions,
 * on the real Postgres and on the embedded one (fast-check; ROLLUP_PROPERTY_RUNS for more runs).
 */
function suite(kind: "real" | "embedded", numRuns: number) {
  describe(`hourly rollups on the ${kind} Postgres`, () => {
    let database: TestDatabase;
    let client: pg.Client;
    beforeAll(async () => {
      database = kind === "real" ? await createRealDatabase() : await createEmbeddedDatabase();
      await applyMigrations(database.url);
      client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query("SET TIME ZONE 'Asia/Kolkata'"); // buckets are UTC hours whatever the session's zone
      await createWorld(client);
    });
    afterAll(async () => {
      await client?.end();
      await database?.drop();
    });

    it("equal a plain GROUP BY after random inserts, verdict and state changes, corrections and deletes", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
          await client.query("TRUNCATE billing_events CASCADE");
          expect(await rows(client, ROLLUP)).toEqual([]);
          expect(await rows(client, TOTALS)).toEqual([]);
          expect(await rows(client, DAILY)).toEqual([]);
          expect(await rows(client, OUTCOMES)).toEqual([]);
          for (const op of ops) await runOp(client, op);
          await expectRollupsExact(client);
          expect((await client.query(ZERO_ROWS)).rows[0].n).toBe("0");
        }),
        { numRuns },
      );
    });

    it("are exact inside the transaction that changes events, and one statement of 1,000 events is one grouped upsert", async () => {
      await client.query("TRUNCATE billing_events CASCADE");
      await client.query("BEGIN");
      const events = Array.from({ length: 1000 }, (_, i) => ({
        conn: 0,
        subject: i % 2,
        handle: "sms_sent",
        minutesAgo: i % 120,
        quantity: "1.5",
        amount: null,
        currency: null,
        state: "queued" as const,
        verdict: null,
        code: null,
      }));
      for (let i = 0; i < 1000; i += 250) await insertEvents(client, events.slice(i, i + 250));
      await expectRollupsExact(client);
      const total = await client.query("SELECT sum(count)::int AS n, sum(quantity)::text AS q FROM event_rollups_hourly");
      expect(total.rows[0]).toEqual({ n: 1000, q: "1500.0000000000" });
      await client.query("UPDATE billing_events SET state = 'accepted', platform_verdict = 'billable' WHERE id % 3 = 0");
      await expectRollupsExact(client);
      await client.query("ROLLBACK");
      expect(await rows(client, ROLLUP)).toEqual([]);
    });
  });
}

suite("real", Number(process.env.ROLLUP_PROPERTY_RUNS ?? 40));
suite("embedded", Math.ceil(Number(process.env.ROLLUP_PROPERTY_RUNS ?? 40) / 3));
