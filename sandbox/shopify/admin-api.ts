// The legacy GraphQL Admin Billing API (docs/platforms/shopify.md §3) for apps on manual pricing:
// POST /admin/api/{version}/graphql.json with the install's X-Shopify-Access-Token, executed by
// graphql-js. Merchants approve charges at the confirmation URL the mutations return.
import { buildSchema, graphql, Kind, type GraphQLScalarType, type ValueNode } from "graphql";
import type { Sandbox } from "../context";
import { header, isObject, json, parseJson, text, type Reply, type Request } from "../http";
import { Decimal } from "../money";
import type { Install, LegacyDiscount, LegacyLineItem, LegacySubscription, MoneyV2, OneTimePurchase, Shop, ShopifyApp, UsageRecord } from "../state";
import {
  approve,
  approveCappedAmount,
  approveOneTime,
  balanceUsed,
  confirmationSignature,
  currentPeriod,
  lineItemGid,
  oneTimeGid,
  oneTimeStatusAt,
  parseLineItemGid,
  parseSubscriptionGid,
  shopifyDecimal,
  statusAt,
  subscriptionGid,
  usageRecordGid,
  type UserError,
} from "./legacy-billing";
import { findApp, findShop, iso } from "./model";

const schema = buildSchema(`
  scalar Decimal
  scalar URL
  scalar DateTime
  enum CurrencyCode { USD EUR GBP CAD AUD JPY }
  enum AppPricingInterval { ANNUAL EVERY_30_DAYS }
  enum AppSubscriptionStatus { ACTIVE ACCEPTED CANCELLED DECLINED EXPIRED FROZEN PENDING }
  enum AppSubscriptionReplacementBehavior { APPLY_IMMEDIATELY APPLY_ON_NEXT_BILLING_CYCLE STANDARD }
  enum AppPurchaseStatus { ACTIVE DECLINED EXPIRED PENDING }
  enum AppTransactionSortKeys { CREATED_AT ID }
  input MoneyInput { amount: Decimal! currencyCode: CurrencyCode! }
  input AppSubscriptionDiscountValueInput { amount: Decimal percentage: Float }
  input AppSubscriptionDiscountInput { durationLimitInIntervals: Int value: AppSubscriptionDiscountValueInput }
  input AppRecurringPricingInput { price: MoneyInput! interval: AppPricingInterval = EVERY_30_DAYS discount: AppSubscriptionDiscountInput }
  input AppUsagePricingInput { cappedAmount: MoneyInput! terms: String! }
  input AppPlanInput { appRecurringPricingDetails: AppRecurringPricingInput appUsagePricingDetails: AppUsagePricingInput }
  input AppSubscriptionLineItemInput { plan: AppPlanInput! }
  type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
  type AppSubscriptionDiscountAmount { amount: MoneyV2! }
  type AppSubscriptionDiscountPercentage { percentage: Float! }
  union AppSubscriptionDiscountValue = AppSubscriptionDiscountAmount | AppSubscriptionDiscountPercentage
  type AppSubscriptionDiscount {
    durationLimitInIntervals: Int remainingDurationInIntervals: Int priceAfterDiscount: MoneyV2! value: AppSubscriptionDiscountValue!
  }
  type AppRecurringPricing { price: MoneyV2! interval: AppPricingInterval! discount: AppSubscriptionDiscount }
  type AppUsagePricing { balanceUsed: MoneyV2! cappedAmount: MoneyV2! interval: AppPricingInterval! terms: String! }
  union AppPricingDetails = AppRecurringPricing | AppUsagePricing
  type AppPlanV2 { pricingDetails: AppPricingDetails! }
  type AppSubscriptionLineItem { id: ID! plan: AppPlanV2! }
  type AppSubscription {
    id: ID! name: String! status: AppSubscriptionStatus! test: Boolean! trialDays: Int! createdAt: DateTime!
    currentPeriodEnd: DateTime returnUrl: URL! lineItems: [AppSubscriptionLineItem!]!
  }
  type AppPurchaseOneTime { id: ID! name: String! price: MoneyV2! status: AppPurchaseStatus! test: Boolean! createdAt: DateTime! }
  type AppPurchaseOneTimeEdge { cursor: String! node: AppPurchaseOneTime! }
  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type AppPurchaseOneTimeConnection { edges: [AppPurchaseOneTimeEdge!]! nodes: [AppPurchaseOneTime!]! pageInfo: PageInfo! }
  type UserError { field: [String!] message: String! }
  type AppSubscriptionCreatePayload { userErrors: [UserError!]! confirmationUrl: URL appSubscription: AppSubscription }
  type AppSubscriptionCancelPayload { userErrors: [UserError!]! appSubscription: AppSubscription }
  type AppPurchaseOneTimeCreatePayload { userErrors: [UserError!]! confirmationUrl: URL appPurchaseOneTime: AppPurchaseOneTime }
  type AppSubscriptionLineItemUpdatePayload { userErrors: [UserError!]! confirmationUrl: URL appSubscription: AppSubscription }
  type AppUsageRecord { id: ID! createdAt: DateTime! description: String! idempotencyKey: String price: MoneyV2! subscriptionLineItem: AppSubscriptionLineItem! }
  type AppUsageRecordCreatePayload { userErrors: [UserError!]! appUsageRecord: AppUsageRecord }
  type AppInstallation {
    activeSubscriptions: [AppSubscription!]!
    oneTimePurchases(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, sortKey: AppTransactionSortKeys = CREATED_AT): AppPurchaseOneTimeConnection!
  }
  type QueryRoot { currentAppInstallation: AppInstallation! }
  type Mutation {
    appSubscriptionCreate(name: String!, lineItems: [AppSubscriptionLineItemInput!]!, returnUrl: URL!, test: Boolean = false,
      trialDays: Int, replacementBehavior: AppSubscriptionReplacementBehavior = STANDARD): AppSubscriptionCreatePayload
    appSubscriptionCancel(id: ID!, prorate: Boolean = false): AppSubscriptionCancelPayload
    appPurchaseOneTimeCreate(name: String!, price: MoneyInput!, returnUrl: URL!, test: Boolean = false): AppPurchaseOneTimeCreatePayload
    appUsageRecordCreate(subscriptionLineItemId: ID!, price: MoneyInput!, description: String!, idempotencyKey: String): AppUsageRecordCreatePayload
    appSubscriptionLineItemUpdate(id: ID!, cappedAmount: MoneyInput!): AppSubscriptionLineItemUpdatePayload
  }
  schema { query: QueryRoot mutation: Mutation }
`);

