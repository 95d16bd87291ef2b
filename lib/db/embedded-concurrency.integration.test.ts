import pg from "pg";
import { describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "./embedded";

/**
 * The embedded Postgres serves many connections over one PGlite backend. Parameterised queries
 * (Parse/Bind/Execute/Sync) from several connections at once must not interleave: the workers'
 * delivery loops, the verdict loop and the app all query it at the same time.
 */
const pad = (n: number) => (n % 3 === 0 ? "x".repeat(100_000) : "");

describe("embedded Postgres under concurrent connections", () => {
  it("answers 600 parameterised queries from 6 connections at once, each with its own parameters", async () => {
    const embedded = await startEmbeddedPostgres({ dataDir: null });
    const clients = Array.from({ length: 6 }, () => new pg.Client({ connectionString: embedded.url }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const answers = await Promise.all(
        clients.map(async (c, i) => {
          const got: string[] = [];
          for (let n = 0; n < 100; n++) {
            // A different number of parameters per connection: an interleaved Bind is refused.
            // Large parameters arrive in several TCP chunks, as the ledger's batch statements do.
            const params = Array.from({ length: i + 1 }, (_, k) => `${i}-${n}-${k}${pad(n)}`);
            const sql = `SELECT concat_ws(',', ${params.map((_, k) => `$${k + 1}::text`).join(", ")}) AS v`;
            got.push((await c.query<{ v: string }>(sql, params)).rows[0]!.v);
          }
          return got;
        }),
      );
      answers.forEach((got, i) => {
        expect(got).toHaveLength(100);
        got.forEach((v, n) => expect(v).toBe(Array.from({ length: i + 1 }, (_, k) => `${i}-${n}-${k}${pad(n)}`).join(",")));
      });
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await embedded.close();
    }
  }, 60_000);
});
