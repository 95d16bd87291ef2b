/**
 * Every benchmark in its smoke mode (small counts), one after another, as CI runs them after
 * `next build`: each must start its servers, run its queries and pass its correctness checks
 * (speed goals are printed, not enforced). Stops at the first that fails, with its exit code.
 *   npm run build && npm run bench:smoke
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { waitForHttp } from "./bench-report";

const tsx = path.resolve("node_modules/.bin/tsx");
function run(label: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n--- ${label}`);
  const r = spawnSync(tsx, args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`bench:smoke: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

run("delivery", ["scripts/bench-delivery.ts", "--smoke"]);
run("delivery, 3 apps at once", ["scripts/bench-delivery.ts", "--smoke", "--apps", "3"]);
run("ingest", ["scripts/bench-ingest.ts", "--smoke"]);
run("reconcile", ["scripts/bench-reconcile.ts", "--smoke"]);
run("discovery", ["scripts/bench-discovery.ts", "--smoke"]);

const database = `pbd_bench_smoke_${randomBytes(3).toString("hex")}`;
const adminUrl = process.env.BENCH_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const url = new URL(adminUrl);
url.pathname = `/${database}`;
const port = Number(process.env.BENCH_SMOKE_PORT ?? 3960);
run("generate 20,000 events", ["scripts/generate-events.ts", "--events", "20000", "--days", "35", "--database", database]);
const app = spawn(path.resolve("node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
  env: {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    DATABASE_URL: url.toString(),
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    APP_URL: `http://127.0.0.1:${port}`,
  },
  stdio: "ignore",
});
const stop = async () => {
  app.kill("SIGTERM");
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
};
try {
  await waitForHttp(`http://127.0.0.1:${port}/login`, "next start (run `npm run build` first)", 60_000, () => app.exitCode !== null);
  const base = `http://127.0.0.1:${port}`;
  run("dashboard", ["scripts/bench-dashboard.ts", "--database", database, "--runs", "3", "--days", "35", "--app-url", base, "--smoke"]);
  run("first load", ["scripts/bench-first-load.ts", "--app-url", base, "--smoke"]);
} finally {
  await stop();
}
console.log("\nbench:smoke: every benchmark ran and passed its checks");