/** Decimals stay exact: literals are read from their source text, output is printed Shopify-style. */
const decimal = schema.getType("Decimal") as GraphQLScalarType;
const readDecimal = (raw: unknown): string => {
  if ((typeof raw !== "string" && typeof raw !== "number") || !/^-?\d+(\.\d+)?$/.test(String(raw)))
    throw new TypeError(`Decimal cannot represent ${String(raw)}`);
  return String(raw);
};
decimal.parseValue = readDecimal;
decimal.parseLiteral = (ast: ValueNode) => {
  if (ast.kind !== Kind.FLOAT && ast.kind !== Kind.INT && ast.kind !== Kind.STRING) throw new TypeError("Decimal must be a number or a string");
  return readDecimal(ast.value);
};
decimal.serialize = (v: unknown) => shopifyDecimal(v as string);

type Ctx = { sb: Sandbox; app: ShopifyApp; shop: Shop; origin: string };
type DiscountIn = { durationLimitInIntervals?: number | null; value?: { amount?: string | null; percentage?: number | null } | null };
type LineItemIn = {
  plan: {
    appRecurringPricingDetails?: { price: MoneyV2; interval: "EVERY_30_DAYS" | "ANNUAL"; discount?: DiscountIn | null };
    appUsagePricingDetails?: { cappedAmount: MoneyV2; terms: string };
  };
};
type PageArgs = { first?: number | null; after?: string | null; last?: number | null; before?: string | null; reverse: boolean; sortKey: "CREATED_AT" | "ID" };

