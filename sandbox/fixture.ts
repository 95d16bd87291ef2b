// Seed fixtures: a JSON document validated with zod and turned into a fresh State.
// Times may be ISO 8601 or offsets from the sandbox clock ("-10d", "+2h", "now").
import { createHash } from "node:crypto";
import { z } from "zod";
import { newClock, resolveTime } from "./clock";
import { generateKeyPair } from "./keys";
import { UNSIGNED_DECIMAL, WIX_CURRENCIES } from "./money";
import { applySettingsPatch, defaultSettings, settingsPatchSchema } from "./settings";
import { STATE_VERSION, type KeyPair, type Meter, type State } from "./state";

const decimal = z.string().regex(UNSIGNED_DECIMAL, "must be a decimal string such as \"9.99\"");
const time = z.string().min(1);

const tier = z.object({ upTo: z.number().positive().nullable(), amountPerUnit: decimal, amount: decimal.default("0.00") });
const meter = z
  .object({
    handle: z.string().min(1),
    name: z.string().min(1),
    structure: z.enum(["FIXED", "GRADUATED", "VOLUME"]),
    unitPrice: decimal.optional(),
    includedUnits: z.number().min(0).default(0),
    tiers: z.array(tier).max(6).default([]),
  })
  .refine((m) => (m.structure === "FIXED" ? m.unitPrice !== undefined : m.tiers.length > 0), {
    message: "FIXED meters need unitPrice; GRADUATED and VOLUME meters need tiers",
  })
  .refine((m) => m.tiers.length === 0 || m.tiers[m.tiers.length - 1].upTo === null, {
    message: "the last tier must be open-ended (upTo: null)",
  });
const plan = z.object({
  handle: z.string().min(1),
  name: z.string().min(1),
  public: z.boolean().default(true),
  billingPeriod: z.enum(["EVERY_30_DAYS", "ANNUAL"]).default("EVERY_30_DAYS"),
  recurringPrice: decimal.default("0.00"),
  currency: z.enum(["USD", "EUR", "GBP", "CAD", "AUD", "JPY"]).default("USD"),
  meters: z.array(meter).max(5, "at most 5 usage meters per plan").default([]),
});
const subscription = z.object({
  plan: z.string(),
  startedAt: time,
  id: z.string().optional(),
  canceledAt: time.nullable().default(null),
  cancelAtEndOfCycle: z.boolean().default(false),
});
const shopifyFixture = z.object({
  partners: z.array(
    z.object({
      orgId: z.string(),
      name: z.string().default("Sandbox Partner"),
      status: z.enum(["active", "frozen", "invalid"]).default("active"),
      apiTokens: z.array(z.string()).default([]),
    }),
  ),
  apps: z.array(
    z.object({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      gid: z.string().regex(/^gid:\/\/shopify\/App\/\d+$/),
      title: z.string(),
      orgId: z.string(),
      scope: z.string().default("write_global_api_app_events"),
      status: z.enum(["active", "invalid"]).default("active"),
      pricing: z.enum(["app_pricing", "manual"]).default("app_pricing"),
      plans: z.array(plan).default([]),
    }),
  ),
  shops: z.array(
    z.object({
      id: z.string().regex(/^\d+$/, "shop ids are numeric strings"),
      domain: z.string().regex(/^[a-z0-9-]+\.myshopify\.com$/),
      name: z.string().optional(),
      development: z.boolean().default(false),
      installs: z
        .array(
          z.object({
            app: z.string(),
            installedAt: time,
            uninstalledAt: time.nullable().default(null),
            adminAccessToken: z.string().min(1).optional(),
            subscription: subscription.nullable().default(null),
          }),
        )
        .default([]),
    }),
  ),
});
const keyPair = z.object({ publicKeyPem: z.string(), privateKeyPem: z.string() });
const wixFixture = z.object({
  accounts: z.array(z.object({ accountId: z.string(), apiKeys: z.array(z.string()).default([]) })),
  apps: z.array(
    z.object({
      appId: z.string(),
      secret: z.string(),
      name: z.string(),
      accountId: z.string(),
      partnerBilled: z.boolean().default(true),
      baseUri: z.string().url().nullable().default(null),
      keys: keyPair.optional(),
      priceList: z
        .array(z.object({ kind: z.string(), description: z.string(), unitPrice: decimal, currency: z.enum(WIX_CURRENCIES).default("USD") }))
        .default([]),
    }),
  ),
  instances: z.array(
    z.object({
      instanceId: z.string(),
      appId: z.string(),
      siteId: z.string().optional(),
      siteDisplayName: z.string(),
      siteUrl: z.string().optional(),
      ownerUserId: z.string().optional(),
      locale: z.string().default("en"),
      currency: z.enum(WIX_CURRENCIES),
      test: z.boolean().default(false),
      installed: z.boolean().default(true),
      installedAt: time.default("-60d"),
      uninstalledAt: time.nullable().default(null),
      plan: z
        .object({
          subscriptionId: z.string().optional(),
          packageName: z.string().default("usage_based"),
          upgradedAt: time.optional(),
          cycleStart: time,
          chargeLimit: decimal,
        })
        .nullable()
        .default(null),
    }),
  ),
});

