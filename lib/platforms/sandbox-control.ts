import { z } from "zod";
import { SandboxControlError, PlatformError, type PlatformName } from "./errors";
import { joinUrl, sendRequest, type FetchLike } from "./http";

/**
 * The sandbox's control API (`/_sandbox/…`), over HTTP like any platform: its clock, its shops
 * and apps (what "Import from the sandbox" reads, what the tutorial scenario moves) and its Dev
 * Dashboard log (Shopify itself has none). The real platforms have no such API, so only sandbox
 * connections call it. Every call has a timeout, every answer is parsed with zod, and every
 * failure (no answer, a refusal, an answer that does not parse) is one SandboxControlError whose
 * message a person can read.
 */
export type SandboxConnection = { apiBaseUrl: string; clientId: string; platform: PlatformName };
type Method = "GET" | "POST";
type CallOptions = { body?: unknown; query?: Record<string, string>; text?: boolean; timeoutMs?: number };

const TIMEOUT_MS = 10_000;

/** The one fetch helper: `schema` parses the JSON answer (or, with `text`, the raw body). */
export async function sandboxCall<T>(
  conn: Pick<SandboxConnection, "apiBaseUrl" | "platform">,
  schema: z.ZodType<T>,
  method: Method,
  path: string,
  { body, query, text = false, timeoutMs = TIMEOUT_MS, fetch = globalThis.fetch }: CallOptions & { fetch?: FetchLike } = {},
): Promise<T> {
  const where = `${method} ${path}`;
  const url = joinUrl(conn.apiBaseUrl, query ? `${path}?${new URLSearchParams(query)}` : path);
  const init: RequestInit = { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) };
  const fail = (init: Omit<ConstructorParameters<typeof SandboxControlError>[0], "platform">) => new SandboxControlError({ platform: conn.platform, ...init });
  let res: Awaited<ReturnType<typeof sendRequest>>;
  try {
    res = await sendRequest(fetch, url, init, { platform: conn.platform, timeoutMs, recordsOutcome: method !== "GET" });
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err;
    const cause = err.cause instanceof Error ? err.cause.message : err.message;
    throw fail({
      status: null,
      code: `SANDBOX_${err.code}`,
      message: err.code === "TIMEOUT" ? `The sandbox did not answer ${where} within ${timeoutMs} ms.` : `The sandbox could not be reached (${where}): ${cause}`,
      retryable: true,
      outcomeUnknown: err.outcomeUnknown,
      cause: err,
    });
  }
  if (!res.ok) {
    throw fail({
      status: res.status,
      code: "SANDBOX_REFUSED",
      message: `The sandbox answered ${res.status} to ${where}: ${res.text.slice(0, 200)}`,
      retryable: res.status === 429 || res.status >= 500,
      responseBody: res.text,
    });
  }
  const parsed = schema.safeParse(text ? res.text : res.json);
  if (!parsed.success) {
    throw fail({
      status: res.status,
      code: "SANDBOX_BAD_ANSWER",
      message: `The sandbox's answer to ${where} is not what it should be: ${z.prettifyError(parsed.error).slice(0, 300)}`,
      retryable: false,
      responseBody: res.text,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

const clockView = z.looseObject({ now: z.string(), invoiceRuns: z.array(z.unknown()).optional() });
const shopView = z.looseObject({
  id: z.string(),
  domain: z.string(),
  installed: z.boolean(),
  uninstalledAt: z.string().nullable(),
  subscription: z
    .looseObject({
      planHandle: z.string(),
      startedAt: z.string(),
      usage: z.array(z.looseObject({ meter: z.string(), quantity: z.string(), cost: z.string() })),
    })
    .nullable(),
});
const wixInstancesView = z.looseObject({
  instances: z.array(
    z.looseObject({
      siteDisplayName: z.string(),
      installed: z.boolean(),
      plan: z.looseObject({ currentCycle: z.looseObject({ end: z.string() }) }).nullable(),
    }),
  ),
});
/** Rows are left raw: callers parse them with shopifyLogRow and may read the sandbox's extra fields (shop_id, value). */
const logPage = z.looseObject({ rows: z.array(z.unknown()), next_cursor: z.string().nullable() });

/** The control API for one sandbox connection's app. */
export function sandboxControl(conn: SandboxConnection) {
  const app = encodeURIComponent(conn.clientId);
  const call = <T>(schema: z.ZodType<T>, method: Method, path: string, options?: CallOptions) => sandboxCall(conn, schema, method, path, options);
  return {
    /** Any other control path, parsed with the caller's schema. */
    get: <T>(schema: z.ZodType<T>, path: string, options?: Omit<CallOptions, "body">) => call(schema, "GET", path, options),
    clock: (timeoutMs?: number) => call(clockView, "GET", "/_sandbox/clock", { timeoutMs }),
    advanceClock: (seconds: number) => call(clockView, "POST", "/_sandbox/clock", { body: { advanceSeconds: seconds } }),
    shop: async (shopId: string) =>
      (await call(z.looseObject({ shops: z.array(shopView) }), "GET", `/_sandbox/shopify/apps/${app}/shops`)).shops.find((s) => s.id === shopId) ?? null,
    shopAction: (shopId: string, action: "uninstall" | "reinstall" | "subscribe", extra: Record<string, unknown> = {}) =>
      call(shopView, "POST", `/_sandbox/shopify/shops/${encodeURIComponent(shopId)}/${action}`, { body: { app: conn.clientId, ...extra } }),
    /** Accepted requests (status 200 rows of the Dev Dashboard log) with this key since `from`. */
    async acceptedEvents(shopId: string, key: string, from: Date) {
      const query = { shop: shopId, status: "200", from: from.toISOString(), limit: "250" };
      const body = await call(z.looseObject({ rows: z.array(z.looseObject({ idempotency_key: z.string() })) }), "GET", `/_sandbox/shopify/apps/${app}/logs`, {
        query,
      });
      return body.rows.filter((r) => r.idempotency_key === key).length;
    },
    /** Wix sites whose billing cycle ends in (fromMs, untilMs]: moving the clock that far runs their invoice. */
    async wixCyclesEnding(fromMs: number, untilMs: number) {
      const { apps } = await call(z.looseObject({ apps: z.array(z.looseObject({ appId: z.string() })) }), "GET", "/_sandbox/wix/apps");
      const sites: string[] = [];
      for (const a of apps) {
        const { instances } = await call(wixInstancesView, "GET", `/_sandbox/wix/apps/${encodeURIComponent(a.appId)}/instances`);
        for (const i of instances) {
          const end = i.plan ? Date.parse(i.plan.currentCycle.end) : NaN;
          if (i.installed && end > fromMs && end <= untilMs) sites.push(i.siteDisplayName);
        }
      }
      return sites;
    },
    /**
     * One page of the Dev Dashboard log, oldest first. Only accepted requests (status 200) carry a
     * billing verdict; refused ones (400/409/429) share keys with later retries, so they are left out.
     */
    logPage: (after: string | null) =>
      call(logPage, "GET", `/_sandbox/shopify/apps/${app}/logs`, { query: { order: "asc", limit: "250", status: "200", ...(after ? { after } : {}) } }),
  };
}
export type SandboxControl = ReturnType<typeof sandboxControl>;

/** One page of the sandbox's Dev Dashboard log (see `logPage`). */
export const fetchSandboxLogPage = (conn: SandboxConnection, after: string | null) => sandboxControl(conn).logPage(after);
