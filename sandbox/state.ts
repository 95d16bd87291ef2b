// The whole sandbox state: one JSON document, kept in memory and written to the state file
// (state-file.ts) so it survives a restart. Private keys live only there.
import type { ClockState } from "./clock";
import type { Settings } from "./settings";

export type KeyPair = { publicKeyPem: string; privateKeyPem: string };

// ---- Shopify -------------------------------------------------------------------------
type PartnerStatus = "active" | "frozen" | "invalid";
export type ShopifyPartner = { orgId: string; name: string; status: PartnerStatus; apiTokens: string[] };
export type Tier = { upTo: number | null; amountPerUnit: string; amount: string };
type PricingStructure = "FIXED" | "GRADUATED" | "VOLUME";
export type Meter = {
  handle: string;
  name: string;
  structure: PricingStructure;
  unitPrice: string | null;
  includedUnits: number;
  tiers: Tier[];
};
export type Plan = {
  handle: string;
  name: string;
  public: boolean;
  billingPeriod: "EVERY_30_DAYS" | "ANNUAL";
  recurringPrice: string;
  currency: string;
  meters: Meter[];
};
export type ShopifyApp = {
  clientId: string;
  clientSecret: string;
  gid: string;
  title: string;
  orgId: string;
  scope: string;
  status: "active" | "invalid";
  /** Shopify App Pricing (plans, App Events) or manual pricing (legacy Billing API). */
  pricing: "app_pricing" | "manual";
  plans: Plan[];
};
export type Shop = { id: string; domain: string; name: string; development: boolean };
export type Subscription = {
  id: string;
  planHandle: string;
  startedAt: string;
  canceledAt: string | null;
  cancelAtEndOfCycle: boolean;
  /** Frozen by Shopify (e.g. the merchant's bill unpaid): SUBSCRIPTION_FROZEN / UNFROZEN. */
  frozen?: boolean;
  /** What the Partner API's history has published of this subscription (partner-events.ts). */
  posted?: SubscriptionPosted;
};
/** Cycles whose recurring / usage charge are in the history, and whether its end is. */
type SubscriptionPosted = { recurringCycles: number; usageCycles: number; ended: boolean };
export type Install = {
  appClientId: string;
  shopId: string;
  /** Offline Admin API token of this install (X-Shopify-Access-Token of the legacy Billing API). */
  adminAccessToken: string;
  installedAt: string;
  uninstalledAt: string | null;
  /** The shop was closed or frozen by Shopify while the app was installed (RELATIONSHIP_DEACTIVATED). */
  deactivatedAt?: string | null;
  subscription: Subscription | null;
  pastSubscriptions: Subscription[];
};
/** One entry of the Partner API's `events` history (docs/platforms/shopify.md §2.6), oldest first in the state. */
export type PartnerEventType =
  | "RELATIONSHIP_INSTALLED"
  | "RELATIONSHIP_UNINSTALLED"
  | "RELATIONSHIP_DEACTIVATED"
  | "RELATIONSHIP_REACTIVATED"
  | "SUBSCRIPTION_CREATED"
  | "SUBSCRIPTION_UPDATED"
  | "SUBSCRIPTION_CANCELED"
  | "SUBSCRIPTION_CANCELLATION_SCHEDULED"
  | "SUBSCRIPTION_FROZEN"
  | "SUBSCRIPTION_UNFROZEN"
  | "CHARGE_RECURRING"
  | "CHARGE_USAGE";
