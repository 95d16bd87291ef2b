// App Instance and Billing webhooks (docs/platforms/wix.md §4): on its own state changes the sandbox POSTs a signed
// JWT to the app's webhook URL, as Wix does. The JWT's claim `data` is a JSON string holding
// {eventType, instanceId, data, identity, accountInfo}, where `data` and `identity` are JSON strings
// again. A delivery that does not get a 2xx is retried on real time with the same signed body
// (the docs leave the retry policy open: this is the sandbox's choice), so a provider that records
// a delivery once sees a retry as the same delivery.
import { SignJWT } from "jose";
import type { Sandbox } from "../context";
import { importKey } from "../keys";
import type { WixApp, WixInstance, WixWebhook, WixWebhookType } from "../state";

const MAX_WEBHOOKS_KEPT = 2000;

/** The signed body: the envelope is stringified twice over, exactly as Wix sends it. */
async function signWebhook(
  sb: Sandbox,
  app: WixApp,
  instance: WixInstance,
  eventType: WixWebhookType,
  data: Record<string, unknown>,
  identity: Record<string, unknown>,
): Promise<string> {
  const envelope = {
    eventType,
    instanceId: instance.instanceId,
    data: JSON.stringify(data),
    identity: JSON.stringify(identity),
    accountInfo: { accountId: app.accountId, siteId: instance.siteId },
  };
  const { jwtClock, jwtTtlSeconds } = sb.state.settings.wix;
  const iat = Math.floor((jwtClock === "real" ? Date.now() : sb.now()) / 1000);
  return new SignJWT({ data: JSON.stringify(envelope) })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: app.appId })
    .setIssuedAt(iat)
    .setExpirationTime(iat + jwtTtlSeconds)
    .sign(await importKey(app.keys.privateKeyPem, "private"));
}

/**
 * Records a webhook for `instance` and sends it at once (without holding up the caller). Apps with
 * no webhook URL still get the record, with status `no_url`, so tests and people can see what
 * Wix would have sent.
 */
export async function emitWebhook(
  sb: Sandbox,
  instance: WixInstance,
  eventType: WixWebhookType,
  data: Record<string, unknown>,
  trigger: "site_owner" | "wix" = "site_owner",
): Promise<WixWebhook> {
  const app = sb.state.wix.apps.find((a) => a.appId === instance.appId);
  if (!app) throw new Error(`instance ${instance.instanceId} has no app`);
  const identity = trigger === "site_owner" ? { identityType: "WIX_USER", wixUserId: instance.ownerUserId } : { identityType: "APP", appId: app.appId };
  const seq = sb.seq();
  const hook: WixWebhook = {
    id: `whk_${String(seq).padStart(8, "0")}`,
    seq,
    appId: app.appId,
    instanceId: instance.instanceId,
    eventType,
    data,
    createdAt: sb.nowIso(),
    url: app.webhookUrl,
    body: await signWebhook(sb, app, instance, eventType, data, identity),
    status: app.webhookUrl ? "pending" : "no_url",
    attempts: [],
    nextAttemptAt: app.webhookUrl ? new Date().toISOString() : null,
  };
  const list = sb.state.wix.webhooks;
  list.push(hook);
  if (list.length > MAX_WEBHOOKS_KEPT) list.splice(0, list.length - MAX_WEBHOOKS_KEPT);
  if (hook.status === "pending") schedule(sb, hook, 0);
  return hook;
}

/** One attempt; on failure the next is scheduled after settings.wix.webhookRetryDelaysMs[attempt - 1]. */
export async function attemptWebhook(sb: Sandbox, hook: WixWebhook): Promise<void> {
  // Each attempt goes where the app's webhook URL points now (it may have been fixed meanwhile).
  hook.url = sb.state.wix.apps.find((a) => a.appId === hook.appId)?.webhookUrl ?? null;
  if (hook.status !== "pending" || !hook.url) return;
  const started = Date.now();
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(hook.url, {
      method: "POST",
      headers: { "content-type": "text/plain", "user-agent": "wix-sandbox/1.0" },
      body: hook.body,
      signal: AbortSignal.timeout(sb.state.settings.wix.providerTimeoutMs),
    });
    httpStatus = res.status;
    await res.text();
    if (!res.ok) error = `Webhook endpoint answered HTTP ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    error = `Webhook endpoint unreachable: ${(err as Error).message}${cause ? ` (${cause})` : ""}`;
  }
  hook.attempts.push({ at: new Date(started).toISOString(), httpStatus, error, durationMs: Date.now() - started });
  const delays = sb.state.settings.wix.webhookRetryDelaysMs;
  if (!error) {
    Object.assign(hook, { status: "delivered", nextAttemptAt: null });
  } else if (hook.attempts.length > delays.length) {
    Object.assign(hook, { status: "failed", nextAttemptAt: null });
  } else {
    const delay = delays[hook.attempts.length - 1]!;
    hook.nextAttemptAt = new Date(Date.now() + delay).toISOString();
    schedule(sb, hook, delay);
  }
  sb.changed();
}

function schedule(sb: Sandbox, hook: WixWebhook, delayMs: number): void {
  const timer = setTimeout(() => {
    sb.timers.delete(timer);
    void attemptWebhook(sb, hook);
  }, delayMs);
  timer.unref();
  sb.timers.add(timer);
}

/** After a restart from the state file: deliveries still pending are sent when they are due. */
export function resumeWebhooks(sb: Sandbox): void {
  for (const hook of sb.state.wix.webhooks) {
    if (hook.status === "pending") schedule(sb, hook, Math.max(0, Date.parse(hook.nextAttemptAt ?? "") - Date.now() || 0));
  }
}
