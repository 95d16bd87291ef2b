import { PlatformError, isRetryableStatus } from "../errors";
import { joinUrl, readRetryAfter, sendRequest, type FetchLike, type HttpResponse } from "../http";
import {
  wixBillingEventResponse,
  wixErrorBody,
  wixInstanceResponse,
  wixMeteredChargesResponse,
  wixTokenResponse,
  type WixBillingEvent,
  type WixInstanceResponse,
  type WixMeteredCharges,
} from "./schemas";

/** Wix's external billing events endpoint (docs/platforms/wix.md §2.1): the one place it is named. */
export const BILLING_EVENT_PATH = "/apps/v1/billing-event";

/**
 * Wix REST calls made as the app (docs/platforms/wix.md §1-3, 5.5). Instance calls use an OAuth token per app
 * instance, sent raw in Authorization as Wix's SDK does (no "Bearer"). After an uninstall no
 * token can be had, so billing events go with the account's API key instead.
 */
export type WixClientOptions = {
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** API key with Manage Custom Apps, for instances that uninstalled. */
  apiKey?: string;
  accountId?: string;
  fetch?: FetchLike;
  now?: () => Date;
  timeoutMs?: number;
};

/** What the product sends; amounts are USD decimal strings (Report External Billing Event has no currency). */
export type WixBillingEventInput = {
  grossRevenue: string;
  netRevenue?: string | null;
  wixShare: string;
  billingType: "CHARGE" | "REFUND" | "UNKNOWN";
  createdDate?: string | null;
};

/** Tokens live 4 hours (expires_in 14400); a new one is fetched 5 minutes before that. */
const TOKEN_LIFETIME_S = 14_400;
const REFRESH_MARGIN_MS = 5 * 60_000;

