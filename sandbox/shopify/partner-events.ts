// The Partner API's historical `events` (docs/platforms/shopify.md §2.6), generated from the sandbox's own state
// changes: installs, uninstalls, deactivations, subscriptions (created, updated, canceled,
// cancellation scheduled, frozen, unfrozen) and charges (a recurring charge at each cycle start, a
// usage charge per meter at each cycle end). Site-owner actions post their event at once;
// events that happen by the passing of time (a cycle ending, a scheduled cancellation taking
// effect) are posted by `catchUpPartnerEvents` before every read, with the time they happened.
import { createHash } from "node:crypto";
import { Decimal, formatAmount } from "../money";
import { firstIndex } from "../sorted";
import { nextSeq, type Install, type PartnerEvent, type PartnerEventType, type ShopifyApp, type State, type Subscription } from "../state";
import { findPlan, iso, usageKey } from "./model";
import { meterCost } from "./pricing";

const DAY_MS = 86_400_000;

type NewEvent = {
  app: ShopifyApp;
  shopId: string;
  type: PartnerEventType;
  atMs: number;
  planHandle?: string | null;
  cancelEffectiveOn?: string | null;
  charge?: PartnerEvent["charge"];
};

/** Adds one event to the history, keeping it sorted by (occurredAt, seq). */
export function postPartnerEvent(state: State, e: NewEvent): PartnerEvent {
  const occurredAt = iso(e.atMs);
  const seq = nextSeq(state);
  // Stable ids: the same fact gets the same id after a reset (the app dedupes on it).
  const id = stableNumericId(`${e.app.clientId}|${e.shopId}|${e.type}|${occurredAt}|${e.planHandle ?? ""}|${e.charge?.chargeId ?? ""}`);
  const event: PartnerEvent = {
    id,
    seq,
    appClientId: e.app.clientId,
    shopId: e.shopId,
    type: e.type,
    occurredAt,
    planHandle: e.planHandle ?? null,
    cancelEffectiveOn: e.cancelEffectiveOn ?? null,
    charge: e.charge ?? null,
  };
  const list = state.shopify.partnerEvents;
  const at = firstIndex(list, (x) => Date.parse(x.occurredAt) > e.atMs);
  list.splice(at, 0, event);
  return event;
}

/** The history a shop already has when it enters the sandbox (fixture or control API): install, subscription, uninstall. */
export function postInstallHistory(state: State, app: ShopifyApp, install: Install): void {
  postPartnerEvent(state, { app, shopId: install.shopId, type: "RELATIONSHIP_INSTALLED", atMs: Date.parse(install.installedAt) });
  const sub = install.subscription;
  if (sub) postPartnerEvent(state, { app, shopId: install.shopId, type: "SUBSCRIPTION_CREATED", atMs: Date.parse(sub.startedAt), planHandle: sub.planHandle });
  if (install.uninstalledAt) {
    // The subscription's end (at the uninstall) is posted by the catch-up, just before this one.
    const development = state.shopify.shops.some((s) => s.id === install.shopId && s.development);
    catchUpSubscription(state, app, install, sub, Date.parse(install.uninstalledAt), development);
    postPartnerEvent(state, { app, shopId: install.shopId, type: "RELATIONSHIP_UNINSTALLED", atMs: Date.parse(install.uninstalledAt) });
  }
}

/** Posts what has happened by `nowMs` through time alone: charges of started / closed cycles, scheduled cancellations. */
export function catchUpPartnerEvents(state: State, nowMs: number): void {
  const st = state.shopify;
  const apps = new Map(st.apps.map((a) => [a.clientId, a]));
  const devShops = new Set(st.shops.filter((s) => s.development).map((s) => s.id));
  for (const install of st.installs) {
    const app = apps.get(install.appClientId);
    if (!app || app.pricing !== "app_pricing") continue;
    const development = devShops.has(install.shopId);
    for (const sub of install.pastSubscriptions) catchUpSubscription(state, app, install, sub, nowMs, development);
    catchUpSubscription(state, app, install, install.subscription, nowMs, development);
  }
}

function catchUpSubscription(state: State, app: ShopifyApp, install: Install, sub: Subscription | null, nowMs: number, development: boolean): void {
  if (!sub) return;
  const posted = (sub.posted ??= { recurringCycles: 0, usageCycles: 0, ended: false });
  const plan = findPlan(app, sub.planHandle);
  const len = state.settings.shopify.cycleDays * DAY_MS;
  const startMs = Date.parse(sub.startedAt);
  const cancelMs = sub.canceledAt === null ? Infinity : Date.parse(sub.canceledAt);
  if (nowMs < startMs) return;
  // Cycles begun by now (before the cancellation), and cycles closed by now (the one holding the cancellation closes at it).
  const begun = Math.min(Math.floor((nowMs - startMs) / len) + 1, Math.max(0, Math.ceil((cancelMs - startMs) / len)));
  const closed = cancelMs <= nowMs ? begun : Math.floor((nowMs - startMs) / len);
  const shopId = install.shopId;
  if (plan && !development) {
    const recurring = new Decimal(plan.recurringPrice);
    for (let i = posted.recurringCycles; i < begun && recurring.gt(0); i++) {
      postPartnerEvent(state, {
        app,
        shopId,
        type: "CHARGE_RECURRING",
        atMs: startMs + i * len,
        planHandle: plan.handle,
        charge: {
          chargeId: chargeId(sub, i, "recurring"),
          chargeType: "RECURRING",
          amount: formatAmount(recurring, plan.currency),
          currency: plan.currency,
          usageQuantity: null,
          description: plan.name,
        },
      });
    }
    for (let i = posted.usageCycles; i < closed; i++) {
      for (const meter of plan.meters) {
        const quantity = state.shopify.usage[usageKey(sub.id, i, meter.handle)] ?? "0";
        const cost = meterCost(meter, quantity, plan.currency);
        if (cost.lte(0)) continue;
        postPartnerEvent(state, {
          app,
          shopId,
          type: "CHARGE_USAGE",
          atMs: Math.min(startMs + (i + 1) * len, cancelMs),
          planHandle: plan.handle,
          charge: {
            chargeId: chargeId(sub, i, meter.handle),
            chargeType: "USAGE",
            amount: formatAmount(cost, plan.currency),
            currency: plan.currency,
            usageQuantity: quantity,
            description: `${meter.name} (${meter.handle})`,
          },
        });
      }
    }
  }
  posted.recurringCycles = Math.max(posted.recurringCycles, begun);
  posted.usageCycles = Math.max(posted.usageCycles, closed);
  if (!posted.ended && cancelMs <= nowMs) {
    posted.ended = true;
    postPartnerEvent(state, {
      app,
      shopId,
      type: "SUBSCRIPTION_CANCELED",
      atMs: cancelMs,
      planHandle: sub.planHandle,
      cancelEffectiveOn: iso(cancelMs).slice(0, 10),
    });
  }
}

const chargeId = (sub: Subscription, cycle: number, what: string) => stableNumericId(`${sub.id}|${cycle}|${what}`);

/** A numeric id (as Shopify's are) derived from `seed`: the same fact keeps its id across resets. */
function stableNumericId(seed: string): string {
  return BigInt(`0x${createHash("sha256").update(seed).digest("hex").slice(0, 13)}`).toString();
}
