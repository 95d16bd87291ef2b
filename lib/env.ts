import { z } from "zod";

/**
 * The only place that reads process.env. Empty strings count as unset. A bad setting stops the
 * start with one line naming it (see ConfigError), never a stack trace.
 */
const emptyAsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUnset, schema.optional());

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
  } catch {
    return false;
  }
}, "is not a postgres:// URL (expected postgresql://user:password@host:port/database)");

const envSchema = z
  .object({
    NODE_ENV: z.preprocess(emptyAsUnset, z.enum(["development", "production", "test"]).default("development")),
    /** Set by Next while it builds: secrets are not needed then. */
    NEXT_PHASE: optional(z.string()),
    DATABASE_URL: optional(postgresUrl),
    DATABASE_POOL_SIZE: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(100).default(10)),
    AUTH_SECRET: optional(z.string().min(32, "must be at least 32 characters")),
    APP_ENCRYPTION_KEY: optional(
      z.string().refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)"),
    ),
    APP_URL: z.preprocess(emptyAsUnset, z.url().default("http://127.0.0.1:3000")),
    SANDBOX_URL: z.preprocess(emptyAsUnset, z.url().default("http://127.0.0.1:4010")),
    SHOPIFY_API_BASE_URL: z.preprocess(emptyAsUnset, z.url().default("https://api.shopify.com")),
    WIX_API_BASE_URL: z.preprocess(emptyAsUnset, z.url().default("https://www.wixapis.com")),
    /** The App Events API version the worker posts to (/app/{version}/events). */
    SHOPIFY_APP_EVENTS_VERSION: z.preprocess(
      emptyAsUnset,
      z
        .string()
        .regex(/^(\d{4}-\d{2}|unstable)$/)
        .default("2026-10"),
    ),
    /** Delivery worker: events claimed per app per round (at most a second of its rate), sends in flight per app and round, attempts before an event fails. */
    WORKER_BATCH: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(1000).default(200)),
    WORKER_CONCURRENCY: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(256).default(32)),
    /** How long a claim holds an event; a worker that dies mid-send loses it after this. */
    WORKER_LEASE_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(2).max(3600).default(60)),
    WORKER_SEND_TIMEOUT_MS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(100).max(120_000).default(15_000)),
    WORKER_MAX_ATTEMPTS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(50).default(8)),
    SHOPIFY_RATE_PER_SECOND: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(10000).default(500)),
    WIX_RATE_PER_SECOND: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(10000).default(200)),
    /** Shopify discovery (Partner API): requests per second per connection, poll interval, re-read overlap. */
    DISCOVERY_RATE_PER_SECOND: z.preprocess(emptyAsUnset, z.coerce.number().min(0.1).max(1000).default(4)),
    DISCOVERY_POLL_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(86_400).default(60)),
    DISCOVERY_OVERLAP_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(0).max(86_400).default(600)),
    /** Reconciliation: Partner API calls a second when pulling figures (Shopify documents no limit), and how often a pull is scheduled. */
    PARTNER_API_RATE: z.preprocess(emptyAsUnset, z.coerce.number().min(0.1).max(100).default(4)),
    RECONCILE_REFRESH_MINUTES: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(10_080).default(60)),
    /**
     * Shopify rules on a billing event after its 202 (docs/platforms/shopify.md §1.7): an event accepted this long before a
     * read may not be in it yet, so it is neither missing there nor a meter difference when the read lacks it.
     */
    RECONCILE_VERDICT_MARGIN_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(0).max(3600).default(120)),
    EMBEDDED_DB_DIR: z.preprocess(emptyAsUnset, z.string().default(".data/pglite")),
    EMBEDDED_DB_PORT: z.preprocess(emptyAsUnset, z.coerce.number().int().min(0).max(65535).default(54329)),
    /** Set by the start script when it serves the embedded database: demo users may be created. */
    EMBEDDED_DB: optional(z.enum(["1"])),
    LOG_LEVEL: z.preprocess(emptyAsUnset, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production" || env.NEXT_PHASE === "phase-production-build") return;
    for (const key of ["AUTH_SECRET", "APP_ENCRYPTION_KEY"] as const) {
      if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required in production" });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Settings a person may set; the rest are set by Next or by the start script. */
export const settingNames = Object.keys(envSchema.shape).filter((k) => !["NODE_ENV", "NEXT_PHASE", "EMBEDDED_DB"].includes(k));

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting} ${detail}`);
  }
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? "configuration"), issue.message);
  }
  return result.data;
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** The database URL, or a clear error when the process was started without one. */
export function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new ConfigError("DATABASE_URL", "is not set: start the product with `npm run demo` (embedded database) or set it");
  return url;
}
