/**
 * The app as Playwright tests it: a fresh database (the machine's Postgres when E2E_DATABASE_URL or
 * the default local server is reachable, else the embedded one), migrated and seeded with the
 * test users, the sandbox connections and 30 days of history; then `next start`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

const port = process.env.E2E_PORT ?? "3100";
const adminUrl = process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function freshDatabase(): Promise<{ url: string; close(): Promise<void> }> {
  if (process.env.E2E_EMBEDDED !== "1") {
    try {
      const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
      const dbName = `pbd_e2e_${port}`;
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${dbName}`;
      console.log(`e2e: real Postgres database ${dbName}`);
      return { url: url.toString(), close: async () => {} };
    } catch (err) {
      console.log(`e2e: no real Postgres (${(err as Error).message}); using the embedded one`);
    }
  }
  const { startEmbeddedPostgres } = await import("../lib/db/embedded");
  const server = await startEmbeddedPostgres({ dataDir: null });
  console.log("e2e: embedded Postgres (PGlite)");
  return server;
}

const db = await freshDatabase();
// The platform sandbox, in memory, on its own port; the worker and the app reach it over HTTP.
const { startSandbox } = await import("../sandbox/server");
const sandboxPort = Number(process.env.E2E_SANDBOX_PORT ?? Number(port) + 10);
process.env.SANDBOX_WIX_PROVIDER_BASE_URI = `http://127.0.0.1:${port}/api/wix/5e3d0b1a-0000-4000-8000-000000000002/`;
process.env.SANDBOX_WIX_WEBHOOK_URL = `http://127.0.0.1:${port}/api/wix/5e3d0b1a-0000-4000-8000-000000000002/webhooks`;
const sandbox = await startSandbox({ port: sandboxPort, stateFile: null, verdictDelayMs: 300 });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: db.url,
  AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(32).toString("base64url"),
  APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY ?? randomBytes(32).toString("base64"),
  APP_URL: `http://127.0.0.1:${port}`,
  SANDBOX_URL: sandbox.url,
};
Object.assign(process.env, env);

const { applyMigrations } = await import("../lib/db/migrate");
await applyMigrations(db.url);
const { createPrisma } = await import("../lib/db/client");
const seed = await import("../prisma/seed");
const prisma = createPrisma(db.url, 2);
await seed.createUsers(prisma, seed.DEMO_USERS);
await seed.createSandboxConnections(prisma, sandbox.url);
const { syncSandboxConnection } = await import("../lib/services/connections/sync-sandbox");
await syncSandboxConnection(seed.DEMO_SHOPIFY_CONNECTION_ID);
await syncSandboxConnection(seed.DEMO_WIX_CONNECTION_ID);
await seed.createDemoHistory(prisma);

const children = [
  // Discovery polls the sandbox's Partner API every 2 s, so a new merchant shows within a test's patience.
  spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env: { ...env, LOG_LEVEL: "warn", DISCOVERY_POLL_SECONDS: "2" }, stdio: "inherit" }),
];
// Tests start from a settled demo: the seeded current-cycle usage delivered, its verdicts and figures in.
await seed.refreshWhenDelivered(prisma, 100_000);
await prisma.$disconnect();
const web = spawn(path.resolve("node_modules/.bin/next"), ["start", "-p", port, "-H", "127.0.0.1"], { env, stdio: "inherit" });
// The web process's pid, for the e2e that watches its memory (e2e/body-limits.spec.ts).
fs.mkdirSync(".data", { recursive: true });
fs.writeFileSync(`.data/e2e-web-${port}.pid`, String(web.pid));
children.push(web);
const stop = async () => {
  for (const c of children) c.kill("SIGTERM");
  await sandbox.close();
  await db.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
for (const c of children)
  c.on("exit", (code) => {
    console.error(`e2e child exited ${code}`);
    void stop();
  });
