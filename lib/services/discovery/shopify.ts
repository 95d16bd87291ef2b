import { decryptSecret } from "../../crypto";
import { db, Prisma, type Tx } from "../../db/client";
import { meterColumns } from "../../domain/pricing";
import { env } from "../../env";
import type { Connection } from "../../generated/prisma/client";
import { AppError } from "../../errors";
import { PlatformError } from "../../platforms/errors";
import { createShopifyPartnerClient, type ShopifyPartnerClient } from "../../platforms/shopify/client";
import type { ShopifyActiveSubscription, ShopifyPartnerEventNode } from "../../platforms/shopify/schemas";
import { toPlanPricing, toSubscriptionState } from "../../platforms/shopify/to-ledger";
import { recordAudit } from "../../audit";
import { logger } from "../../logger";
import { USER_AGENT } from "../../platforms/clients";
import { releaseReceivedEvents } from "./shopify-received";

/**
 * Shopify discovery: every shop of a connection, found and kept current from the Partner API's
 * `events` history (docs/platforms/shopify.md §2.6), so nobody adds a shop by hand. Per connection a scan reads
 * the app's events oldest first in pages of 250 inside a window of at most 365 days; its position
 * (window + cursor) is stored after every page, so a restarted worker goes on where it stopped.
 * The first scan is the backfill (the whole 365 days); later scans poll from a little before
 * where the last one ended (the overlap catches events that show up late), and event ids make
 * every event count once. Installs, uninstalls, plan changes and cancellations update the shop;
 * when a shop's state changes outside the backfill its activeSubscription is fetched for the
 * exact plan and cycle. Requests are paced per connection; a 429 or an error backs off.
 */
const DAY_MS = 86_400_000;
const PAGE_SIZE = 250;
const MAX_WINDOW_MS = 365 * DAY_MS;

type Scan = { min: string; max: string; after: string | null; backfill: boolean };

/** The Partner API's side of one shop, as far as its events tell. */
type ShopState = {
  shopId: string;
  domain: string;
  name: string;
  installState: "installed" | "uninstalled";
  installedAt: string | null;
  uninstalledAt: string | null;
  planHandle: string | null;
  subscriptionStatus: string | null;
  subscriptionStartedAt: string | null;
  cycleStart: string | null;
  cycleEnd: string | null;
  billingPeriod: string | null;
  lookupState: "pending" | "found" | "not_found" | null;
};

export type PartnerFor = (c: Connection) => ShopifyPartnerClient;
const defaultPartnerFor: PartnerFor = (c) => {
  const access = partnerAccess(c);
  return createShopifyPartnerClient({
    url: access.url,
    accessToken: decryptSecret(access.tokenEnc),
    userAgent: USER_AGENT,
    timeoutMs: env().WORKER_SEND_TIMEOUT_MS,
  });
};

export const canDiscover = (c: Connection) => c.platform === "shopify" && !!c.partnerApiUrl && !!c.partnerApiTokenEnc && !!c.appGid;

/**
 * What discovery reads the Partner API with. The columns are optional (an admin may clear them
 * while a round runs, after the connection was chosen), so a connection without all three is
 * refused by name instead of sending an empty token or app GID.
 */
function partnerAccess(c: Connection): { url: string; tokenEnc: string; appGid: string } {
  if (c.platform !== "shopify" || !c.partnerApiUrl || !c.partnerApiTokenEnc || !c.appGid)
    throw new AppError("CONFLICT", `${c.name} has no Partner API URL, token and app GID: discovery needs all three.`);
  return { url: c.partnerApiUrl, tokenEnc: c.partnerApiTokenEnc, appGid: c.appGid };
}

// ---- pacing (per connection, per process) -----------------------------------------------------
const nextSlot = new Map<string, number>();
async function pace(connectionId: string): Promise<void> {
  const gap = 1000 / env().DISCOVERY_RATE_PER_SECOND;
  const now = Date.now();
  const at = Math.max(now, nextSlot.get(connectionId) ?? 0);
  nextSlot.set(connectionId, at + gap);
  if (at > now) await new Promise((r) => setTimeout(r, at - now));
}

