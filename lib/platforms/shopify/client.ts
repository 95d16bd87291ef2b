import type { ShopifyEventBody } from "@/lib/domain/shopify-event";
import { PlatformError, isRetryableStatus } from "../errors";
import { joinUrl, readRetryAfter, sendRequest, type FetchLike, type HttpResponse } from "../http";
import {
  shopifyActiveSubscriptionResponse,
  shopifyErrorBody,
  shopifyEventAccepted,
  shopifyPartnerEventsResponse,
  shopifyTokenResponse,
  type ShopifyActiveSubscription,
  type ShopifyEventAccepted,
  type ShopifyPartnerEventNode,
} from "./schemas";

/** The App Events API's path for a version (docs/platforms/shopify.md §1.2): the one place it is built. */
export const appEventsPath = (version: string) => `/app/${encodeURIComponent(version)}/events`;

/**
 * The App Events API (docs/platforms/shopify.md §1.1-1.6). One event per request; Shopify answers 202 for every
 * well-formed event and decides billing later, so a 202 means "delivered", not "billed".
 */
export type ShopifyClientOptions = {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Required: without it Shopify's edge answers 403 with an HTML page. */
  userAgent: string;
  fetch?: FetchLike;
  now?: () => Date;
  timeoutMs?: number;
};

export type SendEventResult = {
  status: number;
  /** `{success: true}` as documented; null if the 2xx body was something else. */
  body: ShopifyEventAccepted | null;
  /** `Idempotent-Replay: true`: Shopify already had this key and returned the original answer. */
  replay: boolean;
};

/** Tokens live 60 minutes; a new one is fetched 5 minutes before that. */
const TOKEN_LIFETIME_S = 3600;
const REFRESH_MARGIN_MS = 5 * 60_000;

export function createShopifyClient({
  baseUrl,
  clientId,
  clientSecret,
  userAgent,
  fetch = globalThis.fetch,
  now = () => new Date(),
  timeoutMs,
}: ShopifyClientOptions) {
  let cached: { token: string; refreshAt: number } | null = null;
  let pending: Promise<string> | null = null;
  const call = (path: string, init: RequestInit, recordsOutcome = false) =>
    sendRequest(fetch, joinUrl(baseUrl, path), init, { platform: "shopify", timeoutMs, recordsOutcome });

  async function requestToken(): Promise<string> {
    const issuedAt = now().getTime();
    const res = await call("/auth/access_token", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "User-Agent": userAgent },
      body: JSON.stringify({ client_id: clientId, client_secret: clientSecret, grant_type: "client_credentials" }),
    });
    if (!res.ok) throw shopifyError(res, now(), "Shopify refused the client credentials");
    const parsed = shopifyTokenResponse.safeParse(res.json);
    if (!parsed.success) throw unexpected(res, "token response without an access_token");
    const lifetime = parsed.data.expires_in ?? TOKEN_LIFETIME_S;
    cached = { token: parsed.data.access_token, refreshAt: issuedAt + lifetime * 1000 - REFRESH_MARGIN_MS };
    return cached.token;
  }

  /** A valid bearer token: the cached one, or a new one when it is within 5 minutes of expiring. */
  async function getToken({ forceRefresh = false }: { forceRefresh?: boolean } = {}): Promise<string> {
    if (forceRefresh) cached = null;
    if (cached && now().getTime() < cached.refreshAt) return cached.token;
    pending ??= requestToken().finally(() => (pending = null));
    return pending;
  }

  async function postEvent(version: string, event: ShopifyEventBody, token: string): Promise<HttpResponse> {
    return call(
      appEventsPath(version),
      {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "User-Agent": userAgent, Authorization: `Bearer ${token}` },
        body: JSON.stringify(event),
      },
      true,
    );
  }

  return {
    getToken,

    /** Sends one event. A 401 fetches a new token and tries once more; any other non-2xx throws a PlatformError. */
    async sendEvent(version: string, event: ShopifyEventBody): Promise<SendEventResult> {
      const token = await getToken();
      let res = await postEvent(version, event, token);
      if (res.status === 401) {
        if (cached?.token === token) cached = null; // concurrent 401s for one token share one refresh
        res = await postEvent(version, event, await getToken());
      }
      if (!res.ok) throw shopifyError(res, now());
      const body = shopifyEventAccepted.safeParse(res.json);
      return { status: res.status, body: body.success ? body.data : null, replay: res.headers.get("idempotent-replay") === "true" };
    },
  };
}

export type ShopifyClient = ReturnType<typeof createShopifyClient>;

/** The Partner API (docs/platforms/shopify.md §2.5): subscription state and cycle bounds of a shop. */
export type ShopifyPartnerClientOptions = { url: string; accessToken: string; fetch?: FetchLike; timeoutMs?: number; userAgent?: string };

export const ACTIVE_SUBSCRIPTION_QUERY = `query ActiveSubscription($appId: ID!, $shopId: ID!) {
  activeSubscription(appId: $appId, shopId: $shopId) {
    billingPeriod cancelAtEndOfCycle trialEndsAt
    currentBillingCycle { startTime endTime }
    items {
      handle description
      price { __typename active currency
        ... on FlatRatePrice { amount }
        ... on TieredPrice { tiersMode tiers { upTo amountPerUnit amount } } }
      discount { amount percentage remainingDiscountCycles }
      usage { quantity cost { amount currencyCode } }
    }
    pendingUpdate { billingPeriod items { handle } }
    shop { id myshopifyDomain name }
  }
}`;

