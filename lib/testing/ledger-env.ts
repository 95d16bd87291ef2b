import { randomBytes } from "node:crypto";
import { startSandbox } from "../../sandbox/server";
import { createTestDatabase } from "./databases";
import type { Prisma } from "../generated/prisma/client";

/**
 * A whole ledger for an integration test: a fresh database (the real Postgres when reachable),
 * migrated; the platform sandbox on its own port, reached over HTTP; the two sandbox connections
 * with their plans, shops, price list and instances imported from it.
 * Call before anything imports lib/db/client (the env is read once per test file).
 */
export async function startLedgerEnv(opts: { verdictDelayMs?: number; sandboxUrl?: string } = {}) {
  const database = await createTestDatabase();
  // A sandbox already running elsewhere (its own process), or one in this process.
  const sandbox = opts.sandboxUrl
    ? { url: opts.sandboxUrl, close: async () => {} }
    : await startSandbox({ port: 0, stateFile: null, verdictDelayMs: opts.verdictDelayMs ?? 0 });
  process.env.DATABASE_URL = database.url;
  process.env.APP_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
  process.env.SANDBOX_URL = sandbox.url;
  process.env.LOG_LEVEL = "silent";
  const { applyMigrations } = await import("../db/migrate");
  await applyMigrations(database.url);
  const { db, closeSql } = await import("../db/client");
  const seed = await import("../../prisma/seed");
  const { syncSandboxConnection } = await import("../services/connections/sync-sandbox");
  await seed.createUsers(db(), seed.DEMO_USERS);
  await seed.createSandboxConnections(db(), sandbox.url);
  await syncSandboxConnection(seed.DEMO_SHOPIFY_CONNECTION_ID);
  await syncSandboxConnection(seed.DEMO_WIX_CONNECTION_ID);
  return {
    db: db(),
    sandboxUrl: sandbox.url,
    shopifyConnectionId: seed.DEMO_SHOPIFY_CONNECTION_ID,
    wixConnectionId: seed.DEMO_WIX_CONNECTION_ID,
    databaseKind: database.kind,
    async close() {
      await db().$disconnect();
      await closeSql();
      await sandbox.close();
      await database.drop();
    },
  };
}

export type LedgerEnv = Awaited<ReturnType<typeof startLedgerEnv>>;

/**
 * An accepted Shopify usage event of the sandbox app written straight into the ledger, as an
 * import would: for tests that build a cycle by hand. `fields` adds to or overrides the defaults.
 */
export function insertAcceptedUsage(
  env: LedgerEnv,
  fields: { shopId: string; idempotencyKey: string; quantity: string; occurredAt: Date } & Partial<Prisma.BillingEventUncheckedCreateInput>,
) {
  return env.db.billingEvent.create({
    data: {
      connectionId: env.shopifyConnectionId,
      platform: "shopify",
      kind: "shopify_usage",
      handle: "sms_sent",
      payload: { note: "written by a test" },
      source: "import",
      predictedVerdict: "billable",
      state: "accepted",
      ...fields,
    },
  });
}

/** JSON from the sandbox's control API. */
export async function sandboxJson<T = unknown>(env: LedgerEnv, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${env.sandboxUrl}${path}`, init);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A new ingest API key (scope `ingest`), owned by the demo admin: the bearer token. */
export async function createIngestKey(env: LedgerEnv, name: string): Promise<string> {
  const { newApiKey } = await import("../crypto");
  const k = newApiKey();
  const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
  await env.db.ingestApiKey.create({ data: { name, prefix: k.prefix, hash: k.hash, createdById: admin.id } });
  return k.key;
}

/** A ledger with the ingest API's route handler (called in process with real Requests) and a key for it. */
export async function startIngestApi(keyName: string) {
  const env = await startLedgerEnv();
  const { POST } = await import("../../app/api/v1/events/route");
  return { env, POST: POST as (req: Request) => Promise<Response>, key: await createIngestKey(env, keyName) };
}