/** A recurring price's discount as given, or the user error it earns (docs/platforms/shopify.md §3). */
function readDiscount(input: DiscountIn, price: MoneyV2, field: string[]): LegacyDiscount | UserError {
  const limit = input.durationLimitInIntervals ?? null;
  if (limit !== null && limit <= 0) return { field: [...field, "durationLimitInIntervals"], message: "Duration limit in intervals must be greater than 0" };
  const amount = input.value?.amount ?? null;
  const percentage = input.value?.percentage ?? null;
  if ((amount === null) === (percentage === null)) return { field: [...field, "value"], message: "Discount must have exactly one of amount or percentage" };
  if (percentage !== null && !(percentage > 0 && percentage <= 1))
    return { field: [...field, "value", "percentage"], message: "Percentage must be greater than 0 and at most 1" };
  if (amount !== null && (new Decimal(amount).lte(0) || new Decimal(amount).gt(price.amount))) {
    return { field: [...field, "value", "amount"], message: "Amount must be greater than 0 and at most the price" };
  }
  return { amount, percentage, durationLimitInIntervals: limit };
}

const rootValue = {
  currentAppInstallation: (_: unknown, ctx: Ctx) => ({
    activeSubscriptions: mine(ctx)
      .filter((s) => statusAt(s, ctx.sb.now()) === "ACTIVE")
      .map((s) => subscriptionView(ctx, s)),
    oneTimePurchases: (args: PageArgs) => oneTimePage(ctx, args),
  }),

  appSubscriptionCreate(args: { name: string; lineItems: LineItemIn[]; returnUrl: string; test: boolean; trialDays?: number | null }, ctx: Ctx) {
    const errors: UserError[] = [];
    if (ctx.app.pricing === "app_pricing")
      errors.push({ field: null, message: "Apps on Shopify App Pricing can't create recurring application charges through the Billing API" });
    if (!args.name.trim()) errors.push({ field: ["name"], message: "Name can't be blank" });
    if (!URL.canParse(args.returnUrl)) errors.push({ field: ["returnUrl"], message: "Return url is invalid" });
    if ((args.trialDays ?? 0) < 0) errors.push({ field: ["trialDays"], message: "Trial days must be greater than or equal to 0" });
    const items: LegacyLineItem[] = [];
    args.lineItems.forEach(({ plan }, i) => {
      const r = plan.appRecurringPricingDetails;
      const u = plan.appUsagePricingDetails;
      if (!r === !u) errors.push({ field: ["lineItems", String(i), "plan"], message: "Plan must have exactly one pricing details input" });
      else if (r) {
        const discount = r.discount ? readDiscount(r.discount, r.price, ["lineItems", String(i), "plan", "appRecurringPricingDetails", "discount"]) : null;
        if (discount && "message" in discount) errors.push(discount);
        else items.push({ kind: "recurring", price: r.price, interval: r.interval, discount });
      } else if (u) items.push({ kind: "usage", cappedAmount: u.cappedAmount, terms: u.terms, pendingCappedAmount: null });
    });
    const recurring = items.filter((i) => i.kind === "recurring");
    const usage = items.filter((i) => i.kind === "usage");
    if (args.lineItems.length === 0) errors.push({ field: ["lineItems"], message: "Line items must contain at least one plan" });
    if (recurring.length > 1 || usage.length > 1) errors.push({ field: ["lineItems"], message: "Only one plan of each pricing type is allowed" });
    if (usage.length > 0 && recurring.some((r) => r.kind === "recurring" && r.interval === "ANNUAL")) {
      errors.push({ field: ["lineItems"], message: "Usage pricing can only be combined with an EVERY_30_DAYS recurring plan" });
    }
    if (usage.some((u) => u.kind === "usage" && new Decimal(u.cappedAmount.amount).lte(0)))
      errors.push({ field: ["lineItems"], message: "Capped amount must be greater than 0" });
    if (errors.length > 0) return { userErrors: errors, confirmationUrl: null, appSubscription: null };

    const sub: LegacySubscription = {
      id: String(4_028_497_000 + ctx.sb.seq()),
      appClientId: ctx.app.clientId,
      shopId: ctx.shop.id,
      name: args.name,
      status: "PENDING",
      test: args.test,
      trialDays: args.trialDays ?? 0,
      returnUrl: args.returnUrl,
      createdAt: ctx.sb.nowIso(),
      activatedAt: null,
      lineItems: items,
    };
    ctx.sb.state.shopify.legacySubscriptions.push(sub);
    return {
      userErrors: [],
      confirmationUrl: confirmationUrl(ctx.origin, sub, "confirm_recurring_application_charge"),
      appSubscription: subscriptionView(ctx, sub),
    };
  },

  appSubscriptionCancel(args: { id: string; prorate: boolean }, ctx: Ctx) {
    const fail = (field: string[] | null, message: string) => ({ userErrors: [{ field, message }], appSubscription: null });
    const id = parseSubscriptionGid(args.id);
    const sub = id ? mine(ctx).find((s) => s.id === id) : undefined;
    if (!sub) return fail(["id"], "Subscription not found");
    const status = statusAt(sub, ctx.sb.now());
    if (status !== "ACTIVE" && status !== "PENDING" && status !== "FROZEN")
      return fail(["id"], `The subscription is ${status.toLowerCase()} and can't be cancelled`);
    sub.status = "CANCELLED";
    return { userErrors: [], appSubscription: subscriptionView(ctx, sub) };
  },

  appPurchaseOneTimeCreate(args: { name: string; price: MoneyV2; returnUrl: string; test: boolean }, ctx: Ctx) {
    const errors: UserError[] = [];
    if (ctx.app.pricing === "app_pricing")
      errors.push({ field: null, message: "Apps on Shopify App Pricing can't create one-time application charges through the Billing API" });
    if (!args.name.trim()) errors.push({ field: ["name"], message: "Name can't be blank" });
    if (!URL.canParse(args.returnUrl)) errors.push({ field: ["returnUrl"], message: "Return url is invalid" });
    if (new Decimal(args.price.amount).lt("0.5")) errors.push({ field: ["price"], message: "Price must be greater than or equal to 0.50" });
    if (errors.length > 0) return { userErrors: errors, confirmationUrl: null, appPurchaseOneTime: null };
    const purchase: OneTimePurchase = {
      id: String(1_017_262_000 + ctx.sb.seq()),
      appClientId: ctx.app.clientId,
      shopId: ctx.shop.id,
      name: args.name,
      price: args.price,
      test: args.test,
      returnUrl: args.returnUrl,
      status: "PENDING",
      createdAt: ctx.sb.nowIso(),
    };
    ctx.sb.state.shopify.oneTimePurchases.push(purchase);
    const confirmationUrl = `${ctx.origin}/admin/charges/${purchase.id}/confirm_application_charge?signature=${confirmationSignature(purchase)}`;
    return { userErrors: [], confirmationUrl, appPurchaseOneTime: oneTimeView(ctx, purchase) };
  },

  appUsageRecordCreate(args: { subscriptionLineItemId: string; price: MoneyV2; description: string; idempotencyKey?: string | null }, ctx: Ctx) {
    const fail = (field: string[] | null, message: string) => ({ userErrors: [{ field, message }], appUsageRecord: null });
    const found = findLineItem(ctx, args.subscriptionLineItemId);
    if (!found) return fail(["subscriptionLineItemId"], "Subscription line item not found");
    const { sub, index, item } = found;
    if (item.kind !== "usage") return fail(["subscriptionLineItemId"], "Subscription line item must be a usage line item");
    const now = ctx.sb.now();
    if (statusAt(sub, now) !== "ACTIVE") return fail(null, "The subscription is not active");
    const key = args.idempotencyKey ?? null;
    if (key !== null && key.length > 255) return fail(["idempotencyKey"], "Idempotency key is too long (maximum is 255 characters)");
    const st = ctx.sb.state.shopify;
    const earlier = key === null ? undefined : st.usageRecords.find((r) => r.idempotencyKey === key && mine(ctx).some((s) => s.id === r.subscriptionId));
    if (earlier) {
      if (ctx.sb.state.settings.shopify.legacyUsageKeyReuse === "user_error") return fail(["idempotencyKey"], "Idempotency key has already been taken");
      return { userErrors: [], appUsageRecord: usageRecordView(ctx, earlier) };
    }
    if (!args.description.trim()) return fail(["description"], "Description can't be blank");
    if (args.price.currencyCode !== item.cappedAmount.currencyCode) return fail(["price"], `Currency must be ${item.cappedAmount.currencyCode}`);
    if (new Decimal(args.price.amount).lte(0)) return fail(["price"], "Price must be greater than 0");
    const cycleDays = ctx.sb.state.settings.shopify.cycleDays;
    if (balanceUsed(st, sub, index, now, cycleDays).plus(args.price.amount).gt(item.cappedAmount.amount))
      return fail(null, "Total price exceeds balance remaining");
    const record: UsageRecord = {
      id: String(14_518_000 + ctx.sb.seq()),
      subscriptionId: sub.id,
      lineIndex: index,
      createdAt: iso(now),
      description: args.description,
      idempotencyKey: key,
      price: args.price,
    };
    st.usageRecords.push(record);
    return { userErrors: [], appUsageRecord: usageRecordView(ctx, record) };
  },

  appSubscriptionLineItemUpdate(args: { id: string; cappedAmount: MoneyV2 }, ctx: Ctx) {
    const fail = (field: string[] | null, message: string) => ({ userErrors: [{ field, message }], confirmationUrl: null, appSubscription: null });
    const found = findLineItem(ctx, args.id);
    if (!found || found.item.kind !== "usage") return fail(["id"], "Usage line item not found");
    const { sub, item } = found;
    if (statusAt(sub, ctx.sb.now()) !== "ACTIVE") return fail(null, "The subscription is not active");
    if (args.cappedAmount.currencyCode !== item.cappedAmount.currencyCode) return fail(["cappedAmount"], `Currency must be ${item.cappedAmount.currencyCode}`);
    if (new Decimal(args.cappedAmount.amount).lte(item.cappedAmount.amount))
      return fail(["cappedAmount"], "The new capped amount must be greater than the current one");
    item.pendingCappedAmount = args.cappedAmount;
    return { userErrors: [], confirmationUrl: confirmationUrl(ctx.origin, sub, "confirm_update_capped_amount"), appSubscription: subscriptionView(ctx, sub) };
  },
};

