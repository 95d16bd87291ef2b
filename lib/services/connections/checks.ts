import { db } from "../../db/client";
import { decryptSecret } from "../../crypto";
import { env } from "../../env";
import type { Connection } from "../../generated/prisma/client";
import { PlatformError } from "../../platforms/errors";
import { createShopifyClient, createShopifyPartnerClient } from "../../platforms/shopify/client";
import { createWixClient } from "../../platforms/wix/client";
import { USER_AGENT } from "../../platforms/clients";

/**
 * "Test credentials" and the check a rotated secret must pass before it replaces the old one:
 * real calls to the platform with the given (or stored) secrets, never cached clients.
 * Shopify: a client-credentials token, then a Partner API query. Wix: an instance token for one of
 * the connection's installed instances, then an App Instance read. Each step says what happened.
 */
export type CheckStep = { step: string; ok: boolean; detail: string };
export type CheckResult = { ok: boolean; steps: CheckStep[] };

export type Secrets = { clientSecret?: string; partnerApiToken?: string };

const timeoutMs = () => env().WORKER_SEND_TIMEOUT_MS;

function why(err: unknown): string {
  if (err instanceof PlatformError) return `${err.status ? `HTTP ${err.status} ` : ""}${err.code}: ${err.message}`;
  return (err as Error).message;
}

export async function checkCredentials(connection: Connection, secrets: Secrets = {}, only?: "token" | "partner"): Promise<CheckResult> {
  const clientSecret = secrets.clientSecret ?? decryptSecret(connection.clientSecretEnc);
  return connection.platform === "shopify" ? checkShopify(connection, clientSecret, secrets.partnerApiToken, only) : checkWix(connection, clientSecret);
}

async function checkShopify(c: Connection, clientSecret: string, newPartnerToken: string | undefined, only?: "token" | "partner"): Promise<CheckResult> {
  const steps: CheckStep[] = [];
  if (only !== "partner") {
    try {
      await createShopifyClient({ baseUrl: c.apiBaseUrl, clientId: c.clientId, clientSecret, userAgent: USER_AGENT, timeoutMs: timeoutMs() }).getToken();
      steps.push({ step: "App Events token", ok: true, detail: `${c.apiBaseUrl} issued a token for client id ${c.clientId}.` });
    } catch (err) {
      steps.push({ step: "App Events token", ok: false, detail: why(err) });
    }
  }
  if (only !== "token") {
    const token = newPartnerToken ?? (c.partnerApiTokenEnc ? decryptSecret(c.partnerApiTokenEnc) : null);
    if (!c.partnerApiUrl || !c.appGid || !token) {
      steps.push({ step: "Partner API query", ok: false, detail: "Set the Partner API URL, the app GID and a Partner API token to read subscriptions." });
    } else {
      const shop = await db().shop.findFirst({ where: { connectionId: c.id }, orderBy: { createdAt: "asc" }, select: { shopId: true } });
      try {
        const sub = await createShopifyPartnerClient({
          url: c.partnerApiUrl,
          accessToken: token,
          timeoutMs: timeoutMs(),
          userAgent: USER_AGENT,
        }).activeSubscription(c.appGid, shop?.shopId ?? "1");
        steps.push({
          step: "Partner API query",
          ok: true,
          detail: shop
            ? `activeSubscription of shop ${shop.shopId}: ${sub ? `${sub.status ?? "found"}` : "none"}.`
            : "The token reads the Partner API (no shop to query yet).",
        });
      } catch (err) {
        // A GraphQL error about the query itself still proves the token was accepted.
        const accepted = err instanceof PlatformError && err.code === "GRAPHQL_ERROR";
        steps.push({ step: "Partner API query", ok: accepted, detail: accepted ? `The token is accepted (${err.message}).` : why(err) });
      }
    }
  }
  return { ok: steps.every((s) => s.ok), steps };
}

async function checkWix(c: Connection, appSecret: string): Promise<CheckResult> {
  const steps: CheckStep[] = [];
  const instance = await db().wixInstance.findFirst({
    where: { connectionId: c.id, installState: "installed" },
    orderBy: { createdAt: "asc" },
    select: { instanceId: true, siteName: true },
  });
  if (!instance)
    return {
      ok: false,
      steps: [{ step: "Instance token", ok: false, detail: "Wix issues tokens per installed instance: no instance of this app is installed yet." }],
    };
  const client = createWixClient({ baseUrl: c.apiBaseUrl, appId: c.clientId, appSecret, timeoutMs: timeoutMs() });
  try {
    await client.getInstanceToken(instance.instanceId);
    steps.push({ step: "Instance token", ok: true, detail: `${c.apiBaseUrl} issued a token for ${instance.siteName}.` });
  } catch (err) {
    return { ok: false, steps: [{ step: "Instance token", ok: false, detail: why(err) }] };
  }
  try {
    const read = await client.getInstance(instance.instanceId);
    steps.push({
      step: "App Instance read",
      ok: true,
      detail: `${read.site?.siteDisplayName ?? instance.siteName}: ${read.instance.isFree ? "free" : `plan ${read.instance.billing?.packageName ?? "?"}`}.`,
    });
  } catch (err) {
    steps.push({ step: "App Instance read", ok: false, detail: why(err) });
  }
  return { ok: steps.every((s) => s.ok), steps };
}
