// Partner API over HTTP: POST /{orgId}/api/{version}/graphql.json with X-Shopify-Access-Token,
// executed by graphql-js against a schema of the documented types (docs/platforms/shopify.md §2.5).
// activeSubscription exists from 2026-07 (and unstable); older versions lack the field.
// Price is an interface: the documented query selects `active` and `currency` on it directly,
// which GraphQL only allows on an interface (docs/platforms/shopify.md §2.5 calls it a union).
import { buildSchema, graphql, GraphQLError } from "graphql";
import type { Sandbox } from "../context";
import { header, isObject, json, param, parseJson, type Reply, type Request } from "../http";
import { Decimal, formatAmount } from "../money";
import type { Plan, ShopifyPartner } from "../state";
import { settleDue } from "./logs";
import { activeSubscription, cycleAt, findAppByGid, findInstall, findPlan, findShop, iso, shopGid, usageKey } from "./model";
import { listPartnerEvents, type EventsArgs } from "./partner-events-query";
import { meterCost, meterTiers } from "./pricing";

const TYPES = `
  scalar DateTime
  scalar Decimal
  enum AppPricingInterval { ANNUAL EVERY_30_DAYS }
  enum TiersMode { GRADUATED VOLUME }
  enum Currency { USD EUR GBP CAD AUD JPY }
  type App { id: ID! name: String! apiKey: String! }
  type AppReference { id: ID! name: String! }
  type ShopReference { id: ID! myshopifyDomain: String! name: String }
  type BillingCycle { startTime: DateTime! endTime: DateTime! }
  type Money { amount: Decimal! currencyCode: Currency! }
  interface Price { active: Boolean! currency: Currency! }
  type FlatRatePrice implements Price { active: Boolean! currency: Currency! amount: Decimal! }
  type PriceTier { upTo: Int amountPerUnit: Decimal! amount: Decimal! }
  type TieredPrice implements Price { active: Boolean! currency: Currency! tiersMode: TiersMode! tiers: [PriceTier!]! }
  type Usage { quantity: Decimal! cost: Money! }
  type SubscriptionDiscount { amount: Decimal percentage: Float originalDiscountCycles: Int remainingDiscountCycles: Int discountEndsAt: DateTime }
  type SubscriptionItem { description: String discount: SubscriptionDiscount handle: String price: Price! usage: Usage }
  type PendingUpdate { billingPeriod: AppPricingInterval items: [SubscriptionItem!]! legacySubscriptionId: ID }
  type ActiveSubscription {
    app: AppReference! billingPeriod: AppPricingInterval! cancelAtEndOfCycle: Boolean! currentBillingCycle: BillingCycle
    items: [SubscriptionItem!]! legacySubscriptionId: ID pendingUpdate: PendingUpdate shop: ShopReference! trialEndsAt: DateTime
  }
  schema { query: QueryRoot }
`;
// The historical events (docs/platforms/shopify.md §2.6); the sandbox generates relationship, subscription and charge events.
const EVENT_TYPES = `
  scalar Date
  enum EventType {
    CHARGE_ONE_TIME CHARGE_RECURRING CHARGE_USAGE CREDIT_APPLIED CREDIT_FAILED CREDIT_PENDING EARNING_ADJUSTMENT
    EARNING_CHARGE_ONE_TIME EARNING_CHARGE_RECURRING EARNING_CHARGE_USAGE EARNING_CREDIT EARNING_REFUND
    RELATIONSHIP_DEACTIVATED RELATIONSHIP_INSTALLED RELATIONSHIP_REACTIVATED RELATIONSHIP_UNINSTALLED
    SUBSCRIPTION_CANCELED SUBSCRIPTION_CANCELLATION_SCHEDULED SUBSCRIPTION_CREATED SUBSCRIPTION_FROZEN SUBSCRIPTION_UNFROZEN SUBSCRIPTION_UPDATED
  }
  enum EventOrder { OCCURRED_AT_ASC OCCURRED_AT_DESC }
  enum SubjectType { APP THEME }
  enum ChargeType { ONE_TIME RECURRING USAGE }
  enum RelationshipState { INSTALLED UNINSTALLED DEACTIVATED REACTIVATED }
  enum SubscriptionStatusState { CANCELED CANCELLATION_SCHEDULED CREATED FROZEN UNFROZEN UPDATED }
  input EventFilterInput { eventTypes: [EventType!] occurredAtMax: DateTime occurredAtMin: DateTime shopId: ID subjectId: ID subjectType: SubjectType }
  union Subject = App
  interface PartnerEvent { eventType: EventType! id: ID! occurredAt: DateTime! shop: ShopReference subject: Subject }
  type Relationship implements PartnerEvent {
    eventType: EventType! id: ID! occurredAt: DateTime! shop: ShopReference subject: Subject
    reason: String reasonDescription: String state: RelationshipState!
  }
  type Charge implements PartnerEvent {
    eventType: EventType! id: ID! occurredAt: DateTime! shop: ShopReference subject: Subject
    amount: Money! balanceUsed: Decimal cappedAmount: Decimal chargeId: ID! chargeType: ChargeType! description: String planHandle: String usageQuantity: Decimal
  }
  interface PlanPrice { currencyCode: Currency! }
  type FlatRatePlanPrice implements PlanPrice { currencyCode: Currency! amount: Decimal! }
  type TieredPlanPrice implements PlanPrice { currencyCode: Currency! tiersMode: TiersMode! tiers: [PriceTier!]! }
  type Plan { handle: String! billingPeriod: AppPricingInterval trialDays: Int trialDaysRemaining: Int prices: [PlanPrice!]! }
  type SubscriptionStatus implements PartnerEvent {
    eventType: EventType! id: ID! occurredAt: DateTime! shop: ShopReference subject: Subject
    cancelEffectiveOn: Date plan: Plan state: SubscriptionStatusState!
  }
  type PartnerEventEdge { cursor: String! node: PartnerEvent! }
  type HistoricalEventsPageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type PartnerEventConnection { edges: [PartnerEventEdge!]! pageInfo: HistoricalEventsPageInfo! }
`;
const currentSchema = buildSchema(`${TYPES} ${EVENT_TYPES} type QueryRoot {
  app(id: ID!): App
  activeSubscription(appId: ID!, shopId: ID!): ActiveSubscription
  events(filter: EventFilterInput, orderBy: EventOrder = OCCURRED_AT_DESC, first: Int, after: String, last: Int, before: String): PartnerEventConnection
}`);
const olderSchema = buildSchema(`${TYPES} type QueryRoot { app(id: ID!): App }`);

