import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRealDatabase, type TestDatabase } from "../lib/testing/databases";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pbd-start-"));
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the product's start script in check mode with exactly this environment. */
function start(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !["DATABASE_URL", "AUTH_SECRET", "APP_ENCRYPTION_KEY", "NODE_ENV", "EMBEDDED_DB"].includes(k)),
  );
  const result = spawnSync(path.resolve("node_modules/.bin/tsx"), ["scripts/start.ts", "--check"], {
    env: { ...clean, ...env } as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderrLines: result.stderr.split("\n").filter((l) => l.trim() && !l.includes("nodedir")) };
}

describe("starting with bad configuration", () => {
  it("stops on an unparseable DATABASE_URL with one line naming it", () => {
    const r = start({ DATABASE_URL: "mysql//nope", AUTH_SECRET: "x".repeat(40), APP_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toHaveLength(1);
    expect(r.stderrLines[0]).toMatch(/^Configuration error: DATABASE_URL is not a postgres:\/\/ URL/);
  });

  it("stops in production mode without AUTH_SECRET, naming it", async () => {
    const db = await createRealDatabase();
    dbs.push(db);
    const r = start({ NODE_ENV: "production", DATABASE_URL: db.url, APP_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toEqual(["Configuration error: AUTH_SECRET is required in production"]);
  });

  it("stops on an encryption key of the wrong size, naming it", () => {
    const r = start({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres", AUTH_SECRET: "x".repeat(40), APP_ENCRYPTION_KEY: "short" });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toHaveLength(1);
    expect(r.stderrLines[0]).toMatch(/^Configuration error: APP_ENCRYPTION_KEY must be 32 bytes/);
  });

  it("starts the embedded database with no configuration at all, and migrates it", () => {
    const dir = path.join(tmp, "pglite");
    const r = start({ EMBEDDED_DB_DIR: dir, EMBEDDED_DB_PORT: "0" });
    expect(r.stderrLines).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Applied migrations:");
    expect(r.stdout).toContain("Configuration and migrations OK.");
    expect(fs.existsSync(path.join(tmp, "secrets.json"))).toBe(true);
    // Data persists: a second start finds the schema up to date.
    const again = start({ EMBEDDED_DB_DIR: dir, EMBEDDED_DB_PORT: "0" });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Database schema is up to date.");
  });
});

describe("npm run db:migrate", () => {
  const migrate = (env: Record<string, string>) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "DATABASE_URL"));
    const r = spawnSync(path.resolve("node_modules/.bin/tsx"), ["scripts/db-migrate.ts"], {
      env: { ...clean, ...env } as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr.split("\n").filter((l) => l.trim() && !l.includes("nodedir")) };
  };

  it("applies every migration to DATABASE_URL, and a second run changes nothing", async () => {
    const db = await createRealDatabase();
    dbs.push(db);
    const first = migrate({ DATABASE_URL: db.url });
    expect(first.stderr).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Applied migrations: \d{14}_init/);
    const again = migrate({ DATABASE_URL: db.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Database schema is up to date.");
  });

  it("names DATABASE_URL when it is not set", () => {
    const r = migrate({});
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([expect.stringMatching(/^Configuration error: DATABASE_URL is not set/)]);
  });
});