// ---- one round over every connection ------------------------------------------------------------
export type DiscoveryOptions = { connectionId?: string; maxPages?: number; partnerFor?: PartnerFor; now?: () => Date };
export type DiscoveryStats = { connections: number; pages: number; events: number; shops: number; errors: number };

/** One round: each due connection (leased to this worker) reads up to `maxPages` pages. */
export async function discoverShops(actor: string, opts: DiscoveryOptions = {}): Promise<DiscoveryStats> {
  const stats: DiscoveryStats = { connections: 0, pages: 0, events: 0, shops: 0, errors: 0 };
  const candidates = await db().connection.findMany({
    where: {
      // A disabled connection's discovery waits with its delivery (its cursor is kept).
      platform: "shopify",
      partnerApiUrl: { not: null },
      partnerApiTokenEnc: { not: null },
      appGid: { not: null },
      disabledAt: null,
      ...(opts.connectionId ? { id: opts.connectionId } : { OR: [{ discoveryNextAt: null }, { discoveryNextAt: { lte: new Date() } }] }),
    },
    select: { id: true },
  });
  for (const { id } of candidates) {
    const claimed = await db().$queryRaw<{ id: string }[]>`
      UPDATE connections SET discovery_locked_until = now() + interval '5 minutes'
      WHERE id = ${id}::uuid AND (discovery_locked_until IS NULL OR discovery_locked_until < now()) RETURNING id::text`;
    if (!claimed.length) continue;
    const c = await db().connection.findUniqueOrThrow({ where: { id } });
    stats.connections += 1;
    try {
      await syncConnection(c, actor, opts, stats);
    } catch (err) {
      stats.errors += 1;
      const failures = c.discoveryFailures + 1;
      const retryAfter = err instanceof PlatformError && err.retryAfterSeconds ? err.retryAfterSeconds * 1000 : 0;
      const backoff = Math.max(retryAfter, Math.min(15 * 60_000, 5_000 * 2 ** (failures - 1)));
      const message = err instanceof PlatformError ? `${err.code}: ${err.message}` : (err as Error).message;
      await db().connection.update({
        where: { id },
        data: {
          discoveryFailures: failures,
          discoveryError: message.slice(0, 500),
          discoveryErrorAt: new Date(),
          discoveryNextAt: new Date(Date.now() + backoff),
        },
      });
    } finally {
      await db().$executeRaw`UPDATE connections SET discovery_locked_until = NULL WHERE id = ${id}::uuid`;
    }
  }
  return stats;
}

async function syncConnection(c: Connection, actor: string, opts: DiscoveryOptions, stats: DiscoveryStats): Promise<void> {
  const partner = (opts.partnerFor ?? defaultPartnerFor)(c);
  const now = (opts.now ?? (() => new Date()))();
  let scan = c.discoveryScan as Scan | null;
  if (!scan) {
    const max = now.getTime();
    const from = c.discoveryWatermark ? c.discoveryWatermark.getTime() - env().DISCOVERY_OVERLAP_SECONDS * 1000 : 0;
    scan = { min: new Date(Math.max(from, max - MAX_WINDOW_MS)).toISOString(), max: new Date(max).toISOString(), after: null, backfill: !c.discoveryWatermark };
  }
  const maxPages = opts.maxPages ?? (scan.backfill ? 1000 : 40);
  for (let i = 0; i < maxPages; i++) {
    await pace(c.id);
    const page = await partner.events({
      appGid: partnerAccess(c).appGid,
      occurredAtMin: new Date(scan.min),
      occurredAtMax: new Date(scan.max),
      first: PAGE_SIZE,
      after: scan.after,
    });
    stats.pages += 1;
    const done = !page.hasNextPage || !page.endCursor;
    const current: Scan = scan;
    const nextScan: Scan | null = done ? null : { ...current, after: page.endCursor };
    const applied = await db().$transaction(
      async (tx) => {
        const result = await applyEvents(tx, c.id, page.events, now);
        const data: Prisma.ConnectionUpdateInput = done
          ? {
              discoveryScan: Prisma.DbNull,
              discoveryWatermark: new Date(current.max),
              discoverySyncedAt: new Date(),
              discoveryBackfilledAt: c.discoveryBackfilledAt ?? new Date(),
              discoveryFailures: 0,
              discoveryNextAt: new Date(Date.now() + env().DISCOVERY_POLL_SECONDS * 1000),
            }
          : { discoveryScan: nextScan!, discoverySyncedAt: new Date(), discoveryFailures: 0 };
        await tx.connection.update({ where: { id: c.id }, data });
        return result;
      },
      { timeout: 60_000 },
    );
    stats.events += applied.newEvents;
    stats.shops += applied.changed.length;
    // Outside the backfill a changed shop's subscription is read again, for the exact plan and cycle.
    if (!scan.backfill)
      await refreshSubscriptions(
        c,
        partner,
        applied.changed.filter((s) => s.installState === "installed"),
        now,
      );
    if (applied.newEvents) await releaseReceivedEvents(actor, c.id);
    if (done) {
      await completeBackfilledCycles(c, partner, now);
      await rollCyclesForward(c.id, now);
      return;
    }
    scan = nextScan!;
  }
  await db().connection.update({ where: { id: c.id }, data: { discoveryNextAt: new Date() } });
}

