// The sandbox playing Wix toward the provider's Custom Charges service plugin (docs/platforms/wix.md §5.2):
// each call is an HTTP POST of a signed RS256 JWT (content-type text/plain) to
// <baseUri><method path>, with the claim `data` = {request, metadata}.
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { Sandbox } from "../context";
import { importKey } from "../keys";
import type { PluginCall, WixApp, WixInstance } from "../state";

const PLUGIN_METHODS = {
  getChargeLimit: "v1/charge-limit",
  listCharges: "v1/charges",
  listUsages: "v1/usages",
  chargesRejected: "v1/charges-rejected",
  usagesRejected: "v1/usages-rejected",
  invoiceCreated: "v1/invoice-created",
  limitUpdated: "v1/limit-updated",
} as const;
export type PluginMethod = keyof typeof PLUGIN_METHODS;

const MAX_CALLS_KEPT = 1000;

export type CallResult = { ok: boolean; httpStatus: number | null; body: unknown; error: string | null };

/** Who triggered the call: the site owner (upgrade, limit, preview) or Wix itself (invoice runs). */
export type Trigger = "site_owner" | "wix";

function pluginUrl(baseUri: string, method: PluginMethod): string {
  return `${baseUri.replace(/\/+$/, "")}/${PLUGIN_METHODS[method]}`;
}

async function signPluginJwt(sb: Sandbox, app: WixApp, data: { request: unknown; metadata: unknown }): Promise<string> {
  const { jwtClock, jwtTtlSeconds } = sb.state.settings.wix;
  const iat = Math.floor((jwtClock === "real" ? Date.now() : sb.now()) / 1000);
  return new SignJWT({ data: data as Record<string, unknown> })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: app.appId })
    .setIssuer("wix.com")
    .setAudience(app.appId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + jwtTtlSeconds)
    .sign(await importKey(app.keys.privateKeyPem, "private"));
}

export async function callProvider(
  sb: Sandbox,
  app: WixApp,
  instance: WixInstance,
  method: PluginMethod,
  request: Record<string, unknown>,
  trigger: Trigger,
): Promise<CallResult> {
  const metadata = {
    requestId: randomUUID(),
    instanceId: instance.instanceId,
    currency: instance.currency,
    languages: [instance.locale === "en" ? "en-US" : instance.locale],
    identity: trigger === "site_owner" ? { identityType: "WIX_USER", wixUserId: instance.ownerUserId } : { identityType: "APP", appId: app.appId },
    appExtensionId: app.extensionId,
    appExtensionType: "PREMIUM_CUSTOM_CHARGES",
    functionName: method,
  };
  const url = app.baseUri ? pluginUrl(app.baseUri, method) : "";
  const started = Date.now();
  let result: CallResult;
  if (!app.baseUri) {
    result = { ok: false, httpStatus: null, body: null, error: "The app has no Custom Charges baseUri" };
  } else {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "text/plain", "user-agent": "wix-sandbox/1.0" },
        body: await signPluginJwt(sb, app, { request, metadata }),
        signal: AbortSignal.timeout(sb.state.settings.wix.providerTimeoutMs),
      });
      const text = await res.text();
      const body = parseMaybeJson(text);
      result = { ok: res.ok, httpStatus: res.status, body, error: res.ok ? null : `Provider answered HTTP ${res.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      result = { ok: false, httpStatus: null, body: null, error: `Provider unreachable: ${(err as Error).message}${cause ? ` (${cause})` : ""}` };
    }
  }
  recordCall(sb, {
    appId: app.appId,
    instanceId: instance.instanceId,
    method,
    url,
    request: { request, metadata },
    httpStatus: result.httpStatus,
    response: result.body,
    error: result.error,
    durationMs: Date.now() - started,
  });
  return result;
}

function parseMaybeJson(text: string): unknown {
  try {
    return text === "" ? null : JSON.parse(text);
  } catch {
    return text;
  }
}

function recordCall(sb: Sandbox, call: Omit<PluginCall, "id" | "seq" | "at">): void {
  const seq = sb.seq();
  const calls = sb.state.wix.pluginCalls;
  calls.push({ id: `call_${String(seq).padStart(8, "0")}`, seq, at: sb.nowIso(), ...call });
  if (calls.length > MAX_CALLS_KEPT) calls.splice(0, calls.length - MAX_CALLS_KEPT);
}