function mine(ctx: Ctx): LegacySubscription[] {
  return ctx.sb.state.shopify.legacySubscriptions.filter((s) => s.appClientId === ctx.app.clientId && s.shopId === ctx.shop.id);
}

function oneTimeView(ctx: Pick<Ctx, "sb">, p: OneTimePurchase) {
  return { id: oneTimeGid(p.id), name: p.name, price: p.price, status: oneTimeStatusAt(p, ctx.sb.now()), test: p.test, createdAt: p.createdAt };
}

/** A connection page of the installation's one-time purchases (cursor = the purchase's id). */
function oneTimePage(ctx: Ctx, args: PageArgs) {
  const all = ctx.sb.state.shopify.oneTimePurchases.filter((p) => p.appClientId === ctx.app.clientId && p.shopId === ctx.shop.id);
  const ordered = args.reverse ? [...all].reverse() : all; // stored in creation order, which is also id order
  const cursor = (p: OneTimePurchase) => Buffer.from(`purchase:${p.id}`).toString("base64url");
  const index = (c: string | null | undefined) => (c ? ordered.findIndex((p) => cursor(p) === c) : -1);
  let from = args.after ? index(args.after) + 1 : 0;
  let to = args.before ? Math.max(0, index(args.before)) : ordered.length;
  if (args.after && from === 0) from = ordered.length; // an unknown cursor matches nothing
  const first = Math.min(250, args.first ?? (args.last ? Infinity : 250));
  if (args.last != null) from = Math.max(from, to - Math.min(250, args.last));
  to = Math.min(to, from + first);
  const page = ordered.slice(from, to);
  return {
    edges: page.map((p) => ({ cursor: cursor(p), node: oneTimeView(ctx, p) })),
    nodes: page.map((p) => oneTimeView(ctx, p)),
    pageInfo: {
      hasNextPage: to < ordered.length,
      hasPreviousPage: from > 0,
      startCursor: page[0] ? cursor(page[0]) : null,
      endCursor: page.at(-1) ? cursor(page.at(-1)!) : null,
    },
  };
}

