import { PlatformError, type PlatformName } from "./errors";

/**
 * The one place that sends HTTP for the platform clients: a timeout on every call
 * (AbortSignal.timeout), and network failures and timeouts turned into retryable PlatformErrors.
 * For a call that records something (`recordsOutcome`), a timeout or a connection lost after
 * the request may have left is marked `outcomeUnknown`: the platform may have acted on it. Only a
 * connection that was never made (refused, no such host) is certainly not sent.
 */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
export type HttpResponse = { status: number; ok: boolean; headers: Headers; text: string; json: unknown };

const DEFAULT_TIMEOUT_MS = 15_000;

export async function sendRequest(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  { platform, timeoutMs = DEFAULT_TIMEOUT_MS, recordsOutcome = false }: { platform: PlatformName; timeoutMs?: number; recordsOutcome?: boolean },
): Promise<HttpResponse> {
  try {
    const res = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { status: res.status, ok: res.ok, headers: res.headers, text, json: parseJson(text) };
  } catch (err) {
    if (err instanceof PlatformError) throw err;
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw new PlatformError({
      platform,
      status: null,
      code: timedOut ? "TIMEOUT" : "NETWORK",
      message: timedOut
        ? `No answer from ${platform} within ${timeoutMs} ms`
        : `Could not reach ${platform}: ${err instanceof Error ? err.message : String(err)}`,
      retryable: true,
      outcomeUnknown: recordsOutcome && !neverSent(err),
      cause: err,
    });
  }
}

/** Codes of failures before any byte of the request reached the other side. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT", "ERR_INVALID_URL"]);

function neverSent(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT.has(code)) return true;
    if (e instanceof AggregateError && e.errors.some(neverSent)) return true;
  }
  return false;
}

/** Seconds from a Retry-After header (seconds or an HTTP date), if present and sensible. */
export function readRetryAfter(headers: Headers, now: Date = new Date()): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
