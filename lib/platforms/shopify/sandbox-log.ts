import { z } from "zod";
import { joinUrl } from "../http";
import { PlatformError } from "../errors";

/**
 * One page of the sandbox's Dev Dashboard log (its control API; Shopify itself has none), oldest
 * first. Only accepted requests (status 200) carry a billing verdict; refused ones (400/409/429)
 * share keys with later retries, so they are left out. Rows are returned raw: callers parse them
 * with shopifyLogRow and may read the sandbox's extra fields (shop_id, value).
 */
const logPage = z.looseObject({ rows: z.array(z.unknown()), next_cursor: z.string().nullable() });

export async function fetchSandboxLogPage(conn: { apiBaseUrl: string; clientId: string }, after: string | null) {
  const url = new URL(joinUrl(conn.apiBaseUrl, `/_sandbox/shopify/apps/${encodeURIComponent(conn.clientId)}/logs`));
  url.search = new URLSearchParams({ order: "asc", limit: "250", status: "200", ...(after ? { after } : {}) }).toString();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) {
    throw new PlatformError({
      platform: "shopify",
      status: res.status,
      code: "SANDBOX_LOG",
      message: `The sandbox's log answered ${res.status}.`,
      retryable: res.status >= 500,
    });
  }
  return logPage.parse(await res.json());
}
