// The whole sandbox state: one JSON document, kept in memory and written to the state file
// (state-file.ts) so it survives a restart. Private keys live only there.
import type { ClockState } from "./clock";
import type { Settings } from "./settings";

export type KeyPair = { publicKeyPem: string; privateKeyPem: string };

// ---- Shopify -------------------------------------------------------------------------
export type PartnerStatus = "active" | "frozen" | "invalid";
export type ShopifyPartner = { orgId: string; name: string; status: PartnerStatus; apiTokens: string[] };
export type Tier = { upTo: number | null; amountPerUnit: string; amount: string };
export type PricingStructure = "FIXED" | "GRADUATED" | "VOLUME";
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
};
export type Install = {
  appClientId: string;
  shopId: string;
  /** Offline Admin API token of this install (X-Shopify-Access-Token of the legacy Billing API). */
  adminAccessToken: string;
  installedAt: string;
  uninstalledAt: string | null;
  subscription: Subscription | null;
  pastSubscriptions: Subscription[];
};
export type ResultStatus = "RESULT_STATUS_PENDING" | "RESULT_STATUS_SUCCESS" | "RESULT_STATUS_FAILURE";
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
export type ReplayEntry = { status: number; body: string; bodyHash: string; atMs: number; eventId: string };
export type MoneyV2 = { amount: string; currencyCode: string };
export type LegacyLineItem =
  | { kind: "recurring"; price: MoneyV2; interval: "EVERY_30_DAYS" | "ANNUAL" }
  | { kind: "usage"; cappedAmount: MoneyV2; terms: string; pendingCappedAmount: MoneyV2 | null };
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
};

// ---- Wix -----------------------------------------------------------------------------
export type WixAccount = { accountId: string; apiKeys: string[] };
export type PriceListItem = { kind: string; description: string; unitPrice: string; currency: string };
export type WixApp = {
  appId: string;
  secret: string;
  name: string;
  accountId: string;
  partnerBilled: boolean;
  baseUri: string | null;
  extensionId: string;
  keys: KeyPair;
  priceList: PriceListItem[];
};
export type WixPlan = {
  subscriptionId: string;
  packageName: string;
  upgradedAt: string;
  cycleStart: string;
  chargeLimit: string;
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
export type WixBillingEventRecord = {
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
export type WixInvoice = {
  invoiceId: string;
  seq: number;
  instanceId: string;
  appId: string;
  subscriptionId: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
  status: "ISSUED";
  test: boolean;
  total: string;
  lines: InvoiceLine[];
  notification: { httpStatus: number | null; error: string | null };
};
export type RunOutcome = "INVOICED" | "REJECTED" | "NO_CHARGES" | "PROVIDER_ERROR";
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
export type WixState = {
  accounts: WixAccount[];
  apps: WixApp[];
  instances: WixInstance[];
  billingEvents: WixBillingEventRecord[];
  invoices: WixInvoice[];
  runs: WixRun[];
  pluginCalls: PluginCall[];
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