type Context = { sb: Sandbox; org: ShopifyPartner };

const rootValue = {
  app({ id }: { id: string }, { sb, org }: Context) {
    const app = findAppByGid(sb.state.shopify, id);
    return app && app.orgId === org.orgId ? { id: app.gid, name: app.title, apiKey: app.clientId } : null;
  },
  activeSubscription({ appId, shopId }: { appId: string; shopId: string }, { sb, org }: Context) {
    const st = sb.state.shopify;
    const app = findAppByGid(st, appId);
    if (!app || app.orgId !== org.orgId) throw new GraphQLError(`App ${appId} was not found in organization ${org.orgId}.`);
    const shop = findShop(st, shopId);
    if (!shop) return null;
    const now = sb.now();
    const sub = activeSubscription(findInstall(st, app.clientId, shop.id), now);
    const plan = sub ? findPlan(app, sub.planHandle) : undefined;
    if (!sub || !plan) return null;
    const cycle = cycleAt(sub, now, sb.state.settings.shopify.cycleDays);
    return {
      app: { id: app.gid, name: app.title },
      billingPeriod: plan.billingPeriod,
      cancelAtEndOfCycle: sub.cancelAtEndOfCycle,
      currentBillingCycle: { startTime: iso(cycle.startMs), endTime: iso(cycle.endMs) },
      items: subscriptionItems(plan, (meter) => st.usage[usageKey(sub.id, cycle.index, meter)] ?? "0"),
      legacySubscriptionId: null,
      pendingUpdate: null,
      shop: { id: shopGid(shop.id), myshopifyDomain: shop.domain, name: shop.name },
      trialEndsAt: null,
    };
  },
  events(args: EventsArgs, { sb, org }: Context) {
    return listPartnerEvents(sb, org, args);
  },
};

/** The plan's recurring fee as a FlatRatePrice item, then one TieredPrice item per meter with its usage. */
function subscriptionItems(plan: Plan, quantityOf: (meter: string) => string) {
  const flat = {
    handle: plan.handle,
    description: plan.name,
    price: { __typename: "FlatRatePrice", active: true, currency: plan.currency, amount: formatAmount(new Decimal(plan.recurringPrice), plan.currency) },
    discount: null,
    usage: null,
  };
  const meters = plan.meters.map((meter) => {
    const quantity = quantityOf(meter.handle);
    return {
      handle: meter.handle,
      description: meter.name,
      price: { __typename: "TieredPrice", active: true, currency: plan.currency, ...meterTiers(meter) },
      discount: null,
      usage: { quantity, cost: { amount: formatAmount(meterCost(meter, quantity, plan.currency), plan.currency), currencyCode: plan.currency } },
    };
  });
  return [flat, ...meters];
}

export async function partnerGraphql(sb: Sandbox, req: Request): Promise<Reply> {
  const orgId = param(req, "orgId");
  const version = param(req, "version");
  if (!/^(\d{4}-\d{2}|unstable)$/.test(version)) return json(404, { errors: [{ message: `Unknown API version ${version}` }] });
  const org = sb.state.shopify.partners.find((p) => p.orgId === orgId);
  const token = header(req, "x-shopify-access-token");
  if (!org || !token || !org.apiTokens.includes(token)) {
    return json(401, { errors: [{ message: "Invalid API key or access token (unrecognized login or wrong password)" }] });
  }
  const body = parseJson(req.rawBody);
  if (!isObject(body) || typeof body.query !== "string") return json(400, { errors: [{ message: "No query string was present" }] });
  settleDue(sb.state.shopify);
  const result = await graphql({
    schema: version === "unstable" || version >= "2026-07" ? currentSchema : olderSchema,
    source: body.query,
    rootValue,
    contextValue: { sb, org } satisfies Context,
    variableValues: isObject(body.variables) ? body.variables : undefined,
    operationName: typeof body.operationName === "string" ? body.operationName : undefined,
  });
  return json(200, result);
}
