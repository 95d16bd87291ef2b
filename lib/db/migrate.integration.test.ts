import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createEmbeddedDatabase, createRealDatabase, realPostgresAvailable, type TestDatabase } from "../testing/databases";
import { applyMigrations, MigrationError, readMigrations } from "./migrate";

/** A description of the schema that both engines must agree on: tables, columns, types, indexes, enums. */
async function describeSchema(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, numeric_precision, numeric_scale, column_default
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
    const enums = await client.query(`SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder`);
    const constraints = await client.query(
      `SELECT conname, contype::text AS contype FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = 'public' AND contype IN ('p','f','u') ORDER BY conname`,
    );
    return { columns: columns.rows, indexes: indexes.rows, enums: enums.rows, constraints: constraints.rows };
  } finally {
    await client.end();
  }
}

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

describe("migrations", () => {
  it("give the same schema on a fresh real Postgres and a fresh embedded one, and a second run changes nothing", async () => {
    expect(await realPostgresAvailable(), "a real Postgres must be reachable (TEST_DATABASE_URL)").toBe(true);
    const real = await createRealDatabase();
    const embedded = await createEmbeddedDatabase();
    dbs.push(real, embedded);

    const names = readMigrations().map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    expect(await applyMigrations(real.url)).toEqual(names);
    expect(await applyMigrations(embedded.url)).toEqual(names);

    const realSchema = await describeSchema(real.url);
    const embeddedSchema = await describeSchema(embedded.url);
    expect(realSchema.columns.length).toBeGreaterThan(50);
    expect(embeddedSchema).toEqual(realSchema);

    // Applying again is a no-op: nothing applied, schema identical, one history row per migration.
    expect(await applyMigrations(real.url)).toEqual([]);
    expect(await applyMigrations(embedded.url)).toEqual([]);
    expect(await describeSchema(real.url)).toEqual(realSchema);
    const client = new pg.Client({ connectionString: real.url });
    await client.connect();
    const history = await client.query(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`);
    await client.end();
    expect(history.rows.map((r) => r.migration_name)).toEqual(names);
    expect(history.rows.every((r) => r.finished_at !== null && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);

    // Every new connection to the migrated database runs with JIT off (the dashboard's reads were slower with it).
    const fresh = new pg.Client({ connectionString: real.url });
    await fresh.connect();
    const jit = await fresh.query(`SHOW jit`);
    await fresh.end();
    expect(jit.rows[0].jit).toBe("off");
  });

  it("roll back a failing migration whole and say which one failed", async () => {
    const real = await createRealDatabase();
    dbs.push(real);
    const good = readMigrations();
    const broken = { name: "99999999999999_broken", sql: `CREATE TABLE half_applied (id int); SELECT * FROM no_such_table;`, checksum: "0".repeat(64) };
    const error = await applyMigrations(real.url, [...good, broken]).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain("99999999999999_broken");

    const client = new pg.Client({ connectionString: real.url });
    await client.connect();
    const table = await client.query(`SELECT to_regclass('public.half_applied') AS t`);
    const recorded = await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = $1`, [broken.name]);
    await client.end();
    expect(table.rows[0].t).toBeNull();
    expect(recorded.rows[0].n).toBe(0);
  });

  it("refuse to run when an applied migration was edited", async () => {
    const real = await createRealDatabase();
    dbs.push(real);
    const migrations = readMigrations();
    await applyMigrations(real.url, migrations);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: "f".repeat(64) } : m));
    await expect(applyMigrations(real.url, edited)).rejects.toThrow(/edited after it was applied/);
  });
});