function findLineItem(ctx: Ctx, gid: string) {
  const ref = parseLineItemGid(gid);
  const sub = ref ? mine(ctx).find((s) => s.id === ref.subscriptionId) : undefined;
  const item = sub && ref ? sub.lineItems[ref.index] : undefined;
  return sub && ref && item ? { sub, index: ref.index, item } : null;
}

function confirmationUrl(origin: string, sub: LegacySubscription, action: string): string {
  return `${origin}/admin/charges/${sub.id}/${action}?signature=${confirmationSignature(sub)}`;
}

export function subscriptionView(ctx: Pick<Ctx, "sb">, sub: LegacySubscription) {
  const now = ctx.sb.now();
  const period = currentPeriod(sub, now, ctx.sb.state.settings.shopify.cycleDays);
  return {
    id: subscriptionGid(sub.id),
    name: sub.name,
    status: statusAt(sub, now),
    test: sub.test,
    trialDays: sub.trialDays,
    createdAt: sub.createdAt,
    currentPeriodEnd: period ? iso(period.endMs) : null,
    returnUrl: sub.returnUrl,
    lineItems: sub.lineItems.map((_, i) => lineItemView(ctx, sub, i)),
  };
}

function lineItemView(ctx: Pick<Ctx, "sb">, sub: LegacySubscription, index: number) {
  const item = sub.lineItems[index];
  if (!item) throw new Error(`subscription ${sub.id} has no line item ${index}`);
  const pricingDetails =
    item.kind === "recurring"
      ? {
          __typename: "AppRecurringPricing",
          price: item.price,
          interval: item.interval,
          discount: item.discount ? discountView(ctx, sub, item.price, item.discount) : null,
        }
      : {
          __typename: "AppUsagePricing",
          balanceUsed: {
            amount: balanceUsed(ctx.sb.state.shopify, sub, index, ctx.sb.now(), ctx.sb.state.settings.shopify.cycleDays).toString(),
            currencyCode: item.cappedAmount.currencyCode,
          },
          cappedAmount: item.cappedAmount,
          interval: "EVERY_30_DAYS",
          terms: item.terms,
        };
  return { id: lineItemGid(sub.id, index), plan: { pricingDetails } };
}