export const fixtureSchema = z.object({
  clock: z.object({ now: time.optional(), frozen: z.boolean().default(false) }).default({ frozen: false }),
  settings: settingsPatchSchema.default({}),
  shopify: shopifyFixture.default({ partners: [], apps: [], shops: [] }),
  wix: wixFixture.default({ accounts: [], apps: [], instances: [] }),
});

export type Fixture = z.infer<typeof fixtureSchema>;

export class FixtureError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid fixture: ${issues.join("; ")}`);
  }
}

export type BuildOptions = {
  /** Clock start overriding the fixture's (ISO 8601). */
  now?: string;
  frozen?: boolean;
  /** Keys to keep from the previous state, so a reset doesn't change published public keys. */
  previousKeys?: { platform?: KeyPair; wixApps?: Record<string, KeyPair> };
};

/** Validates a fixture and builds a fresh State from it. Throws FixtureError. */
export function buildState(input: unknown, opts: BuildOptions = {}): State {
  const parsed = fixtureSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new FixtureError(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  const fx = parsed.data;
  const issues: string[] = [];
  const startMs = resolveTime(opts.now ?? fx.clock.now ?? "now", Date.now());
  const at = (value: string, where: string): string => {
    try {
      return new Date(resolveTime(value, startMs)).toISOString();
    } catch (err) {
      issues.push(`${where}: ${(err as Error).message}`);
      return new Date(startMs).toISOString();
    }
  };

  const apps = fx.shopify.apps.map((app) => ({ ...app, plans: app.plans.map((p) => ({ ...p, meters: p.meters.map(toMeter) })) }));
  for (const app of apps) {
    if (!fx.shopify.partners.some((p) => p.orgId === app.orgId)) issues.push(`shopify app ${app.clientId}: unknown orgId ${app.orgId}`);
  }
  const shops = fx.shopify.shops.map(({ installs: _installs, ...shop }) => ({ ...shop, name: shop.name ?? shop.domain.split(".")[0] }));
  const installs = fx.shopify.shops.flatMap((shop) =>
    shop.installs.map((inst, i) => {
      const where = `shop ${shop.id} install ${i}`;
      const app = apps.find((a) => a.clientId === inst.app);
      if (!app) issues.push(`${where}: unknown app ${inst.app}`);
      const sub = inst.subscription;
      if (sub && app && !app.plans.some((p) => p.handle === sub.plan)) issues.push(`${where}: unknown plan ${sub.plan}`);
      const uninstalledAt = inst.uninstalledAt ? at(inst.uninstalledAt, where) : null;
      return {
        appClientId: inst.app,
        shopId: shop.id,
        adminAccessToken: inst.adminAccessToken ?? `shpat_${stableUuid(`${shop.id}|${inst.app}|admin`).replace(/-/g, "")}`,
        installedAt: at(inst.installedAt, where),
        uninstalledAt,
        subscription: sub
          ? {
              id: sub.id ?? `sub_${stableUuid(`${shop.id}|${inst.app}|${i}`).slice(0, 8)}`,
              planHandle: sub.plan,
              startedAt: at(sub.startedAt, where),
              canceledAt: sub.canceledAt ? at(sub.canceledAt, where) : uninstalledAt,
              cancelAtEndOfCycle: sub.cancelAtEndOfCycle,
            }
          : null,
        pastSubscriptions: [],
      };
    }),
  );

  const wixApps = fx.wix.apps.map((app) => {
    if (!fx.wix.accounts.some((a) => a.accountId === app.accountId)) issues.push(`wix app ${app.appId}: unknown accountId ${app.accountId}`);
    const { keys, ...rest } = app;
    return {
      ...rest,
      extensionId: stableUuid(`${app.appId}|extension`),
      keys: keys ?? opts.previousKeys?.wixApps?.[app.appId] ?? generateKeyPair(),
    };
  });
  const instances = fx.wix.instances.map((inst) => {
    const where = `wix instance ${inst.instanceId}`;
    if (!wixApps.some((a) => a.appId === inst.appId)) issues.push(`${where}: unknown appId ${inst.appId}`);
    const plan = inst.plan;
    return {
      ...inst,
      siteId: inst.siteId ?? stableUuid(`${inst.instanceId}|site`),
      ownerUserId: inst.ownerUserId ?? stableUuid(`${inst.instanceId}|owner`),
      siteUrl: inst.siteUrl ?? `https://${inst.siteDisplayName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.wixsite.com/site`,
      installedAt: at(inst.installedAt, where),
      uninstalledAt: inst.uninstalledAt ? at(inst.uninstalledAt, where) : null,
      plan: plan
        ? {
            subscriptionId: plan.subscriptionId ?? stableUuid(`${inst.instanceId}|subscription`),
            packageName: plan.packageName,
            upgradedAt: at(plan.upgradedAt ?? plan.cycleStart, where),
            cycleStart: at(plan.cycleStart, where),
            chargeLimit: plan.chargeLimit,
          }
        : null,
      pendingPeriods: [],
      lastInvoiceId: null,
    };
  });
  if (issues.length > 0) throw new FixtureError(issues);

  return {
    version: STATE_VERSION,
    clock: newClock(startMs, opts.frozen ?? fx.clock.frozen),
    settings: applySettingsPatch(defaultSettings(), fx.settings),
    platformKeys: opts.previousKeys?.platform ?? generateKeyPair(),
    nextSeq: 0,
    shopify: { partners: fx.shopify.partners, apps, shops, installs, events: [], replays: {}, billingKeys: {}, usage: {}, legacySubscriptions: [], usageRecords: [] },
    wix: { accounts: fx.wix.accounts, apps: wixApps, instances, billingEvents: [], invoices: [], runs: [], pluginCalls: [] },
  };
}

function toMeter(m: z.infer<typeof meter>): Meter {
  return {
    handle: m.handle,
    name: m.name,
    structure: m.structure,
    unitPrice: m.unitPrice ?? null,
    includedUnits: m.includedUnits,
    tiers: m.tiers,
  };
}

/** A UUID-shaped id derived from `seed`, so ids a fixture leaves out are the same on every reset. */
function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Keys worth keeping across a reset or seed. */
export function keysOf(state: State | null): BuildOptions["previousKeys"] {
  if (!state) return undefined;
  return { platform: state.platformKeys, wixApps: Object.fromEntries(state.wix.apps.map((a) => [a.appId, a.keys])) };
}
