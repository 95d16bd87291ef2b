import { parseIsoTimestamp } from "./shopify-event";
import { uninstallWindow } from "./uninstall-window";

/**
 * Predicts the verdict Shopify will give an App Events event (docs/platforms/shopify.md §1.7, 1.8, seed 004),
 * from what the product knows about the shop. Shopify answers every well-formed event with 202
 * and decides later; this is our guess at that decision, so a person can hold an event that is
 * bound to fail.
 *
 * Billing or custom: an event is a billing event when its handle equals, exactly and
 * case-sensitively, a meter handle of the app's pricing: the shop's plan, plus `appMeterHandles`
 * (meters of the app's other plans) when known. Anything else is a custom event, non-billable,
 * with a hint when the handle looks like a misspelt meter.
 *
 * Billing checks run in the order docs/platforms/shopify.md §1.7 suggests (the real order is UNKNOWN):
 * account -> subscription -> metered -> idempotency -> value -> timestamp/period.
 *
 * Timestamps (our reading of the INVALID_TIMESTAMP / PERIOD_CLOSED overlap, docs/platforms/shopify.md §1.7):
 * - INVALID_TIMESTAMP: missing or malformed; more than 5 minutes after `now`; or before any
 *   billing cycle we know this subscription had (before `startedAt` when known, else before
 *   the known cycle's start): there is no period for it, so it is "outside the cycle".
 * - PERIOD_CLOSED: inside a cycle of this subscription that has already ended: the known cycle
 *   once `now` has passed its end (cycles renew at the same length, EVERY_30_DAYS), or an
 *   earlier cycle after `startedAt`.
 * Billing events sent more than 24 hours after an uninstall fail with PERIOD_CLOSED right after
 * the account checks, before the subscription (which the uninstall ended): see uninstall-window.ts.
 *
 * For an uninstalled shop pass the subscription it had when it uninstalled: Shopify still
 * bills usage reported within 24 hours of the uninstall, so its status is not checked then.
 * `keyAlreadyUsed` means another event already used the key (a retry of the same event is not).
 */
export const SHOPIFY_BILLING_CODES = [
  "NO_SUBSCRIPTION",
  "ACCOUNT_FROZEN",
  "SUBSCRIPTION_NOT_METERED",
  "INVALID_TIMESTAMP",
  "IDEMPOTENCY_KEY_ERROR",
  "INVALID_VALUE",
  "MISSING_VALUE_KEY",
  "PERIOD_CLOSED",
  "INVALID_ACCOUNT",
] as const;
export type ShopifyBillingCode = (typeof SHOPIFY_BILLING_CODES)[number];

export type ShopifyPrediction = {
  verdict: "billable" | "non_billable" | "failed";
  code?: ShopifyBillingCode;
  details: string;
  hint?: string;
};

export type ShopifySubscriptionState = {
  status: string;
  planHandle: string | null;
  cycleStart: Date | null;
  cycleEnd: Date | null;
  /** Start of the subscription's first cycle, when known. */
  startedAt?: Date | null;
};

export type ShopifyPredictInput = {
  /** The body as sent; fields are read defensively, since this also explains bodies that fail validation. */
  event: { shop_id?: unknown; event_handle: string; timestamp?: unknown; idempotency_key?: unknown; attributes?: unknown };
  shop: { installState: "installed" | "uninstalled"; uninstalledAt: Date | null; subscription: ShopifySubscriptionState | null };
  plan: { handle?: string; meters: readonly { handle: string }[] } | null;
  appMeterHandles?: readonly string[];
  account: { frozen?: boolean; invalid?: boolean };
  now: Date;
  keyAlreadyUsed: boolean;
};

const ACTIVE_SUBSCRIPTION_STATUSES = ["ACTIVE", "ACCEPTED"];
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export function predictShopifyVerdict(input: ShopifyPredictInput): ShopifyPrediction {
  return shopifyPredictor(input)(input.event, input.keyAlreadyUsed);
}

export type ShopifyPredictor = (event: ShopifyPredictInput["event"], keyAlreadyUsed: boolean) => ShopifyPrediction;

/**
 * predictShopifyVerdict for many events of one shop: what depends only on the shop, its plan,
 * the account and `now` (meter handles, the current cycle) is worked out once.
 */