function discountView(ctx: Pick<Ctx, "sb">, sub: LegacySubscription, price: MoneyV2, d: LegacyDiscount) {
  const off = d.amount !== null ? new Decimal(d.amount) : new Decimal(price.amount).times(d.percentage ?? 0).toDecimalPlaces(2);
  const period = currentPeriod(sub, ctx.sb.now(), ctx.sb.state.settings.shopify.cycleDays);
  const elapsed =
    period && sub.activatedAt ? Math.round((period.startMs - Date.parse(sub.activatedAt)) / (ctx.sb.state.settings.shopify.cycleDays * 86_400_000)) : 0;
  const remaining = d.durationLimitInIntervals === null ? null : Math.max(0, d.durationLimitInIntervals - elapsed);
  return {
    durationLimitInIntervals: d.durationLimitInIntervals,
    remainingDurationInIntervals: remaining,
    priceAfterDiscount: {
      amount: remaining === 0 ? price.amount : Decimal.max(0, new Decimal(price.amount).minus(off)).toString(),
      currencyCode: price.currencyCode,
    },
    value:
      d.amount !== null
        ? { __typename: "AppSubscriptionDiscountAmount", amount: { amount: d.amount, currencyCode: price.currencyCode } }
        : { __typename: "AppSubscriptionDiscountPercentage", percentage: d.percentage },
  };
}

