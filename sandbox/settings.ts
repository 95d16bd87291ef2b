// Switches for behaviour the platform documents leave open (INFERRED / UNKNOWN in
// docs/platforms/shopify.md and docs/platforms/wix.md). Defaults follow those files' recommendations; README.md lists them.
import { z } from "zod";

const shopifySettings = z.object({
  /** Requests without a User-Agent get the edge's HTML 403 (PRACTITIONER report). */
  strictEdge: z.boolean(),
  /** Per-app limit of the App Events API, counted over a sliding 1 s window of sandbox time. */
  rateLimitPerSecond: z.number().int().positive(),
  /** Window in which a repeated idempotency_key replays the original 202. */
  idempotencyWindowHours: z.number().positive(),
  /** When a billing key counts as used for good: on any accepted billing event, or only on SUCCESS. */
  billingKeyConsumedOn: z.enum(["any", "success"]),
  /** Same key, different body, inside the window: replay the first answer, or take it as a new event. */
  keyReuseWithDifferentBody: z.enum(["replay", "new_event"]),
  /** A handle that is a meter of another plan but not of the shop's (metered) plan. */
  handleNotInShopPlan: z.enum(["non_billable", "not_metered"]),
  /** Events for a shop that uninstalled the app: accept (PERIOD_CLOSED after 24 h), 403 after the grace, or 403 at once. */
  uninstalledShops: z.enum(["accept", "reject_after_grace", "reject"]),
  /** Custom events with a malformed or > 5 min future timestamp get a synchronous 400. */
  syncTimestampCheckForCustomEvents: z.boolean(),
  /** attributes.value may be fractional (e.g. 0.5). */
  allowFractionalValue: z.boolean(),
  /** Length of an App Pricing billing cycle. */
  cycleDays: z.number().int().positive(),
  /** How long the events endpoint works on a request; a second request with the same key meanwhile gets 409. */
  eventProcessingMs: z.number().int().min(0),
  /** Legacy appUsageRecordCreate with an idempotencyKey already used: return the first record, or a user error. */
  legacyUsageKeyReuse: z.enum(["return_original", "user_error"]),
});

const wixSettings = z.object({
  /** Key spelling of the Report External Billing Event echo: camelCase (REST) or snake_case (seed sample). */
  echoCase: z.enum(["camel", "snake"]),
  /** A charges total exactly equal to the charge limit is accepted. */
  acceptSumEqualToLimit: z.boolean(),
  /** Timeout of each service-plugin call to the provider. */
  providerTimeoutMs: z.number().int().positive(),
  /** iat/exp of plugin JWTs follow real time (what the provider's clock expects) or the sandbox clock. */
  jwtClock: z.enum(["real", "sandbox"]),
  jwtTtlSeconds: z.number().int().positive(),
  /** Real-time waits before each retry of a webhook that got no 2xx; after the last, the delivery is failed. */
  webhookRetryDelaysMs: z.array(z.number().int().min(0)).max(20),
});

const settingsSchema = z.object({
  /** Real-time delay before a Shopify billing verdict shows in the log (0 = at once). */
  verdictDelayMs: z.number().int().min(0),
  /** How long a "timeout" fault holds a request before dropping the connection. */
  faultTimeoutHoldMs: z.number().int().positive(),
  shopify: shopifySettings,
  wix: wixSettings,
});

export type Settings = z.infer<typeof settingsSchema>;

export function defaultSettings(): Settings {
  return {
    verdictDelayMs: 1000,
    faultTimeoutHoldMs: 60_000,
    shopify: {
      strictEdge: false,
      rateLimitPerSecond: 500,
      idempotencyWindowHours: 24,
      billingKeyConsumedOn: "any",
      keyReuseWithDifferentBody: "replay",
      handleNotInShopPlan: "non_billable",
      uninstalledShops: "accept",
      syncTimestampCheckForCustomEvents: true,
      allowFractionalValue: true,
      cycleDays: 30,
      eventProcessingMs: 0,
      legacyUsageKeyReuse: "return_original",
    },
    wix: {
      echoCase: "camel",
      acceptSumEqualToLimit: true,
      providerTimeoutMs: 10_000,
      jwtClock: "real",
      jwtTtlSeconds: 300,
      webhookRetryDelaysMs: [1000, 10_000, 60_000, 300_000, 1_800_000],
    },
  };
}

export const settingsPatchSchema = z.object({
  verdictDelayMs: settingsSchema.shape.verdictDelayMs.optional(),
  faultTimeoutHoldMs: settingsSchema.shape.faultTimeoutHoldMs.optional(),
  shopify: shopifySettings.partial().optional(),
  wix: wixSettings.partial().optional(),
});

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function applySettingsPatch(base: Settings, patch: SettingsPatch): Settings {
  return {
    verdictDelayMs: patch.verdictDelayMs ?? base.verdictDelayMs,
    faultTimeoutHoldMs: patch.faultTimeoutHoldMs ?? base.faultTimeoutHoldMs,
    shopify: { ...base.shopify, ...stripUndefined(patch.shopify ?? {}) },
    wix: { ...base.wix, ...stripUndefined(patch.wix ?? {}) },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