export type PartnerEvent = {
  id: string;
  seq: number;
  appClientId: string;
  shopId: string;
  type: PartnerEventType;
  occurredAt: string;
  /** SUBSCRIPTION_*: the plan at that moment; CHARGE_*: the plan charged. */
  planHandle: string | null;
  /** SUBSCRIPTION_CANCELLATION_SCHEDULED / CANCELED: the day the subscription ends. */
  cancelEffectiveOn: string | null;
  charge: { chargeId: string; chargeType: "RECURRING" | "USAGE"; amount: string; currency: string; usageQuantity: string | null; description: string } | null;
};
type ResultStatus = "RESULT_STATUS_PENDING" | "RESULT_STATUS_SUCCESS" | "RESULT_STATUS_FAILURE";
export type Verdict = {
  billable: boolean;
  code: string | null;
  success: boolean;
  details: string;
  usage?: { key: string; quantity: string };
};
export type EventRow = {
  id: string;
  seq: number;
  appClientId: string;
  type: "app_event" | "app_billing_event";
  status: number;
  event_handle: string | null;
  shop_id: string | null;
  shop_domain: string | null;
  timestamp: string | null;
  received_at: string;
  idempotency_key: string | null;
  value: unknown;
  billable: boolean | null;
  billing_result_code: string | null;
  result_status: ResultStatus;
  result_details: string | null;
  /** Verdict computed at receipt, published once real time passes `settleAtMs`. */
  pending: { verdict: Verdict; settleAtMs: number } | null;
};
type ReplayEntry = { status: number; body: string; bodyHash: string; atMs: number; eventId: string };
export type MoneyV2 = { amount: string; currencyCode: string };
export type LegacyLineItem =
  | { kind: "recurring"; price: MoneyV2; interval: "EVERY_30_DAYS" | "ANNUAL"; discount?: LegacyDiscount | null }
  | { kind: "usage"; cappedAmount: MoneyV2; terms: string; pendingCappedAmount: MoneyV2 | null };
/** A recurring price's discount: an amount or a percentage off, for some intervals or for ever. */
export type LegacyDiscount = { amount: string | null; percentage: number | null; durationLimitInIntervals: number | null };
/** A one-time application charge (appPurchaseOneTimeCreate). */
export type OneTimePurchase = {
  id: string;
  appClientId: string;
  shopId: string;
  name: string;
  price: MoneyV2;
  test: boolean;
  returnUrl: string;
  status: "PENDING" | "ACTIVE" | "DECLINED" | "EXPIRED";
  createdAt: string;
};
export type LegacyStatus = "PENDING" | "ACTIVE" | "DECLINED" | "CANCELLED" | "EXPIRED" | "FROZEN";
export type LegacySubscription = {
  id: string;
  appClientId: string;
  shopId: string;
  name: string;
  status: LegacyStatus;
  test: boolean;
  trialDays: number;
  returnUrl: string;
  createdAt: string;
  activatedAt: string | null;
  lineItems: LegacyLineItem[];
};
export type UsageRecord = {
  id: string;
  subscriptionId: string;
  lineIndex: number;
  createdAt: string;
  description: string;
  idempotencyKey: string | null;
  price: MoneyV2;
};

export type ShopifyState = {
  partners: ShopifyPartner[];
  apps: ShopifyApp[];
  shops: Shop[];
  installs: Install[];
  events: EventRow[];
  /** `${clientId}|${key}` → last 202 answer, replayed inside the idempotency window. */
  replays: Record<string, ReplayEntry>;
  /** `${clientId}|${key}` → id of the billing event that used the key (permanent). */
  billingKeys: Record<string, string>;
  /** `${subscriptionId}|${cycleIndex}|${meterHandle}` → accepted quantity (decimal string). */
  usage: Record<string, string>;
  /** Legacy GraphQL Admin Billing API (manual pricing). */
  legacySubscriptions: LegacySubscription[];
  usageRecords: UsageRecord[];
  /** The Partner API `events` history, sorted by (occurredAt, seq). */
  partnerEvents: PartnerEvent[];
  oneTimePurchases: OneTimePurchase[];
};