function usageRecordView(ctx: Ctx, record: UsageRecord) {
  const sub = ctx.sb.state.shopify.legacySubscriptions.find((s) => s.id === record.subscriptionId)!;
  return { ...record, id: usageRecordGid(record.id), subscriptionLineItem: lineItemView(ctx, sub, record.lineIndex) };
}

const INVALID_TOKEN = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };

export async function adminGraphql(sb: Sandbox, req: Request): Promise<Reply> {
  const st = sb.state.shopify;
  const token = header(req, "x-shopify-access-token");
  const install: Install | undefined = token ? st.installs.find((i) => i.adminAccessToken === token && i.uninstalledAt === null) : undefined;
  const app = install ? findApp(st, install.appClientId) : undefined;
  const shop = install ? findShop(st, install.shopId) : undefined;
  if (!app || !shop) return json(401, INVALID_TOKEN);
  const body = parseJson(req.rawBody);
  if (!isObject(body) || typeof body.query !== "string") return json(400, { errors: { query: "Required parameter missing or invalid" } });
  const result = await graphql({
    schema,
    source: body.query,
    rootValue,
    contextValue: { sb, app, shop, origin: `http://${header(req, "host") ?? "127.0.0.1"}` } satisfies Ctx,
    variableValues: isObject(body.variables) ? body.variables : undefined,
    operationName: typeof body.operationName === "string" ? body.operationName : undefined,
  });
  return json(200, result);
}

/** The merchant opens the confirmation URL: the charge (or the cap raise) is approved. */
export function confirmCharge(sb: Sandbox, req: Request): Reply {
  if (req.params.action === "confirm_application_charge") return confirmOneTime(sb, req);
  const sub = sb.state.shopify.legacySubscriptions.find((s) => s.id === req.params.chargeId);
  const action = req.params.action;
  const known = action === "confirm_recurring_application_charge" || action === "confirm_update_capped_amount";
  if (!sub || !known || req.query.get("signature") !== confirmationSignature(sub)) return text(404, "Charge not found");
  if (action === "confirm_update_capped_amount") {
    if (!approveCappedAmount(sub)) return text(422, "There is no capped amount change to approve");
  } else {
    const error = approve(sb.state.shopify, sub, sb.now());
    if (error) return text(422, error.message);
  }
  const target = new URL(sub.returnUrl);
  target.searchParams.set("charge_id", sub.id);
  return { status: 302, headers: { location: target.toString() }, body: "" };
}

/** The merchant approves a one-time charge at its confirmation URL. */
function confirmOneTime(sb: Sandbox, req: Request): Reply {
  const purchase = sb.state.shopify.oneTimePurchases.find((p) => p.id === req.params.chargeId);
  if (!purchase || req.query.get("signature") !== confirmationSignature(purchase)) return text(404, "Charge not found");
  const error = approveOneTime(purchase, sb.now());
  if (error) return text(422, error.message);
  const target = new URL(purchase.returnUrl);
  target.searchParams.set("charge_id", purchase.id);
  return { status: 302, headers: { location: target.toString() }, body: "" };
}
