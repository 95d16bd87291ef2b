// Wix authentication: POST /oauth2/token (client credentials + instance_id, 4-hour tokens,
// docs/platforms/wix.md §1.1) and the Authorization header check of Wix API calls: an instance access token
// (raw, or with a "Bearer " prefix) or an account API key plus wix-account-id (§1.2).
import { SignJWT, jwtVerify } from "jose";
import type { Sandbox } from "../context";
import { header, isObject, json, ParseError, parseJson, type Reply, type Request } from "../http";
import { importKey } from "../keys";
import type { WixAccount, WixApp, WixInstance } from "../state";
import { unauthenticated, wixError, wixValidation } from "./errors";

const TOKEN_PREFIX = "OauthNG.JWS.";
const TOKEN_LIFETIME_S = 14_400;
const ISSUER = "https://www.wixapis.com/sandbox";

export async function createAccessToken(sb: Sandbox, req: Request): Promise<Reply> {
  const body = parseJson(req.rawBody);
  if (body instanceof ParseError || !isObject(body)) {
    return wixValidation([{ field: "(body)", description: "must be a JSON object", violatedRule: "FORMAT" }]);
  }
  const missing = ["grant_type", "client_id", "client_secret", "instance_id"].filter((k) => typeof body[k] !== "string" || body[k] === "");
  if (missing.length > 0) return wixValidation(missing.map((field) => ({ field, description: "must not be empty", violatedRule: "REQUIRED_FIELD" })));
  if (body.grant_type !== "client_credentials") {
    return wixValidation([{ field: "grant_type", description: 'must be "client_credentials"', violatedRule: "FORMAT" }]);
  }
  const app = sb.state.wix.apps.find((a) => a.appId === body.client_id);
  if (!app || app.secret !== body.client_secret) return unauthenticated("Invalid client_id or client_secret");
  const instance = sb.state.wix.instances.find((i) => i.instanceId === body.instance_id && i.appId === app.appId);
  if (!instance) return wixError(404, "NOT_FOUND", `App instance ${String(body.instance_id)} of app ${app.appId} was not found`);
  if (!instance.installed) {
    return wixError(403, "PERMISSION_DENIED", `App instance ${instance.instanceId} was uninstalled; access tokens can no longer be generated for it`);
  }
  const iat = Math.floor(sb.now() / 1000);
  const jwt = await new SignJWT({ appId: app.appId, instanceId: instance.instanceId })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "sandbox-wix-oauth" })
    .setIssuer(ISSUER)
    .setSubject(`app:${app.appId}`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_S)
    .sign(await importKey(sb.state.platformKeys.privateKeyPem, "private"));
  return json(200, { access_token: `${TOKEN_PREFIX}${jwt}`, token_type: "Bearer", expires_in: TOKEN_LIFETIME_S });
}

export type WixCaller = { kind: "access_token"; app: WixApp; instance: WixInstance } | { kind: "api_key"; account: WixAccount };

/** Identifies the caller, or returns the Wix error reply to send. */
export async function authenticate(sb: Sandbox, req: Request, allowApiKey: boolean): Promise<WixCaller | Reply> {
  const raw = (header(req, "authorization") ?? "").trim().replace(/^Bearer\s+/i, "");
  if (raw === "") return unauthenticated("Missing Authorization header");
  if (raw.startsWith(TOKEN_PREFIX)) return verifyAccessToken(sb, raw.slice(TOKEN_PREFIX.length));
  const account = sb.state.wix.accounts.find((a) => a.apiKeys.includes(raw));
  if (!account) return unauthenticated("Invalid access token or API key");
  if (!allowApiKey) return wixError(403, "PERMISSION_DENIED", "This method needs an app instance access token");
  const accountId = header(req, "wix-account-id");
  if (!accountId) return wixError(403, "PERMISSION_DENIED", "An API key call needs the wix-account-id header");
  if (accountId !== account.accountId) return unauthenticated("The API key does not belong to the account in wix-account-id");
  return { kind: "api_key", account };
}

async function verifyAccessToken(sb: Sandbox, jwt: string): Promise<WixCaller | Reply> {
  try {
    const { payload } = await jwtVerify(jwt, await importKey(sb.state.platformKeys.publicKeyPem, "public"), {
      issuer: ISSUER,
      algorithms: ["RS256"],
      currentDate: new Date(sb.now()),
    });
    const app = sb.state.wix.apps.find((a) => a.appId === payload.appId);
    const instance = sb.state.wix.instances.find((i) => i.instanceId === payload.instanceId && i.appId === payload.appId);
    if (!app || !instance) return unauthenticated();
    if (!instance.installed) return wixError(403, "PERMISSION_DENIED", `App instance ${instance.instanceId} was uninstalled`);
    return { kind: "access_token", app, instance };
  } catch {
    return unauthenticated();
  }
}

export function isReply(v: WixCaller | Reply): v is Reply {
  return "status" in v;
}
