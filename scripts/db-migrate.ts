/**
 * Applies the committed migrations (prisma/migrations) to DATABASE_URL and exits: the same
 * routine every start runs, for a deployment that migrates as its own step. Without
 * DATABASE_URL it names the setting and stops; the embedded database migrates on `npm run demo`.
 */
import { ConfigError, parseEnv } from "../lib/env";
import { applyMigrations, MigrationError } from "../lib/db/migrate";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let url: string | undefined;
try {
  url = parseEnv({ ...process.env, NODE_ENV: "development" }).DATABASE_URL;
} catch (err) {
  if (err instanceof ConfigError) fail(`Configuration error: ${err.message}`);
  throw err;
}
if (!url) fail("Configuration error: DATABASE_URL is not set (the embedded database is migrated by `npm run demo` itself)");

try {
  const applied = await applyMigrations(url);
  console.log(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database schema is up to date.");
} catch (err) {
  if (err instanceof MigrationError) fail(`Migration stopped: ${err.message}`);
  fail(`Migration stopped: cannot reach the database (${(err as Error).message}).`);
}