// ---- Wix -----------------------------------------------------------------------------
export type WixAccount = { accountId: string; apiKeys: string[] };
type PriceListItem = { kind: string; description: string; unitPrice: string; currency: string };
export type WixApp = {
  appId: string;
  secret: string;
  name: string;
  accountId: string;
  partnerBilled: boolean;
  baseUri: string | null;
  /** Where App Instance and Billing webhooks go (one URL for every event type); null: recorded, not sent. */
  webhookUrl: string | null;
  extensionId: string;
  keys: KeyPair;
  priceList: PriceListItem[];
  /**
   * Usage counters linked to unit prices on the plan's product. Empty: `listUsagesEnabled` is
   * off and Wix never calls List Usages (docs/platforms/wix.md §5.3).
   */
  usageCounters?: UsageCounter[];
};
export type UsageCounter = { counterId: string; unitPrice: string };
type WixPlan = {
  subscriptionId: string;
  packageName: string;
  upgradedAt: string;
  cycleStart: string;
  chargeLimit: string;
  /** Payment cycle of the plan (docs/platforms/wix.md §3 PaymentCycle); usage-based plans are MONTHLY. */
  cycle?: string;
  /** False after the site owner cancels auto-renewal (PaidPlanAutoRenewalCancelled) until a reactivation. */
  autoRenewing?: boolean;
};
export type PendingPeriod = { periodStart: string; periodEnd: string; attempts: number; lastOutcome: string; lastReasons: string[] };
export type WixInstance = {
  instanceId: string;
  appId: string;
  siteId: string;
  siteDisplayName: string;
  siteUrl: string;
  ownerUserId: string;
  locale: string;
  currency: string;
  test: boolean;
  installed: boolean;
  installedAt: string;
  uninstalledAt: string | null;
  plan: WixPlan | null;
  pendingPeriods: PendingPeriod[];
  lastInvoiceId: string | null;
};
type WixBillingEventRecord = {
  id: string;
  seq: number;
  receivedAt: string;
  auth: "access_token" | "api_key";
  accountId: string | null;
  event: Record<string, string | null>;
};
export type InvoiceLine = {
  id: string;
  chargeId: string;
  description: string;
  amount: string;
  usagePeriod: { startDate: string; endDate: string } | null;
};
type WixInvoice = {
  invoiceId: string;
  seq: number;
  instanceId: string;
  appId: string;
  subscriptionId: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
  /** ISSUED until the site owner pays (or not): then InvoiceStatusUpdated tells the app. */
  status: "ISSUED" | WixInvoiceStatus;
  test: boolean;
  total: string;
  lines: InvoiceLine[];
  notification: { httpStatus: number | null; error: string | null };
};
type RunOutcome = "INVOICED" | "REJECTED" | "NO_CHARGES" | "PROVIDER_ERROR";
export type WixRun = {
  id: string;
  seq: number;
  instanceId: string;
  at: string;
  periodStart: string;
  periodEnd: string;
  attempt: number;
  outcome: RunOutcome;
  reasons: string[];
  chargeIds: string[];
  invoiceId: string | null;
  error: string | null;
};
export type PluginCall = {
  id: string;
  seq: number;
  at: string;
  appId: string;
  instanceId: string;
  method: string;
  url: string;
  request: unknown;
  httpStatus: number | null;
  response: unknown;
  error: string | null;
  durationMs: number;
};
export type WixInvoiceStatus = "PAID" | "PAYMENT_FAILED" | "REFUNDED" | "CHARGEDBACK";
export type WixWebhookType =
  | "AppInstalled"
  | "AppRemoved"
  | "PaidPlanPurchased"
  | "PaidPlanChanged"
  | "PaidPlanAutoRenewalCancelled"
  | "PlanConvertedToPaid"
  | "PlanReactivated"
  | "PlanTransferred"
  | "InvoiceStatusUpdated";
export type WixWebhook = {
  id: string;
  seq: number;
  appId: string;
  instanceId: string;
  eventType: WixWebhookType;
  /** The event fields (what the envelope's inner `data` string holds). */
  data: Record<string, unknown>;
  createdAt: string;
  url: string | null;
  /** The signed JWT, the same bytes on every attempt. */
  body: string;
  status: "pending" | "delivered" | "failed" | "no_url";
  attempts: { at: string; httpStatus: number | null; error: string | null; durationMs: number }[];
  /** Real time of the next attempt while pending. */
  nextAttemptAt: string | null;
};
type WixState = {
  accounts: WixAccount[];
  apps: WixApp[];
  instances: WixInstance[];
  billingEvents: WixBillingEventRecord[];
  invoices: WixInvoice[];
  runs: WixRun[];
  pluginCalls: PluginCall[];
  webhooks: WixWebhook[];
};

export type State = {
  version: 1;
  clock: ClockState;
  settings: Settings;
  /** Signs the tokens the sandbox issues (Shopify App Events JWTs, Wix access tokens). */
  platformKeys: KeyPair;
  nextSeq: number;
  shopify: ShopifyState;
  wix: WixState;
};

export const STATE_VERSION = 1;

/** Next value of the global sequence (ids and cursors). */
export function nextSeq(state: State): number {
  state.nextSeq += 1;
  return state.nextSeq;
}
