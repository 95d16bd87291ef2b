// Seed fixtures: a JSON document (format in fixture-schema.ts) turned into a fresh State.
// Times may be ISO 8601 or offsets from the sandbox clock ("-10d", "+2h", "now").
import { createHash } from "node:crypto";
import { newClock, resolveTime } from "./clock";
import { fixtureSchema, type ShopFixture } from "./fixture-schema";
import { generateKeyPair } from "./keys";
import { postInstallHistory } from "./shopify/partner-events";
import { applySettingsPatch, defaultSettings } from "./settings";
import { STATE_VERSION, type Install, type KeyPair, type Shop, type ShopifyApp, type State } from "./state";

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
  // One reading of real time: a fixture clock at "now" runs with no offset however long the build takes.
  const realMs = Date.now();
  const startMs = resolveTime(opts.now ?? fx.clock.now ?? "now", realMs);
  const at = (value: string, where: string): string => {
    try {
      return new Date(resolveTime(value, startMs)).toISOString();
    } catch (err) {
      issues.push(`${where}: ${(err as Error).message}`);
      return new Date(startMs).toISOString();
    }
  };

  const apps = fx.shopify.apps.map((app) => ({
    ...app,
    plans: app.plans.map((p) => ({ ...p, meters: p.meters.map((m) => ({ ...m, unitPrice: m.unitPrice ?? null })) })),
  }));
  for (const app of apps) {
    if (!fx.shopify.partners.some((p) => p.orgId === app.orgId)) issues.push(`shopify app ${app.clientId}: unknown orgId ${app.orgId}`);
  }
  const shops = fx.shopify.shops.map((shop) => shopOf(shop));
  const installs = fx.shopify.shops.flatMap((shop) => installsOf(shop, apps, at, issues));

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

  const state: State = {
    version: STATE_VERSION,
    clock: newClock(startMs, opts.frozen ?? fx.clock.frozen, realMs),
    settings: applySettingsPatch(defaultSettings(), fx.settings),
    platformKeys: opts.previousKeys?.platform ?? generateKeyPair(),
    nextSeq: 0,
    shopify: {
      partners: fx.shopify.partners,
      apps,
      shops,
      installs,
      events: [],
      replays: {},
      billingKeys: {},
      usage: {},
      legacySubscriptions: [],
      usageRecords: [],
      partnerEvents: [],
      oneTimePurchases: [],
    },
    wix: { accounts: fx.wix.accounts, apps: wixApps, instances, billingEvents: [], invoices: [], runs: [], pluginCalls: [], webhooks: [] },
  };
  for (const install of installs)
    postInstallHistory(
      state,
      apps.find((a) => a.clientId === install.appClientId)!,
      install,
    );
  return state;
}

/** A fixture shop without its installs. */
export function shopOf({ installs: _installs, ...shop }: ShopFixture): Shop {
  return { ...shop, name: shop.name ?? shop.domain.split(".")[0]! };
}

/** A fixture shop's installs (and their subscriptions); problems go to `issues`. */
export function installsOf(shop: ShopFixture, apps: ShopifyApp[], at: (value: string, where: string) => string, issues: string[]): Install[] {
  return shop.installs.map((inst, i) => {
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
  });
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
