import { randomBytes } from "node:crypto";
import pg from "pg";
import { startEmbeddedPostgres } from "../db/embedded";

/**
 * Throwaway databases for tests: a fresh database on the machine's real Postgres
 * (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres), or a fresh
 * in-memory embedded Postgres. Each is dropped afterwards.
 */
export type TestDatabase = { url: string; kind: "postgres" | "embedded"; drop(): Promise<void> };

const adminUrl = () => process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

export async function realPostgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function createRealDatabase(prefix = "pbd_test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: "postgres",
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createEmbeddedDatabase(): Promise<TestDatabase> {
  const server = await startEmbeddedPostgres({ dataDir: null });
  return { url: server.url, kind: "embedded", drop: server.close };
}

/** The real server when there is one (CI always has), else the embedded one. */
export async function createTestDatabase(): Promise<TestDatabase> {
  return (await realPostgresAvailable()) ? createRealDatabase() : createEmbeddedDatabase();
}
