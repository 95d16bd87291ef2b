/**
 * Runs the whole product on one machine: the database (embedded PGlite on loopback when
 * DATABASE_URL is unset), migrations, demo data (embedded only), the platform sandbox, the
 * delivery worker and the Next.js app. `--dev` runs Next in development mode.
 * `--check` only validates configuration and migrations, then exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError, parseEnv } from "../lib/env";
import { applyMigrations, MigrationError } from "../lib/db/migrate";

const args = new Set(process.argv.slice(2));
const dev = args.has("--dev");
const checkOnly = args.has("--check");

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const childEnv: NodeJS.ProcessEnv = { ...process.env };
const embedded = !process.env.DATABASE_URL?.trim();

// The embedded demo keeps its generated secrets beside its data, so sessions and encrypted
// connection secrets survive a restart. A real deployment sets them itself.
if (embedded && (!process.env.AUTH_SECRET || !process.env.APP_ENCRYPTION_KEY)) {
  const file = path.join(path.dirname(path.resolve(process.env.EMBEDDED_DB_DIR || ".data/pglite")), "secrets.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const saved = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  saved.AUTH_SECRET ??= randomBytes(32).toString("base64url");
  saved.APP_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  fs.writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  childEnv.AUTH_SECRET ||= saved.AUTH_SECRET;
  childEnv.APP_ENCRYPTION_KEY ||= saved.APP_ENCRYPTION_KEY;
}

let env;
try {
  env = parseEnv({ ...childEnv, NODE_ENV: process.env.NODE_ENV ?? (dev ? "development" : "production") });
} catch (err) {
  if (err instanceof ConfigError) fail(`Configuration error: ${err.message}`);
  throw err;
}

let stopEmbedded: (() => Promise<void>) | undefined;
let databaseUrl = env.DATABASE_URL;
if (embedded) {
  const { startEmbeddedPostgres } = await import("../lib/db/embedded");
  try {
    const pg = await startEmbeddedPostgres({ dataDir: path.resolve(env.EMBEDDED_DB_DIR), port: env.EMBEDDED_DB_PORT });
    stopEmbedded = pg.close;
    databaseUrl = pg.url;
  } catch (err) {
    fail(`Could not start the embedded database on 127.0.0.1:${env.EMBEDDED_DB_PORT} (${(err as Error).message}). Set EMBEDDED_DB_PORT or DATABASE_URL.`);
  }
  childEnv.EMBEDDED_DB = "1";
  console.log(`Embedded Postgres (PGlite) at ${databaseUrl}, data in ${env.EMBEDDED_DB_DIR}`);
}
childEnv.DATABASE_URL = databaseUrl;
// The sandbox listens where SANDBOX_URL says, and (playing Wix) calls the demo Wix connection's
// Custom Charges endpoints on this app.
childEnv.SANDBOX_PORT ||= new URL(env.SANDBOX_URL).port || "4010";
childEnv.SANDBOX_WIX_PROVIDER_BASE_URI ||= `${env.APP_URL.replace(/\/$/, "")}/api/wix/5e3d0b1a-0000-4000-8000-000000000002/`;
childEnv.SANDBOX_WIX_WEBHOOK_URL ||= `${env.APP_URL.replace(/\/$/, "")}/api/wix/5e3d0b1a-0000-4000-8000-000000000002/webhooks`;

try {
  const applied = await applyMigrations(databaseUrl!);
  console.log(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database schema is up to date.");
} catch (err) {
  if (err instanceof MigrationError) fail(`Start stopped: ${err.message}`);
  fail(`Start stopped: cannot reach the database (${(err as Error).message}).`);
}

if (checkOnly) {
  await stopEmbedded?.();
  console.log("Configuration and migrations OK.");
  process.exit(0);
}

const children: ChildProcess[] = [];
let stopping = false;
function run(name: string, command: string, argv: string[]) {
  const child = spawn(command, argv, { env: childEnv, stdio: "inherit" });
  children.push(child);
  child.on("exit", (code) => {
    if (stopping) return;
    console.error(`${name} exited with code ${code}; stopping.`);
    void shutdown(code ?? 1);
  });
}

async function shutdown(code: number) {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await stopEmbedded?.();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

const bin = (name: string) => path.resolve("node_modules/.bin", name);
if (!args.has("--no-sandbox")) {
  run("sandbox", process.execPath, ["--import", "tsx", "sandbox/server.ts"]);
  await waitFor(`${env.SANDBOX_URL}/_sandbox/health`, 30_000);
}

// Demo data only ever goes into the embedded demo database; it imports the sandbox's shops.
if (embedded && !args.has("--no-sandbox")) {
  Object.assign(process.env, childEnv);
  const { seedDemoIfEmpty } = await import("../prisma/seed");
  if (await seedDemoIfEmpty()) {
    console.log("Demo data created.");
    // The current cycles' usage is being delivered now: pull the platform's figures once it is in,
    // as a person would press "Refresh now", so Reconcile compares like with like from the start.
    const { refreshWhenDelivered } = await import("../prisma/seed");
    const { db } = await import("../lib/db/client");
    void refreshWhenDelivered(db()).catch((err) => console.error(`demo: figures not refreshed after delivery (${(err as Error).message})`));
  }
}

// Children run as plain node processes (not behind the tsx wrapper), so signals reach them.
if (!args.has("--no-worker")) run("worker", process.execPath, ["--import", "tsx", "scripts/worker.ts"]);
const port = new URL(env.APP_URL).port || "3000";
run("web", bin("next"), dev ? ["dev", "-p", port] : ["start", "-p", port]);

console.log(`\n  Billing control room: ${env.APP_URL}`);
if (embedded)
  console.log(
    "  Demo sign-in: admin@example.com / billing-demo-admin  (operator@example.com / billing-demo-operator, viewer@example.com / billing-demo-viewer)\n",
  );

async function waitFor(url: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await shutdown(1);
}