/**
 * Records each event once (by its id) and applies the new ones, oldest first, to the shops they
 * name. Returns how many were new and the shops whose state they changed.
 */
async function applyEvents(tx: Tx, connectionId: string, events: ShopifyPartnerEventNode[], now: Date) {
  if (!events.length) return { newEvents: 0, changed: [] as ShopState[] };
  const rows = events.map((e) => ({ event_id: e.id, event_type: e.eventType, shop_id: shopNumber(e), occurred_at: e.occurredAt, payload: e }));
  const inserted = await tx.$queryRaw<{ event_id: string }[]>`
    INSERT INTO shopify_partner_events (connection_id, event_id, event_type, shop_id, occurred_at, payload)
    SELECT ${connectionId}::uuid, x.event_id, x.event_type, x.shop_id, x.occurred_at, x.payload
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(event_id text, event_type text, shop_id text, occurred_at timestamptz, payload jsonb)
    ON CONFLICT (connection_id, event_id) DO NOTHING RETURNING event_id`;
  const fresh = new Set(inserted.map((r) => r.event_id));
  const newEvents = events.filter((e) => fresh.has(e.id) && shopNumber(e));
  if (!newEvents.length) return { newEvents: fresh.size, changed: [] as ShopState[] };
  const states = await loadShopStates(tx, connectionId, [...new Set(newEvents.map((e) => shopNumber(e)!))]);
  const changed = new Map<string, ShopState>();
  for (const e of newEvents) {
    const id = shopNumber(e)!;
    const known = states.has(id);
    const s = (states.get(id) ?? states.set(id, blankState(id)).get(id))!;
    // A shop seen only in charges (installed before the 365-day window) is still a shop: kept, its plan read after the backfill.
    if (applyEvent(s, e, now) || !known) changed.set(id, s);
  }
  await writeShopStates(tx, connectionId, [...changed.values()]);
  return { newEvents: fresh.size, changed: [...changed.values()] };
}

