import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createRealDatabase, type TestDatabase } from "../testing/databases";
import { applyMigrations } from "./migrate";

/**
 * The rollup triggers were redefined migration after migration (CREATE OR REPLACE FUNCTION), and
 * migrations are history that never changes. prisma/sql/billing-events-rollup.sql is their current
 * definition in one place, as Postgres itself prints it after every migration; this test fails
 * whenever the file and the migrated database differ. `UPDATE_ROLLUP_SQL=1` rewrites the file.
 */
const FILE = path.resolve(import.meta.dirname, "../../prisma/sql/billing-events-rollup.sql");

const HEADER = `-- The ledger's rollup triggers as they stand after every migration in prisma/migrations/:
-- generated from the migrated database (pg_get_functiondef / pg_get_triggerdef), never edited by hand.
--
-- Statement-level triggers on billing_events keep the rollup tables (event_rollups_*) exact in the
-- same transaction as every change to the ledger: each statement's transition tables are grouped
-- to the rollup grain and applied as one upsert (old rows subtract, new rows add).
--
-- To change them: write a new migration (npm run db:migration:create) that replaces the function,
-- starting from the text below, then regenerate this file and commit both:
--   UPDATE_ROLLUP_SQL=1 npx vitest run --project integration lib/db/rollup-triggers.integration.test.ts
-- That test fails whenever this file and a freshly migrated database differ.
`;

async function currentDefinition(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const functions = await client.query<{ def: string }>(
      `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND p.proname LIKE '%rollup%' ORDER BY p.proname`,
    );
    const triggers = await client.query<{ def: string; enabled: string; name: string }>(
      `SELECT pg_get_triggerdef(t.oid) AS def, t.tgenabled AS enabled, t.tgname AS name FROM pg_trigger t
       WHERE t.tgrelid = 'billing_events'::regclass AND NOT t.tgisinternal AND t.tgname LIKE '%rollup%' ORDER BY t.tgname`,
    );
    const parts = [
      ...functions.rows.map((r) => `${r.def.trim()};\n`),
      triggers.rows.map((r) => `${r.def};\n${r.enabled === "D" ? `ALTER TABLE billing_events DISABLE TRIGGER ${r.name};\n` : ""}`).join(""),
    ];
    return `${HEADER}\n${parts.join("\n")}`;
  } finally {
    await client.end();
  }
}

let database: TestDatabase | undefined;
afterAll(async () => database?.drop());

describe("prisma/sql/billing-events-rollup.sql", () => {
  it("is the rollup triggers' definition after every migration", async () => {
    database = await createRealDatabase();
    await applyMigrations(database.url);
    const current = await currentDefinition(database.url);
    if (process.env.UPDATE_ROLLUP_SQL) writeFileSync(FILE, current);
    expect(current, "the rollup functions changed: rerun with UPDATE_ROLLUP_SQL=1 and commit prisma/sql/billing-events-rollup.sql").toBe(
      readFileSync(FILE, "utf8"),
    );
  });
});