/** The historical events query (docs/platforms/shopify.md §2.6): relationship, subscription and charge events of one app. */
const PARTNER_EVENTS_QUERY = `query Events($filter: EventFilterInput, $first: Int, $after: String, $orderBy: EventOrder) {
  events(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    edges { cursor node {
      __typename id eventType occurredAt
      shop { id myshopifyDomain name }
      ... on SubscriptionStatus { subscriptionState: state cancelEffectiveOn plan { handle billingPeriod } }
      ... on Charge { chargeId chargeType amount { amount currencyCode } usageQuantity planHandle description }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export type PartnerEventsPage = { events: ShopifyPartnerEventNode[]; hasNextPage: boolean; endCursor: string | null };
export type PartnerEventsQuery = { appGid: string; shopGid?: string; occurredAtMin: Date; occurredAtMax: Date; first: number; after?: string | null };

export function createShopifyPartnerClient({ url, accessToken, fetch = globalThis.fetch, timeoutMs, userAgent }: ShopifyPartnerClientOptions) {
  async function query(body: unknown) {
    const res = await sendRequest(
      fetch,
      url,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-Shopify-Access-Token": accessToken,
          ...(userAgent ? { "User-Agent": userAgent } : {}),
        },
        body: JSON.stringify(body),
      },
      { platform: "shopify", timeoutMs },
    );
    if (!res.ok) throw shopifyError(res, new Date());
    return res;
  }
  const graphqlError = (res: HttpResponse, errors: { message: string; extensions?: { code?: string } }[]) => {
    const throttled = errors.some((e) => e.extensions?.code === "THROTTLED");
    return new PlatformError({
      platform: "shopify",
      status: res.status,
      code: throttled ? "THROTTLED" : "GRAPHQL_ERROR",
      message: errors.map((e) => e.message).join("; "),
      retryable: throttled,
      responseBody: res.text,
    });
  };
  return {
    /** The shop's App Pricing subscription, or null when it has none. Shop ids may be numeric or GIDs. */
    async activeSubscription(appGid: string, shopGid: string): Promise<ShopifyActiveSubscription | null> {
      const shopId = /^\d+$/.test(shopGid) ? `gid://shopify/Shop/${shopGid}` : shopGid;
      const res = await query({ query: ACTIVE_SUBSCRIPTION_QUERY, variables: { appId: appGid, shopId } });
      const parsed = shopifyActiveSubscriptionResponse.safeParse(res.json);
      if (!parsed.success) throw unexpected(res, "activeSubscription response does not match the documented shape");
      const { data, errors } = parsed.data;
      if (errors?.length && !data?.activeSubscription) throw graphqlError(res, errors);
      return data?.activeSubscription ?? null;
    },

    /** One page of the app's historical events, oldest first, inside [occurredAtMin, occurredAtMax] (at most 365 days apart). */
    async events(q: PartnerEventsQuery): Promise<PartnerEventsPage> {
      const shopId = q.shopGid ? (/^\d+$/.test(q.shopGid) ? `gid://shopify/Shop/${q.shopGid}` : q.shopGid) : undefined;
      const filter = {
        subjectId: q.appGid,
        ...(shopId ? { shopId } : {}),
        occurredAtMin: q.occurredAtMin.toISOString(),
        occurredAtMax: q.occurredAtMax.toISOString(),
      };
      const res = await query({ query: PARTNER_EVENTS_QUERY, variables: { filter, first: q.first, after: q.after ?? null, orderBy: "OCCURRED_AT_ASC" } });
      const parsed = shopifyPartnerEventsResponse.safeParse(res.json);
      if (!parsed.success) throw unexpected(res, "events response does not match the documented shape");
      const { data, errors } = parsed.data;
      if (!data?.events) throw graphqlError(res, errors?.length ? errors : [{ message: "events answered null" }]);
      return { events: data.events.edges.map((e) => e.node), hasNextPage: data.events.pageInfo.hasNextPage, endCursor: data.events.pageInfo.endCursor ?? null };
    },
  };
}

export type ShopifyPartnerClient = ReturnType<typeof createShopifyPartnerClient>;

const CODES: Record<number, string> = {
  400: "INVALID_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "IN_FLIGHT",
  429: "RATE_LIMITED",
};

function shopifyError(res: HttpResponse, at: Date, context?: string): PlatformError {
  const body = shopifyErrorBody.safeParse(res.json);
  const errors = body.success ? (body.data.errors ?? []) : [];
  const code = errors.some((e) => e.code === "not_installed")
    ? "NOT_INSTALLED"
    : (CODES[res.status] ?? (res.status >= 500 ? "SERVER_ERROR" : `HTTP_${res.status}`));
  const detail = describeError(res, body.success ? body.data.error : undefined, errors);
  return new PlatformError({
    platform: "shopify",
    status: res.status,
    code,
    message: context ? `${context} (${detail})` : detail,
    retryable: isRetryableStatus("shopify", res.status),
    fieldErrors: errors.map((e) => ({ field: e.field ?? null, code: e.code, message: e.message })),
    retryAfterSeconds: readRetryAfter(res.headers, at),
    responseBody: res.text,
  });
}

function describeError(res: HttpResponse, error: string | undefined, errors: { field?: string | null; message: string }[]): string {
  if (res.status === 409) return "A request with this idempotency key is still being processed; retry shortly";
  if (res.status === 403 && /^\s*</.test(res.text)) return "Forbidden by Shopify's edge (an HTML page): is the User-Agent header set?";
  const fields = errors.map((e) => `${e.field ?? "request"} ${e.message}`).join("; ");
  if (error && fields) return `${error}: ${fields}`;
  return error || fields || `Shopify answered ${res.status}`;
}

function unexpected(res: HttpResponse, what: string): PlatformError {
  return new PlatformError({
    platform: "shopify",
    status: res.status,
    code: "UNEXPECTED_RESPONSE",
    message: `Shopify sent a ${what}`,
    retryable: false,
    responseBody: res.text,
  });
}