const shopNumber = (e: ShopifyPartnerEventNode) => e.shop?.id.replace(/^gid:\/\/shopify\/Shop\//, "") ?? null;

function blankState(shopId: string): ShopState {
  return {
    shopId,
    domain: "",
    name: "",
    installState: "installed",
    installedAt: null,
    uninstalledAt: null,
    planHandle: null,
    subscriptionStatus: null,
    subscriptionStartedAt: null,
    cycleStart: null,
    cycleEnd: null,
    billingPeriod: null,
    lookupState: null,
  };
}

/** One event's effect on the shop; false when it changes nothing the dashboard keeps (charges, deactivation). */
function applyEvent(s: ShopState, e: ShopifyPartnerEventNode, now: Date): boolean {
  if (e.shop?.myshopifyDomain) s.domain = e.shop.myshopifyDomain;
  if (e.shop?.name || !s.name) s.name = e.shop?.name || s.domain.replace(/\.myshopify\.com$/, "");
  switch (e.eventType) {
    case "RELATIONSHIP_INSTALLED":
      Object.assign(s, { installState: "installed", installedAt: e.occurredAt, uninstalledAt: null });
      return true;
    case "RELATIONSHIP_REACTIVATED":
      Object.assign(s, { installState: "installed", uninstalledAt: null });
      return true;
    case "RELATIONSHIP_UNINSTALLED":
      // The plan stays: Shopify still bills usage reported within 24 hours of the uninstall.
      Object.assign(s, { installState: "uninstalled", uninstalledAt: e.occurredAt });
      return true;
    case "SUBSCRIPTION_CREATED":
    case "SUBSCRIPTION_UPDATED": {
      s.planHandle = e.plan?.handle ?? s.planHandle;
      s.billingPeriod = e.plan?.billingPeriod ?? s.billingPeriod;
      s.subscriptionStatus = "ACTIVE";
      s.subscriptionStartedAt = e.occurredAt;
      const cycle = cycleAt(e.occurredAt, s.billingPeriod, now);
      s.cycleStart = cycle.start;
      s.cycleEnd = cycle.end;
      return true;
    }
    case "SUBSCRIPTION_FROZEN":
      s.subscriptionStatus = "FROZEN";
      return true;
    case "SUBSCRIPTION_UNFROZEN":
      s.subscriptionStatus = "ACTIVE";
      return true;
    case "SUBSCRIPTION_CANCELED":
      s.subscriptionStatus = "CANCELLED";
      return true;
    case "SUBSCRIPTION_CANCELLATION_SCHEDULED":
      return true;
    default:
      return false;
  }
}

/**
 * The cycle holding `now` of a subscription started at `startedAt`: App Pricing cycles are 30
 * days (EVERY_30_DAYS) or a year from the start (INFERRED: docs/platforms/shopify.md §2.5 shows the bounds
 * only). The activeSubscription read that follows a change outside the backfill replaces it.
 */
function cycleAt(startedAt: string, billingPeriod: string | null, now: Date): { start: string; end: string } {
  const len = (billingPeriod === "ANNUAL" ? 365 : 30) * DAY_MS;
  const start = Date.parse(startedAt);
  const k = Math.max(0, Math.floor((now.getTime() - start) / len));
  return { start: new Date(start + k * len).toISOString(), end: new Date(start + (k + 1) * len).toISOString() };
}

type ShopRow = {
  shop_id: string;
  domain: string;
  name: string;
  install_state: "installed" | "uninstalled";
  installed_at: Date | null;
  uninstalled_at: Date | null;
  plan_handle: string | null;
  subscription_status: string | null;
  subscription_started_at: Date | null;
  cycle_start: Date | null;
  cycle_end: Date | null;
  lookup_state: ShopState["lookupState"];
};
const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

async function loadShopStates(tx: Tx, connectionId: string, shopIds: string[]): Promise<Map<string, ShopState>> {
  const rows = await tx.$queryRaw<ShopRow[]>`
    SELECT shop_id, domain, name, install_state::text AS install_state, installed_at, uninstalled_at, plan_handle, subscription_status,
      subscription_started_at, cycle_start, cycle_end, lookup_state::text AS lookup_state
    FROM shops WHERE connection_id = ${connectionId}::uuid AND shop_id = ANY(${shopIds}::text[])`;
  return new Map(rows.map((r) => [r.shop_id, toShopState(r)]));
}

const toShopState = (r: ShopRow): ShopState => ({
  shopId: r.shop_id,
  domain: r.domain,
  name: r.name,
  installState: r.install_state,
  installedAt: isoOrNull(r.installed_at),
  uninstalledAt: isoOrNull(r.uninstalled_at),
  planHandle: r.plan_handle,
  subscriptionStatus: r.subscription_status,
  subscriptionStartedAt: isoOrNull(r.subscription_started_at),
  cycleStart: isoOrNull(r.cycle_start),
  cycleEnd: isoOrNull(r.cycle_end),
  billingPeriod: null,
  lookupState: r.lookup_state,
});

/** Creates or updates the shops in one statement. A shop first seen in an event (pending) is now found. */
export async function writeShopStates(tx: Tx, connectionId: string, states: ShopState[], lookupState?: "found" | "not_found"): Promise<void> {
  if (!states.length) return;
  const rows = states.map((s) => ({
    shop_id: s.shopId,
    domain: s.domain || `${s.shopId}.myshopify.com`,
    name: s.name || s.domain.replace(/\.myshopify\.com$/, "") || `Shop ${s.shopId}`,
    install_state: s.installState,
    installed_at: s.installedAt,
    uninstalled_at: s.uninstalledAt,
    plan_handle: s.planHandle,
    subscription_status: s.subscriptionStatus,
    subscription_started_at: s.subscriptionStartedAt,
    cycle_start: s.cycleStart,
    cycle_end: s.cycleEnd,
  }));
  await tx.$executeRaw`
    INSERT INTO shops (id, connection_id, shop_id, domain, name, install_state, installed_at, uninstalled_at, plan_handle, subscription_status,
      subscription_started_at, cycle_start, cycle_end, subscription_synced_at, lookup_state)
    SELECT gen_random_uuid(), ${connectionId}::uuid, x.shop_id, x.domain, x.name, x.install_state::"InstallState", x.installed_at, x.uninstalled_at,
      x.plan_handle, x.subscription_status, x.subscription_started_at, x.cycle_start, x.cycle_end, now(), ${lookupState ?? null}::"ShopLookupState"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(shop_id text, domain text, name text, install_state text, installed_at timestamptz,
      uninstalled_at timestamptz, plan_handle text, subscription_status text, subscription_started_at timestamptz, cycle_start timestamptz, cycle_end timestamptz)
    ON CONFLICT (connection_id, shop_id) DO UPDATE SET
      domain = EXCLUDED.domain, name = EXCLUDED.name, install_state = EXCLUDED.install_state, installed_at = EXCLUDED.installed_at,
      uninstalled_at = EXCLUDED.uninstalled_at, plan_handle = EXCLUDED.plan_handle, subscription_status = EXCLUDED.subscription_status,
      subscription_started_at = EXCLUDED.subscription_started_at, cycle_start = EXCLUDED.cycle_start, cycle_end = EXCLUDED.cycle_end,
      subscription_synced_at = now(), lookup_error = NULL,
      lookup_state = COALESCE(EXCLUDED.lookup_state, CASE WHEN shops.lookup_state IS NULL THEN NULL ELSE 'found'::"ShopLookupState" END)`;
}

/**
 * After the backfill: installed shops whose history in the window told no cycle (subscribed more
 * than 365 days ago, or seen only in charges) get their activeSubscription read, paced, so cycle
 * usage and the usage API work for every discovered shop. Restartable: a shop is read once, since
 * the write dates it after the backfill's end.
 */
async function completeBackfilledCycles(c: Connection, partner: ShopifyPartnerClient, now: Date): Promise<void> {
  const backfilledAt = (await db().connection.findUniqueOrThrow({ where: { id: c.id }, select: { discoveryBackfilledAt: true } })).discoveryBackfilledAt;
  if (!backfilledAt) return;
  for (;;) {
    const rows = await db().$queryRaw<ShopRow[]>`
      SELECT shop_id, domain, name, install_state::text AS install_state, installed_at, uninstalled_at, plan_handle, subscription_status,
        subscription_started_at, cycle_start, cycle_end, lookup_state::text AS lookup_state
      FROM shops WHERE connection_id = ${c.id}::uuid AND install_state = 'installed' AND cycle_start IS NULL
        AND (lookup_state IS NULL OR lookup_state = 'found') AND (subscription_synced_at IS NULL OR subscription_synced_at < ${backfilledAt})
      ORDER BY shop_id LIMIT 100`;
    if (!rows.length) return;
    await refreshSubscriptions(c, partner, rows.map(toShopState), now);
  }
}

/**
 * A cycle that ended moves on by its own length (30 days, or a year) to the one holding `now`,
 * for every shop of the connection whose subscription is active: one statement, no platform call
 * (docs/platforms/shopify.md §2.5: App Pricing cycles follow each other from the subscription's start).
 */
export async function rollCyclesForward(connectionId: string, now: Date): Promise<number> {
  return db().$executeRaw`
    UPDATE shops SET cycle_start = cycle_start + k.n * k.len, cycle_end = cycle_end + k.n * k.len
    FROM (
      SELECT id, cycle_end - cycle_start AS len,
        floor(extract(epoch FROM (${now}::timestamptz - cycle_start)) / extract(epoch FROM (cycle_end - cycle_start)))::int AS n
      FROM shops
      WHERE connection_id = ${connectionId}::uuid AND subscription_status IN ('ACTIVE', 'FROZEN') AND cycle_end <= ${now} AND cycle_end > cycle_start
    ) k
    WHERE shops.id = k.id AND k.n > 0`;
}

/** activeSubscription for each shop: the plan and cycle exactly as Shopify has them now. */
async function refreshSubscriptions(c: Connection, partner: ShopifyPartnerClient, shops: ShopState[], now: Date): Promise<void> {
  for (const s of shops) {
    await pace(c.id);
    const sub = await partner.activeSubscription(partnerAccess(c).appGid, s.shopId);
    await ensurePlan(c.id, sub);
    applySubscription(s, sub, now);
    await db().$transaction((tx) => writeShopStates(tx, c.id, [s]));
  }
}

/**
 * A plan first seen on a shop's activeSubscription is created from it: its recurring fee and each
 * usage meter's tiers exactly as Shopify bills them (docs/platforms/shopify.md §2.5), so the shop's
 * events are predicted and priced like any other instead of waiting for someone to type the plan in.
 * A plan that exists is never changed here: its pricing is the admin's (Settings → Plans). A plan
 * Shopify sends that cannot be stored (a price past the column's precision) is logged and skipped.
 */
async function ensurePlan(connectionId: string, sub: ShopifyActiveSubscription | null): Promise<void> {
  const pricing = sub ? toPlanPricing(sub) : null;
  if (!sub || !pricing) return;
  const named = (handle: string | null) => sub.items.find((i) => i.handle === handle)?.description?.slice(0, 200) || handle || "";
  try {
    await db().$transaction(async (tx) => {
      const created = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO plans (id, connection_id, handle, name, monthly_fee, currency)
        VALUES (gen_random_uuid(), ${connectionId}::uuid, ${pricing.handle}, ${named(pricing.handle)}, ${String(pricing.monthlyFee)}::numeric, ${pricing.currency})
        ON CONFLICT (connection_id, handle) DO NOTHING RETURNING id::text`;
      const planId = created[0]?.id;
      if (!planId) return;
      const meters = pricing.meters.slice(0, 5).map((m) => {
        const { tiers, ...columns } = meterColumns(m);
        return { planId, handle: m.handle, name: named(m.handle), structure: m.structure, ...columns, tiers: tiers ?? [], currency: m.currency };
      });
      if (meters.length) await tx.meter.createMany({ data: meters, skipDuplicates: true });
      await recordAudit(tx, null, {
        action: "plan.discovered",
        entityType: "plan",
        entityId: planId,
        after: { handle: pricing.handle, monthlyFee: String(pricing.monthlyFee), currency: pricing.currency, meters: meters.map((m) => m.handle) },
        note: "Created from a shop's subscription on the Partner API (activeSubscription): Shopify bills this plan, the dashboard did not know it yet.",
      });
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message, connectionId, plan: pricing.handle }, "a plan from the Partner API could not be stored");
  }
}

function applySubscription(s: ShopState, sub: ShopifyActiveSubscription | null, now: Date): void {
  const state = toSubscriptionState(sub);
  if (sub?.shop?.myshopifyDomain) s.domain = sub.shop.myshopifyDomain;
  if (!state) {
    // No contract now: keep what the history said when it ended, unless it says it is active.
    if (s.subscriptionStatus === "ACTIVE" && s.installState === "installed") s.subscriptionStatus = "CANCELLED";
    return;
  }
  s.planHandle = state.planHandle ?? s.planHandle;
  s.subscriptionStatus = s.subscriptionStatus === "FROZEN" ? "FROZEN" : "ACTIVE";
  s.cycleStart = state.cycleStart?.toISOString() ?? s.cycleStart;
  s.cycleEnd = state.cycleEnd?.toISOString() ?? s.cycleEnd;
  if (!s.subscriptionStartedAt && s.cycleStart) s.subscriptionStartedAt = s.cycleStart;
  void now;
}

// ---- shops first seen in an event -------------------------------------------------------------

/**
 * A shop first seen in an ingested event (lookup_state pending) is looked up at once: its events
 * on the Partner API (install, plan) and its activeSubscription. Found: the shop gets its state and
 * its waiting events are predicted and queued like any other. Not known to Shopify either: the
 * events are sent anyway, so Shopify's own answer becomes their verdict.
 */
export async function lookUpPendingShops(
  actor: string,
  opts: { connectionId?: string; partnerFor?: PartnerFor; now?: () => Date; limit?: number } = {},
): Promise<number> {
  const pending = await db().shop.findMany({
    where: { lookupState: "pending", connection: { disabledAt: null }, ...(opts.connectionId ? { connectionId: opts.connectionId } : {}) },
    include: { connection: true },
    orderBy: { createdAt: "asc" },
    take: opts.limit ?? 100,
  });
  const now = (opts.now ?? (() => new Date()))();
  let done = 0;
  const touched = new Set<string>();
  for (const shop of pending) {
    const c = shop.connection;
    touched.add(c.id);
    if (!canDiscover(c)) {
      await db().shop.update({
        where: { id: shop.id },
        data: { lookupState: "not_found", lookupError: "This connection has no Partner API URL, token and app GID to look the shop up with." },
      });
      done += 1;
      continue;
    }
    const partner = (opts.partnerFor ?? defaultPartnerFor)(c);
    try {
      await pace(c.id);
      const history = await partner.events({
        appGid: partnerAccess(c).appGid,
        shopGid: shop.shopId,
        occurredAtMin: new Date(now.getTime() - MAX_WINDOW_MS),
        occurredAtMax: now,
        first: PAGE_SIZE,
      });
      await pace(c.id);
      const sub = await partner.activeSubscription(partnerAccess(c).appGid, shop.shopId);
      await ensurePlan(c.id, sub);
      const state = blankState(shop.shopId);
      for (const e of history.events) applyEvent(state, e, now);
      applySubscription(state, sub, now);
      const found = !!sub || history.events.length > 0;
      await db().$transaction(async (tx) => {
        if (found) {
          await writeShopStates(tx, c.id, [state], "found");
          const rows = history.events.map((e) => ({ event_id: e.id, event_type: e.eventType, shop_id: shop.shopId, occurred_at: e.occurredAt, payload: e }));
          await tx.$executeRaw`
            INSERT INTO shopify_partner_events (connection_id, event_id, event_type, shop_id, occurred_at, payload)
            SELECT ${c.id}::uuid, x.event_id, x.event_type, x.shop_id, x.occurred_at, x.payload
            FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(event_id text, event_type text, shop_id text, occurred_at timestamptz, payload jsonb)
            ON CONFLICT (connection_id, event_id) DO NOTHING`;
        } else {
          await tx.shop.update({
            where: { id: shop.id },
            data: {
              lookupState: "not_found",
              lookupError: "Shopify's Partner API knows no install of this app on this shop.",
              subscriptionSyncedAt: new Date(),
            },
          });
        }
      });
      done += 1;
    } catch (err) {
      // Left pending: the next round tries again (the worker paces and backs off per connection).
      const message = err instanceof PlatformError ? `${err.code}: ${err.message}` : (err as Error).message;
      await db().shop.update({ where: { id: shop.id }, data: { lookupError: message.slice(0, 500) } });
      if (err instanceof PlatformError && (err.status === 429 || err.retryable)) break;
    }
  }
  for (const id of touched) await releaseReceivedEvents(actor, id);
  return done;
}
