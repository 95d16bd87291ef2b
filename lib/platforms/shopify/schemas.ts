import { z } from "zod";

/** Response shapes of the App Events API and the Partner API (docs/platforms/shopify.md §1.1, 1.4, 2.5, 4). */

/** Both documented token answers: {access_token, scope, expires_in} and {access_token, token_type}. */
export const shopifyTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  expires_in: z.number().positive().optional(),
});

export const shopifyEventAccepted = z.looseObject({ success: z.boolean() });
export type ShopifyEventAccepted = z.infer<typeof shopifyEventAccepted>;

export const shopifyErrorBody = z.looseObject({
  success: z.boolean().optional(),
  error: z.string().optional(),
  errors: z.array(z.looseObject({ field: z.string().nullish(), code: z.string().optional(), message: z.string() })).optional(),
});

/** Decimals and tier limits come as strings or numbers; both are kept as decimal strings. */
const decimal = z.union([z.string(), z.number()]).transform(String);

export const shopifyFlatRatePrice = z.looseObject({
  __typename: z.literal("FlatRatePrice"),
  active: z.boolean().optional(),
  currency: z.string(),
  amount: decimal,
});
export const shopifyTieredPrice = z.looseObject({
  __typename: z.literal("TieredPrice"),
  active: z.boolean().optional(),
  currency: z.string(),
  tiersMode: z.string(),
  tiers: z.array(z.looseObject({ upTo: decimal.nullable(), amountPerUnit: decimal, amount: decimal.nullish() })),
});
const otherPrice = z.looseObject({ __typename: z.string() });

const shopifySubscriptionItem = z.looseObject({
  handle: z.string().nullable(),
  description: z.string().nullish(),
  price: z.union([shopifyFlatRatePrice, shopifyTieredPrice, otherPrice]),
  discount: z.looseObject({ amount: decimal.nullish(), percentage: decimal.nullish(), remainingDiscountCycles: z.number().nullish() }).nullish(),
  usage: z.looseObject({ quantity: decimal, cost: z.looseObject({ amount: decimal, currencyCode: z.string() }).nullish() }).nullish(),
});

export const shopifyActiveSubscription = z.looseObject({
  billingPeriod: z.string(),
  cancelAtEndOfCycle: z.boolean().optional(),
  trialEndsAt: z.string().nullish(),
  currentBillingCycle: z.looseObject({ startTime: z.string(), endTime: z.string() }).nullish(),
  items: z.array(shopifySubscriptionItem),
  pendingUpdate: z.looseObject({ billingPeriod: z.string().nullish(), items: z.array(z.looseObject({ handle: z.string().nullish() })).nullish() }).nullish(),
  shop: z.looseObject({ id: z.string(), myshopifyDomain: z.string().nullish(), name: z.string().nullish() }).nullish(),
});
export type ShopifyActiveSubscription = z.infer<typeof shopifyActiveSubscription>;

export const shopifyActiveSubscriptionResponse = z.looseObject({
  data: z.looseObject({ activeSubscription: shopifyActiveSubscription.nullable() }).nullish(),
  errors: z.array(z.looseObject({ message: z.string(), extensions: z.looseObject({ code: z.string().optional() }).optional() })).optional(),
});

/** One node of the Partner API `events` connection (docs/platforms/shopify.md §2.6): Relationship, SubscriptionStatus or Charge. */
const shopifyPartnerEventNode = z.looseObject({
  __typename: z.string(),
  id: z.string(),
  eventType: z.string(),
  occurredAt: z.string(),
  shop: z.looseObject({ id: z.string(), myshopifyDomain: z.string().nullish(), name: z.string().nullish() }).nullish(),
  subscriptionState: z.string().nullish(),
  cancelEffectiveOn: z.string().nullish(),
  plan: z.looseObject({ handle: z.string(), billingPeriod: z.string().nullish() }).nullish(),
  chargeId: z.string().nullish(),
  chargeType: z.string().nullish(),
  amount: z.looseObject({ amount: decimal, currencyCode: z.string() }).nullish(),
  usageQuantity: decimal.nullish(),
  planHandle: z.string().nullish(),
  description: z.string().nullish(),
});
export type ShopifyPartnerEventNode = z.infer<typeof shopifyPartnerEventNode>;

export const shopifyPartnerEventsResponse = z.looseObject({
  data: z
    .looseObject({
      events: z
        .looseObject({
          edges: z.array(z.looseObject({ cursor: z.string(), node: shopifyPartnerEventNode })),
          pageInfo: z.looseObject({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
        })
        .nullable(),
    })
    .nullish(),
  errors: z.array(z.looseObject({ message: z.string(), extensions: z.looseObject({ code: z.string().optional() }).optional() })).optional(),
});

/**
 * A Dev Dashboard log row for an app event, as the sandbox exposes it (docs/platforms/shopify.md §4). The real
 * dashboard has no export, so anything beyond the handle and key is optional.
 */
export const shopifyLogRow = z.looseObject({
  type: z.string().optional(),
  status: z.number().nullish(),
  event_handle: z.string(),
  shop: z.string().nullish(),
  timestamp: z.string().nullish(),
  idempotency_key: z.string(),
  billable: z.boolean().nullish(),
  billing_result_code: z.string().nullish(),
  result_status: z.string().nullish(),
  result_details: z.string().nullish(),
});
export type ShopifyLogRow = z.infer<typeof shopifyLogRow>;
