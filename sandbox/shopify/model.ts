// Lookups and time rules over the Shopify part of the state: installs, subscriptions and
// 30-day billing cycles (computed from the subscription start, so they follow the clock).
import type { Install, Plan, Shop, ShopifyApp, ShopifyPartner, ShopifyState, Subscription } from "../state";

const DAY_MS = 86_400_000;
export const UNINSTALL_GRACE_MS = 24 * 3_600_000;

export function findApp(st: ShopifyState, clientId: string): ShopifyApp | undefined {
  return st.apps.find((a) => a.clientId === clientId);
}

export function findAppByGid(st: ShopifyState, gid: string): ShopifyApp | undefined {
  const id = /^(?:gid:\/\/shopify\/App\/)?(\d+)$/.exec(gid)?.[1];
  return id ? st.apps.find((a) => a.gid === `gid://shopify/App/${id}`) : undefined;
}

export function partnerOf(st: ShopifyState, app: ShopifyApp): ShopifyPartner | undefined {
  return st.partners.find((p) => p.orgId === app.orgId);
}

export function findPlan(app: ShopifyApp, handle: string): Plan | undefined {
  return app.plans.find((p) => p.handle === handle);
}

/** Every meter handle of the app's pricing config (any plan). */
export function appMeterHandles(app: ShopifyApp): Set<string> {
  return new Set(app.plans.flatMap((p) => p.meters.map((m) => m.handle)));
}

/** Accepts `gid://shopify/Shop/123` or `"123"`; null when neither. */
export function parseShopId(raw: string): string | null {
  return /^(?:gid:\/\/shopify\/Shop\/)?(\d+)$/.exec(raw)?.[1] ?? null;
}

/** Finds a shop by numeric id, GID or myshopify domain. */
export function findShop(st: ShopifyState, ref: string): Shop | undefined {
  const id = parseShopId(ref);
  return st.shops.find((s) => (id ? s.id === id : s.domain === ref));
}

/** The latest install record of the app on the shop (kept after an uninstall). */
export function findInstall(st: ShopifyState, clientId: string, shopId: string): Install | undefined {
  return st.installs.find((i) => i.appClientId === clientId && i.shopId === shopId);
}

function isInstalled(install: Install | undefined): install is Install {
  return !!install && install.uninstalledAt === null;
}

/** The subscription in force at `atMs`, ignoring uninstalls (the caller decides about those). */
export function subscriptionAt(install: Install, atMs: number): Subscription | null {
  const sub = install.subscription;
  if (!sub || Date.parse(sub.startedAt) > atMs) return null;
  if (sub.canceledAt !== null && atMs >= Date.parse(sub.canceledAt)) return null;
  return sub;
}

/** The subscription that is active now: none once the app is uninstalled. */
export function activeSubscription(install: Install | undefined, atMs: number): Subscription | null {
  if (!isInstalled(install)) return null;
  return subscriptionAt(install, atMs);
}

export type Cycle = { index: number; startMs: number; endMs: number };

/** The billing cycle containing `atMs` (half-open [start, end)); index -1 before the start. */
export function cycleAt(sub: Subscription, atMs: number, cycleDays: number): Cycle {
  const len = cycleDays * DAY_MS;
  const start = Date.parse(sub.startedAt);
  const index = Math.floor((atMs - start) / len);
  return { index, startMs: start + index * len, endMs: start + (index + 1) * len };
}

export function usageKey(subscriptionId: string, cycleIndex: number, meterHandle: string): string {
  return `${subscriptionId}|${cycleIndex}|${meterHandle}`;
}

export const shopGid = (id: string) => `gid://shopify/Shop/${id}`;
export const iso = (ms: number) => new Date(ms).toISOString();