export function shopifyPredictor(context: Omit<ShopifyPredictInput, "event" | "keyAlreadyUsed">): ShopifyPredictor {
  const { plan, shop, now } = context;
  const planMeters = plan?.meters.map((m) => m.handle) ?? [];
  const meterHandles = [...new Set([...planMeters, ...(context.appMeterHandles ?? [])])];
  const sub = shop.subscription;
  const uninstall = uninstallWindow(shop, now);
  const uninstalled = uninstall.state !== "installed";
  let cycle: CurrentCycle | null | undefined;

  return (event, keyAlreadyUsed) => {
    const handle = event.event_handle;
    const at = parseIsoTimestamp(event.timestamp);

    if (!meterHandles.includes(handle)) {
      const timing = checkTimestampShape(event.timestamp, at, now);
      if (timing) return timing;
      const hint = handle.startsWith("shopify.") ? "the shopify. prefix is reserved for Shopify's standard events" : suggestHandle(handle, meterHandles);
      return {
        verdict: "non_billable",
        details: meterHandles.length
          ? `"${handle}" matches no meter (${meterHandles.join(", ")}); Shopify logs it as a non-billable custom event. Handles are case-sensitive.`
          : `No meters are known for this shop's plan, so "${handle}" is logged as a non-billable custom event.`,
        ...(hint ? { hint } : {}),
      };
    }

    if (context.account.invalid) return fail("INVALID_ACCOUNT", "The app or partner account is not valid or not authorized.");
    if (context.account.frozen) return fail("ACCOUNT_FROZEN", "The partner account is frozen; Shopify will not process billing events.");
    if (uninstall.state === "closed") {
      return fail(
        "PERIOD_CLOSED",
        `The app was uninstalled at ${iso(uninstall.uninstalledAt)}; usage must be reported within 24 hours of an uninstall (until ${iso(uninstall.deadline)}).`,
      );
    }

    if (!sub) return fail("NO_SUBSCRIPTION", "The shop has no active Shopify App Pricing subscription for this app.");
    if (!uninstalled && !ACTIVE_SUBSCRIPTION_STATUSES.includes(sub.status.toUpperCase())) {
      return fail("NO_SUBSCRIPTION", `The shop's subscription is ${sub.status}, not active.`);
    }
    if (planMeters.length === 0) {
      return fail("SUBSCRIPTION_NOT_METERED", `The shop's plan${planName(sub, plan)} has no usage meters.`);
    }
    if (!planMeters.includes(handle)) {
      return fail("SUBSCRIPTION_NOT_METERED", `The shop's plan${planName(sub, plan)} has no "${handle}" meter (it belongs to another plan of the app).`);
    }

    const key = event.idempotency_key;
    if (typeof key !== "string" || key.trim() === "" || key.length > 64) {
      return fail("IDEMPOTENCY_KEY_ERROR", "The idempotency key is missing, empty or longer than 64 characters.");
    }
    if (keyAlreadyUsed) {
      return fail("IDEMPOTENCY_KEY_ERROR", `The idempotency key "${key}" was already used; Shopify keeps billing keys forever.`);
    }

    const attributes = event.attributes && typeof event.attributes === "object" ? (event.attributes as Record<string, unknown>) : {};
    if (!("value" in attributes)) return fail("MISSING_VALUE_KEY", 'The attributes have no "value": a billing event must say how many units it adds.');
    const value = attributes.value;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return fail("INVALID_VALUE", `"value" must be a number greater than 0, got ${JSON.stringify(value) ?? String(value)} (${typeof value}).`);
    }
    if (value <= 0) return fail("INVALID_VALUE", `"value" must be greater than 0, got ${value}.`);

    const timing = checkTimestampShape(event.timestamp, at, now);
    if (timing) return timing;
    if (cycle === undefined) cycle = currentCycle(sub, now);
    return checkCycle(at!, sub, cycle, handle, value);
  };
}

/** The subscription's cycle that contains `now` (cycles renew at the same length), or null when unknown. */
type CurrentCycle = { start: Date; end: Date; length: number; text: string };
function currentCycle(sub: ShopifySubscriptionState, now: Date): CurrentCycle | null {
  if (!sub.cycleStart || !sub.cycleEnd || sub.cycleEnd <= sub.cycleStart) return null;
  const length = sub.cycleEnd.getTime() - sub.cycleStart.getTime();
  const renewals = Math.max(0, Math.floor((now.getTime() - sub.cycleStart.getTime()) / length));
  const start = new Date(sub.cycleStart.getTime() + renewals * length);
  const end = new Date(start.getTime() + length);
  return { start, end, length, text: `${iso(start)} to ${iso(end)}` };
}

function checkTimestampShape(raw: unknown, at: Date | null, now: Date): ShopifyPrediction | null {
  if (!at) {
    return fail(
      "INVALID_TIMESTAMP",
      raw === undefined || raw === null || raw === "" ? "The timestamp is missing." : `"${String(raw)}" is not an ISO 8601 date-time with a time zone.`,
    );
  }
  if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    return fail("INVALID_TIMESTAMP", `The timestamp ${iso(at)} is more than 5 minutes in the future.`);
  }
  return null;
}

