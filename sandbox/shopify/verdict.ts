// Asynchronous billing validation (docs/platforms/shopify.md §1.7-1.8). Every verdict is worked out when the
// event is received (against the sandbox clock at that moment) and published after a delay.
// Check order (docs/platforms/shopify.md §1.7 suggestion): account -> subscription -> metered -> idempotency ->
// value -> timestamp/period.
import { parseIsoTime } from "../clock";
import type { Settings } from "../settings";
import type { Install, Shop, ShopifyApp, ShopifyState, Verdict } from "../state";
import { appMeterHandles, cycleAt, findPlan, iso, partnerOf, subscriptionAt, UNINSTALL_GRACE_MS, usageKey } from "./model";
import type { EventBody } from "./validate-event";

const FUTURE_LIMIT_MS = 5 * 60_000;

export type EventContext = {
  st: ShopifyState;
  settings: Settings["shopify"];
  app: ShopifyApp;
  shop: Shop;
  install: Install;
  event: EventBody;
  receivedMs: number;
};

/** Billing event (handle is a meter of the app's pricing) or custom event (non-billable). */
export function isBillingEvent(ctx: EventContext): boolean {
  const { app, install, event, receivedMs, settings } = ctx;
  if (!appMeterHandles(app).has(event.event_handle)) return false;
  const sub = subscriptionAt(install, referenceTime(install, receivedMs));
  const plan = sub ? findPlan(app, sub.planHandle) : undefined;
  const inShopPlan = plan?.meters.some((m) => m.handle === event.event_handle) ?? false;
  // The shop's metered plan lacks this handle: a custom event, unless switched to SUBSCRIPTION_NOT_METERED.
  return !(plan && plan.meters.length > 0 && !inShopPlan && settings.handleNotInShopPlan === "non_billable");
}

export function customVerdict(ctx: EventContext): Verdict {
  const handle = ctx.event.event_handle;
  const near = [...appMeterHandles(ctx.app)].find((h) => h.toLowerCase() === handle.toLowerCase());
  const hint = near ? ` Did you mean "${near}"? Handles are case-sensitive.` : "";
  return {
    billable: false,
    code: null,
    success: true,
    details: `Non-billable: event_handle "${handle}" matches no usage meter of the shop's plan.${hint}`,
  };
}

export function billingVerdict(ctx: EventContext): Verdict {
  const { st, settings, app, shop, install, event, receivedMs } = ctx;
  const fail = (code: string, details: string): Verdict => ({ billable: true, code, success: false, details });

  const partner = partnerOf(st, app);
  if (partner?.status === "frozen") return fail("ACCOUNT_FROZEN", `Partner account ${app.orgId} is frozen; billing events can't be processed.`);
  if (!partner || partner.status === "invalid" || app.status === "invalid") {
    return fail("INVALID_ACCOUNT", `App ${app.gid} or partner account ${app.orgId} is not authorized to bill.`);
  }

  const uninstalledMs = install.uninstalledAt ? Date.parse(install.uninstalledAt) : null;
  const refMs = referenceTime(install, receivedMs);
  const sub = subscriptionAt(install, refMs);
  if (!sub) return fail("NO_SUBSCRIPTION", `${shop.domain} has no active Shopify App Pricing subscription for ${app.title}.`);
  const plan = findPlan(app, sub.planHandle);
  if (!plan || plan.meters.length === 0) return fail("SUBSCRIPTION_NOT_METERED", `Plan "${sub.planHandle}" has no usage-based pricing.`);
  const meter = plan.meters.find((m) => m.handle === event.event_handle);
  if (!meter) return fail("SUBSCRIPTION_NOT_METERED", `Plan "${plan.handle}" has no usage meter "${event.event_handle}".`);

  const usedBy = st.billingKeys[`${app.clientId}|${event.idempotency_key}`];
  if (usedBy) {
    return fail(
      "IDEMPOTENCY_KEY_ERROR",
      `idempotency_key "${event.idempotency_key}" was already used by billing event ${usedBy}; billing keys are enforced permanently.`,
    );
  }

  if (!("value" in event.attributes)) return fail("MISSING_VALUE_KEY", 'attributes has no "value" key.');
  const value = event.attributes.value;
  const validNumber = typeof value === "number" && Number.isFinite(value) && value > 0;
  if (!validNumber || (!settings.allowFractionalValue && !Number.isInteger(value))) {
    return fail("INVALID_VALUE", `value ${JSON.stringify(value)} must be a number greater than 0.`);
  }

  const cycle = cycleAt(sub, refMs, settings.cycleDays);
  const window = `[${iso(cycle.startMs)}, ${iso(Math.min(cycle.endMs, uninstalledMs ?? Infinity))})`;
  const ts = parseIsoTime(event.timestamp);
  if (ts === null) return fail("INVALID_TIMESTAMP", `timestamp "${event.timestamp}" is not an ISO 8601 date-time.`);
  if (ts > receivedMs + FUTURE_LIMIT_MS) {
    return fail("INVALID_TIMESTAMP", `timestamp ${event.timestamp} is more than 5 minutes after the time it was received (${iso(receivedMs)}).`);
  }
  if (uninstalledMs !== null && receivedMs > uninstalledMs + UNINSTALL_GRACE_MS) {
    return fail(
      "PERIOD_CLOSED",
      `The app was uninstalled at ${install.uninstalledAt}; usage could be reported until ${iso(uninstalledMs + UNINSTALL_GRACE_MS)}.`,
    );
  }
  if (ts < Date.parse(sub.startedAt)) {
    return fail("INVALID_TIMESTAMP", `timestamp ${event.timestamp} is before the subscription started (${sub.startedAt}); allowed window ${window}.`);
  }
  const tsCycle = cycleAt(sub, ts, settings.cycleDays);
  if (tsCycle.index < cycle.index) {
    return fail("PERIOD_CLOSED", `The billing period [${iso(tsCycle.startMs)}, ${iso(tsCycle.endMs)}) is closed; allowed window ${window}.`);
  }
  if (uninstalledMs !== null && ts >= uninstalledMs) {
    return fail("INVALID_TIMESTAMP", `timestamp ${event.timestamp} is after the app was uninstalled; allowed window ${window}.`);
  }
  if (ts >= cycle.endMs) return fail("INVALID_TIMESTAMP", `timestamp ${event.timestamp} is outside the current billing cycle ${window}.`);

  const devNote = shop.development ? " Development store: recorded but never charged." : "";
  return {
    billable: true,
    code: "SUCCESS",
    success: true,
    details: `Billed ${value} unit(s) of ${meter.handle} to the billing cycle [${iso(cycle.startMs)}, ${iso(cycle.endMs)}).${devNote}`,
    usage: { key: usageKey(sub.id, cycle.index, meter.handle), quantity: String(value) },
  };
}

/** After an uninstall, rules apply as they stood just before it. */
function referenceTime(install: Install, receivedMs: number): number {
  const uninstalledMs = install.uninstalledAt ? Date.parse(install.uninstalledAt) : null;
  return uninstalledMs !== null && uninstalledMs <= receivedMs ? uninstalledMs - 1 : receivedMs;
}
