// The Partner API `events` query (docs/platforms/shopify.md §2.6): filter, window, ordering and cursor pages.
// Documented rules: newest first by default (orderBy OCCURRED_AT_DESC); pages of at most 250;
// without dates the last 30 days; occurredAtMin alone reaches 30 days on (or now), occurredAtMax
// alone 30 days back; at most 365 days between them; shopId needs subjectId (the app's GID).
import { GraphQLError } from "graphql";
import type { Sandbox } from "../context";
import { Decimal, formatAmount } from "../money";
import type { PartnerEvent, Shop, ShopifyApp, ShopifyPartner } from "../state";
import { firstIndex } from "../sorted";
import { findAppByGid, findPlan, parseShopId, shopGid } from "./model";
import { catchUpPartnerEvents } from "./partner-events";
import { meterTiers } from "./pricing";

const DAY_MS = 86_400_000;
const MAX_PAGE = 250;

export type EventsArgs = {
  filter?: {
    eventTypes?: string[] | null;
    occurredAtMin?: string | null;
    occurredAtMax?: string | null;
    shopId?: string | null;
    subjectId?: string | null;
    subjectType?: string | null;
  } | null;
  orderBy?: "OCCURRED_AT_ASC" | "OCCURRED_AT_DESC";
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
};

type Key = { ms: number; seq: number };
const keyOf = (e: PartnerEvent): Key => ({ ms: Date.parse(e.occurredAt), seq: e.seq });
const cursorOf = (e: PartnerEvent) => Buffer.from(`pe:${Date.parse(e.occurredAt)}:${e.seq}`).toString("base64url");
/** true when a comes after b in ascending (occurredAt, seq) order. */
const later = (a: Key, b: Key) => a.ms > b.ms || (a.ms === b.ms && a.seq > b.seq);

function decodeKey(cursor: string, name: string): Key {
  const m = /^pe:(-?\d+):(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw new GraphQLError(`Invalid cursor for argument '${name}'.`);
  return { ms: Number(m[1]), seq: Number(m[2]) };
}

function timeArg(raw: string | null | undefined, name: string): number | null {
  if (raw === null || raw === undefined) return null;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) || Number.isNaN(ms)) {
    throw new GraphQLError(`Argument '${name}' must be an ISO 8601 date-time, got ${JSON.stringify(raw)}.`);
  }
  return ms;
}

/** The documented window: both bounds inclusive. */
function windowOf(nowMs: number, minArg: number | null, maxArg: number | null): { min: number; max: number } {
  let min = minArg;
  let max = maxArg;
  if (min === null && max === null) {
    max = nowMs;
    min = nowMs - 30 * DAY_MS;
  } else if (min === null) {
    min = max! - 30 * DAY_MS;
  } else if (max === null) {
    max = Math.min(min + 30 * DAY_MS, nowMs);
  }
  if (max! < min!) throw new GraphQLError("occurredAtMin must be on or before occurredAtMax.");
  if (max! - min! > 365 * DAY_MS) throw new GraphQLError("The maximum range between occurredAtMin and occurredAtMax is 365 days.");
  return { min: min!, max: max! };
}