function checkCycle(at: Date, sub: ShopifySubscriptionState, current: CurrentCycle | null, handle: string, value: number): ShopifyPrediction {
  if (!current) {
    return {
      verdict: "billable",
      details: `Adds ${value} to ${handle}. The billing cycle is not known (a free trial has none), so the period was not checked.`,
    };
  }
  const { start, end, length, text: cycle } = current;
  if (at >= start && at < end) return { verdict: "billable", details: `Adds ${value} to ${handle} in the billing cycle ${cycle}.` };
  if (at >= end) return fail("INVALID_TIMESTAMP", `The timestamp ${iso(at)} falls after the current billing cycle (${cycle}).`);
  const firstKnown = sub.startedAt ?? sub.cycleStart!;
  if (at >= firstKnown) {
    const index = Math.floor((at.getTime() - sub.cycleStart!.getTime()) / length);
    const closedAt = new Date(sub.cycleStart!.getTime() + (index + 1) * length);
    return fail("PERIOD_CLOSED", `The billing cycle containing ${iso(at)} closed at ${iso(closedAt)}; the current cycle is ${cycle}.`);
  }
  return fail("INVALID_TIMESTAMP", `The timestamp ${iso(at)} is outside the current billing cycle (${cycle}) and before any cycle of this subscription.`);
}

/** The meter handle a person probably meant: same letters ignoring case and separators, or one or two typos away. */
export function suggestHandle(handle: string, meterHandles: readonly string[]): string | undefined {
  const norm = (h: string) => h.toLowerCase().replace(/[-.\s/]/g, "_");
  const same = meterHandles.find((m) => norm(m) === norm(handle));
  if (same) return `did you mean ${same}?`;
  const allowed = handle.length >= 6 ? 2 : handle.length >= 3 ? 1 : 0;
  const best = meterHandles
    .map((m) => ({ m, d: editDistance(norm(m), norm(handle)) }))
    .filter(({ d }) => d <= allowed)
    .sort((a, b) => a.d - b.d || a.m.localeCompare(b.m))[0];
  return best ? `did you mean ${best.m}?` : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}

function fail(code: ShopifyBillingCode, details: string): ShopifyPrediction {
  return { verdict: "failed", code, details };
}

function planName(sub: ShopifySubscriptionState, plan: ShopifyPredictInput["plan"]): string {
  const name = plan?.handle ?? sub.planHandle;
  return name ? ` ${name}` : "";
}

function iso(d: Date): string {
  return d.toISOString().replace(".000Z", "Z");
}

/**
 * What Shopify refuses whatever the shop's state (docs/platforms/shopify.md §1.3, 1.7): a timestamp more than
 * 5 minutes ahead (INVALID_TIMESTAMP), and for a billing event (its handle is one of the app's
 * meters) a value that is missing, not a number or not above 0 (MISSING_VALUE_KEY,
 * INVALID_VALUE). Such an event is refused at the field and never stored: holding it could only
 * end in the same refusal. What depends on state (no subscription yet, a shop not known yet) is
 * predicted and held instead.
 */
export function certainShopifyRefusals(
  event: { event_handle: string; timestamp: unknown; attributes?: unknown },
  appMeterHandles: ReadonlySet<string> | undefined,
  now: Date,
): Record<string, string[]> | null {
  const errors: Record<string, string[]> = {};
  const at = parseIsoTimestamp(event.timestamp);
  if (at && at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    errors.timestamp = [`is more than 5 minutes in the future (${iso(at)}, now ${iso(now)}); Shopify refuses such events (INVALID_TIMESTAMP)`];
  }
  if (appMeterHandles?.has(event.event_handle)) {
    const attributes = event.attributes && typeof event.attributes === "object" ? (event.attributes as Record<string, unknown>) : {};
    const value = attributes.value;
    if (!("value" in attributes) || value === null || value === undefined || value === "") {
      errors["attributes.value"] = [
        `is required: ${event.event_handle} is a billing meter, and Shopify refuses a billing event without a value (MISSING_VALUE_KEY)`,
      ];
    } else if (typeof value !== "number" || !Number.isFinite(value)) {
      errors["attributes.value"] = [`must be a number greater than 0, not ${JSON.stringify(value)}; Shopify refuses it (INVALID_VALUE)`];
    } else if (value <= 0) {
      errors["attributes.value"] = [`must be greater than 0, not ${value}; Shopify refuses it (INVALID_VALUE)`];
    }
  }
  return Object.keys(errors).length ? errors : null;
}