export function createWixClient({
  baseUrl,
  appId,
  appSecret,
  apiKey,
  accountId,
  fetch = globalThis.fetch,
  now = () => new Date(),
  timeoutMs,
}: WixClientOptions) {
  const tokens = new Map<string, { token: string; refreshAt: number }>();
  const pending = new Map<string, Promise<string>>();
  const call = (path: string, init: RequestInit, recordsOutcome = false) =>
    sendRequest(fetch, joinUrl(baseUrl, path), init, { platform: "wix", timeoutMs, recordsOutcome });
  const json = { "Content-Type": "application/json", Accept: "application/json" };

  async function requestToken(instanceId: string): Promise<string> {
    const issuedAt = now().getTime();
    const res = await call("/oauth2/token", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ grant_type: "client_credentials", client_id: appId, client_secret: appSecret, instance_id: instanceId }),
    });
    if (!res.ok) throw wixError(res, now(), `Wix gave no token for instance ${instanceId}`);
    const parsed = wixTokenResponse.safeParse(res.json);
    if (!parsed.success) throw unexpected(res, "token response without an access_token");
    const lifetime = parsed.data.expires_in ?? TOKEN_LIFETIME_S;
    tokens.set(instanceId, { token: parsed.data.access_token, refreshAt: issuedAt + lifetime * 1000 - REFRESH_MARGIN_MS });
    return parsed.data.access_token;
  }

  async function getInstanceToken(instanceId: string, { forceRefresh = false }: { forceRefresh?: boolean } = {}): Promise<string> {
    if (forceRefresh) tokens.delete(instanceId);
    const cached = tokens.get(instanceId);
    if (cached && now().getTime() < cached.refreshAt) return cached.token;
    let inFlight = pending.get(instanceId);
    if (!inFlight) {
      inFlight = requestToken(instanceId).finally(() => pending.delete(instanceId));
      pending.set(instanceId, inFlight);
    }
    return inFlight;
  }

  /** A call as the instance; a 401 gets a fresh token and one more try. */
  async function asInstance(instanceId: string, path: string, init: RequestInit, recordsOutcome = false): Promise<HttpResponse> {
    const send = async (token: string) => call(path, { ...init, headers: { ...json, ...init.headers, Authorization: token } }, recordsOutcome);
    const token = await getInstanceToken(instanceId);
    let res = await send(token);
    if (res.status === 401) {
      if (tokens.get(instanceId)?.token === token) tokens.delete(instanceId); // concurrent 401s share one refresh
      res = await send(await getInstanceToken(instanceId));
    }
    if (!res.ok) throw wixError(res, now());
    return res;
  }

  return {
    getInstanceToken,

    /** Report External Billing Event; returns the event as Wix echoed it (with appId and instanceId). */
    async reportBillingEvent({
      instanceId,
      uninstalled,
      event,
    }: {
      instanceId: string;
      uninstalled: boolean;
      event: WixBillingEventInput;
    }): Promise<WixBillingEvent> {
      let res: HttpResponse;
      if (!uninstalled) {
        res = await asInstance(instanceId, BILLING_EVENT_PATH, { method: "POST", body: JSON.stringify({ event }) }, true);
      } else {
        if (!apiKey || !accountId) {
          throw new PlatformError({
            platform: "wix",
            status: null,
            code: "NOT_CONFIGURED",
            retryable: false,
            message: "The instance uninstalled the app: reporting needs the connection's API key and account id",
          });
        }
        res = await call(
          BILLING_EVENT_PATH,
          {
            method: "POST",
            headers: { ...json, Authorization: apiKey, "wix-account-id": accountId },
            body: JSON.stringify({ event: { ...event, appId, instanceId } }),
          },
          true,
        );
        if (!res.ok) throw wixError(res, now());
      }
      const parsed = wixBillingEventResponse.safeParse(res.json);
      if (!parsed.success) throw unexpected(res, "billing-event answer without the echoed event");
      return parsed.data.event;
    },

    async getInstance(instanceId: string): Promise<WixInstanceResponse> {
      const res = await asInstance(instanceId, "/apps/v1/instance", { method: "GET" });
      const parsed = wixInstanceResponse.safeParse(res.json);
      if (!parsed.success) throw unexpected(res, "instance answer that does not match the documented shape");
      return parsed.data;
    },

    /** Asks Wix to call our List Charges (no invoice is created): the built-in test hook (docs/platforms/wix.md §5.5). */
    async meteredBillingCharges(instanceId: string, query: { currency: string; startDate: string; endDate: string }): Promise<WixMeteredCharges> {
      const res = await asInstance(instanceId, `/apps/v1/metered-billing-charges?${new URLSearchParams(query)}`, { method: "GET" });
      const parsed = wixMeteredChargesResponse.safeParse(res.json);
      if (!parsed.success) throw unexpected(res, "metered-billing-charges answer without charges");
      return parsed.data;
    },
  };
}

export type WixClient = ReturnType<typeof createWixClient>;

const CODES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  428: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** A Wix error body (docs/platforms/wix.md §6) -> PlatformError: the application code when there is one, else the status's. */
function wixError(res: HttpResponse, at: Date, context?: string): PlatformError {
  const body = wixErrorBody.safeParse(res.json);
  const details = body.success ? body.data.details : undefined;
  const violations = details?.validationError?.fieldViolations ?? [];
  const code = details?.applicationError?.code ?? (violations.length ? "INVALID_ARGUMENT" : (CODES[res.status] ?? `HTTP_${res.status}`));
  const detail = (body.success && body.data.message) || details?.applicationError?.description || `Wix answered ${res.status}`;
  return new PlatformError({
    platform: "wix",
    status: res.status,
    code,
    message: context ? `${context} (${detail})` : detail,
    retryable: isRetryableStatus("wix", res.status),
    fieldErrors: violations.map((v) => ({ field: v.field ?? null, code: v.violatedRule ?? v.ruleName, message: v.description ?? "is invalid" })),
    retryAfterSeconds: readRetryAfter(res.headers, at),
    requestId: res.headers.get("x-wix-request-id") ?? undefined,
    responseBody: res.text,
  });
}

function unexpected(res: HttpResponse, what: string): PlatformError {
  return new PlatformError({
    platform: "wix",
    status: res.status,
    code: "UNEXPECTED_RESPONSE",
    message: `Wix sent a ${what}`,
    retryable: false,
    responseBody: res.text,
  });
}
