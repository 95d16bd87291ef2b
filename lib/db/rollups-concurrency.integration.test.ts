import pg from "pg";
import { describe, expect, it } from "vitest";
import { createRealDatabase } from "../testing/databases";
import { CONNECTIONS, expectRollupsExact, HANDLES, insertEvents, RAW, ROLLUP, rows } from "../testing/rollup-checks";
import { applyMigrations } from "./migrate";

/** Rollups stay exact when many transactions insert events and set verdicts at the same time. */
describe("hourly rollups under concurrent writers (real Postgres)", () => {
  it("stay exact while 8 connections insert and set verdicts at once", async () => {
    const database = await createRealDatabase();
    try {
      await applyMigrations(database.url);
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        `INSERT INTO connections (id, name, platform, environment, api_base_url, client_id, client_secret_enc, updated_at)
         VALUES ($1, 'c', 'shopify', 'sandbox', 'http://x', 'c', 'x', now())`,
        [CONNECTIONS[0]],
      );
      let deadlocks = 0;
      const writer = async (w: number) => {
        const c = new pg.Client({ connectionString: database.url });
        await c.connect();
        for (let round = 0; round < 15; round++) {
          for (;;) {
            try {
              await c.query("BEGIN");
              await insertEvents(
                c,
                Array.from({ length: 40 }, (_, i) => ({
                  conn: 0,
                  subject: 3,
                  handle: HANDLES[(w + i) % 2]!,
                  minutesAgo: (i * 7 + round) % 180,
                  quantity: "1.25",
                  amount: null,
                  currency: null,
                  state: "queued" as const,
                  verdict: null,
                  code: null,
                })),
              );
              await c.query(
                `UPDATE billing_events SET state = 'accepted', platform_verdict = $1, platform_code = $2
                WHERE id IN (SELECT id FROM billing_events WHERE platform_verdict IS NULL ORDER BY random() LIMIT 30)`,
                [round % 3 === 0 ? "failed" : "billable", round % 3 === 0 ? "NO_SUBSCRIPTION" : null],
              );
              await c.query("COMMIT");
              break;
            } catch (err) {
              await c.query("ROLLBACK");
              if ((err as { code?: string }).code !== "40P01") throw err;
              deadlocks++; // a deadlock aborts one writer, which retries, as the app's writers do
            }
          }
        }
        await c.end();
      };
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
      expect(await rows(admin, ROLLUP)).toEqual(await rows(admin, RAW));
      await expectRollupsExact(admin);
      expect(Number((await admin.query("SELECT sum(count) AS n FROM event_rollups_hourly_outcomes")).rows[0].n)).toBe(8 * 15 * 40);
      console.log(`concurrent writers: ${deadlocks} deadlock(s) retried`);
      await admin.end();
    } finally {
      await database.drop();
    }
  });
});
