import { decryptSecret } from "../crypto";
import { env } from "../env";
import type { Connection } from "../generated/prisma/client";
import { createShopifyClient, type ShopifyClient } from "./shopify/client";
import { createWixClient, type WixClient } from "./wix/client";

export const USER_AGENT = "partner-billing-dashboard/0.1 (+billing control room)";

/**
 * One client per connection and process, so tokens are cached across sends (Shopify: 60
 * minutes, Wix: 4 hours per instance). A connection whose settings change gets a new client.
 */
const cache = new Map<string, { stamp: number; shopify?: ShopifyClient; wix?: WixClient }>();

function entry(connection: Connection) {
  const stamp = connection.updatedAt.getTime();
  const hit = cache.get(connection.id);
  if (hit && hit.stamp === stamp) return hit;
  const fresh = { stamp } as { stamp: number; shopify?: ShopifyClient; wix?: WixClient };
  cache.set(connection.id, fresh);
  return fresh;
}

export function shopifyClientFor(connection: Connection): ShopifyClient {
  const e = entry(connection);
  e.shopify ??= createShopifyClient({
    baseUrl: connection.apiBaseUrl,
    clientId: connection.clientId,
    clientSecret: decryptSecret(connection.clientSecretEnc),
    userAgent: USER_AGENT,
    timeoutMs: env().WORKER_SEND_TIMEOUT_MS,
  });
  return e.shopify;
}

export function wixClientFor(connection: Connection): WixClient {
  const e = entry(connection);
  e.wix ??= createWixClient({
    baseUrl: connection.apiBaseUrl,
    appId: connection.clientId,
    appSecret: decryptSecret(connection.clientSecretEnc),
    apiKey: connection.apiKeyEnc ? decryptSecret(connection.apiKeyEnc) : undefined,
    accountId: connection.accountId ?? undefined,
    timeoutMs: env().WORKER_SEND_TIMEOUT_MS,
  });
  return e.wix;
}