export function listPartnerEvents(sb: Sandbox, org: ShopifyPartner, args: EventsArgs) {
  const st = sb.state.shopify;
  const f = args.filter ?? {};
  const { first, last } = args;
  if (first == null && last == null) throw new GraphQLError("You must provide one of 'first' or 'last'.");
  for (const [name, n] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (n != null && (n < 0 || n > MAX_PAGE)) throw new GraphQLError(`The maximum page size is ${MAX_PAGE}: '${name}' was ${n}.`);
  }
  if (f.shopId && !f.subjectId) throw new GraphQLError("subjectId is required when filtering by shopId.");
  let shopId: string | null = null;
  if (f.shopId) {
    shopId = parseShopId(f.shopId);
    if (!shopId) throw new GraphQLError(`Invalid shopId ${JSON.stringify(f.shopId)}: expected gid://shopify/Shop/<id>.`);
  }
  let appClientId: string | null = null;
  if (f.subjectId) {
    const app = findAppByGid(st, f.subjectId);
    if (!app || app.orgId !== org.orgId) throw new GraphQLError(`App ${f.subjectId} was not found in organization ${org.orgId}.`);
    appClientId = app.clientId;
  }
  const win = windowOf(sb.now(), timeArg(f.occurredAtMin, "occurredAtMin"), timeArg(f.occurredAtMax, "occurredAtMax"));
  const types = f.eventTypes && f.eventTypes.length > 0 ? new Set(f.eventTypes) : null;
  const orgApps = new Map(st.apps.filter((a) => a.orgId === org.orgId).map((a) => [a.clientId, a]));

  catchUpPartnerEvents(sb.state, sb.now());
  const all = st.partnerEvents;
  // The history is sorted by time: cut the window by binary search, then filter.
  const from = firstIndex(all, (e) => Date.parse(e.occurredAt) >= win.min);
  const to = firstIndex(all, (e) => Date.parse(e.occurredAt) > win.max);
  const matched: PartnerEvent[] = [];
  if (f.subjectType !== "THEME") {
    for (let i = from; i < to; i++) {
      const e = all[i]!;
      if (!orgApps.has(e.appClientId)) continue;
      if (appClientId && e.appClientId !== appClientId) continue;
      if (shopId && e.shopId !== shopId) continue;
      if (types && !types.has(e.type)) continue;
      matched.push(e);
    }
  }
  const ordered = args.orderBy === "OCCURRED_AT_ASC" ? matched : matched.reverse();
  const inOrderAfter = (a: Key, b: Key) => (args.orderBy === "OCCURRED_AT_ASC" ? later(a, b) : later(b, a));
  // Relay-style slicing: after/before cut the ordered list, then first/last take from its ends.
  let start = 0;
  let end = ordered.length;
  if (args.after) {
    const k = decodeKey(args.after, "after");
    start = firstIndex(ordered, (e) => inOrderAfter(keyOf(e), k));
  }
  if (args.before) {
    const k = decodeKey(args.before, "before");
    end = Math.max(
      start,
      firstIndex(ordered, (e) => !inOrderAfter(k, keyOf(e))),
    );
  }
  let page = ordered.slice(start, end);
  let hasNextPage = end < ordered.length;
  let hasPreviousPage = start > 0;
  if (first != null && page.length > first) {
    page = page.slice(0, first);
    hasNextPage = true;
  }
  if (last != null && page.length > last) {
    page = page.slice(page.length - last);
    hasPreviousPage = true;
  }
  const shops = new Map(st.shops.map((s) => [s.id, s]));
  return {
    edges: page.map((e) => ({ cursor: cursorOf(e), node: eventNode(e, orgApps.get(e.appClientId)!, shops.get(e.shopId)) })),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: page.length > 0 ? cursorOf(page[0]!) : null,
      endCursor: page.length > 0 ? cursorOf(page[page.length - 1]!) : null,
    },
  };
}

const RELATIONSHIP_STATE: Record<string, string> = {
  RELATIONSHIP_INSTALLED: "INSTALLED",
  RELATIONSHIP_UNINSTALLED: "UNINSTALLED",
  RELATIONSHIP_DEACTIVATED: "DEACTIVATED",
  RELATIONSHIP_REACTIVATED: "REACTIVATED",
};

function eventNode(e: PartnerEvent, app: ShopifyApp, shop: Shop | undefined) {
  const base = {
    eventType: e.type,
    id: e.id,
    occurredAt: e.occurredAt,
    shop: shop ? { id: shopGid(shop.id), myshopifyDomain: shop.domain, name: shop.name } : null,
    subject: { __typename: "App", id: app.gid, name: app.title, apiKey: app.clientId },
  };
  if (e.type.startsWith("RELATIONSHIP_")) {
    const reason = e.type === "RELATIONSHIP_DEACTIVATED" ? "shop_closed" : null;
    return {
      __typename: "Relationship",
      ...base,
      state: RELATIONSHIP_STATE[e.type],
      reason,
      reasonDescription: reason ? "The store was closed or frozen." : null,
    };
  }
  if (e.charge) {
    const c = e.charge;
    return {
      __typename: "Charge",
      ...base,
      amount: { amount: c.amount, currencyCode: c.currency },
      balanceUsed: null,
      cappedAmount: null,
      chargeId: c.chargeId,
      chargeType: c.chargeType,
      description: c.description,
      planHandle: e.planHandle,
      usageQuantity: c.usageQuantity,
    };
  }
  const plan = e.planHandle ? findPlan(app, e.planHandle) : undefined;
  return {
    __typename: "SubscriptionStatus",
    ...base,
    state: e.type.slice("SUBSCRIPTION_".length),
    cancelEffectiveOn: e.cancelEffectiveOn,
    plan: plan
      ? {
          handle: plan.handle,
          billingPeriod: plan.billingPeriod,
          trialDays: 0,
          trialDaysRemaining: 0,
          prices: [
            { __typename: "FlatRatePlanPrice", currencyCode: plan.currency, amount: formatAmount(new Decimal(plan.recurringPrice), plan.currency) },
            ...plan.meters.map((m) => ({ __typename: "TieredPlanPrice", currencyCode: plan.currency, ...meterTiers(m) })),
          ],
        }
      : e.planHandle
        ? { handle: e.planHandle, billingPeriod: null, trialDays: null, trialDaysRemaining: null, prices: [] }
        : null,
  };
}
