// POST /auth/access_token: client-credentials grant for App Events (docs/platforms/shopify.md §1.1), and
// the bearer check of App Events requests. Tokens are RS256 JWTs that expire after 60
// minutes of sandbox time.
import { randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, type JWTPayload } from "jose";
import type { Sandbox } from "../context";
import { header, isObject, json, ParseError, parseJson, type Reply, type Request } from "../http";
import { importKey } from "../keys";
import type { ShopifyApp } from "../state";
import { findApp } from "./model";

const TOKEN_LIFETIME_S = 3600;
const ISSUER = "https://api.shopify.com/sandbox";
const AUDIENCE = "app-events";

export async function issueToken(sb: Sandbox, req: Request): Promise<Reply> {
  const body = readCredentials(req);
  if (body instanceof ParseError) return oauthError(400, "invalid_request", `Request body is not valid JSON: ${body.message}`);
  const missing = ["client_id", "client_secret", "grant_type"].filter((k) => typeof body[k] !== "string" || body[k] === "");
  if (missing.length > 0) return oauthError(400, "invalid_request", `Missing required parameter(s): ${missing.join(", ")}`);
  if (body.grant_type !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", `grant_type must be "client_credentials", got "${String(body.grant_type)}"`);
  }
  const app = findApp(sb.state.shopify, String(body.client_id));
  if (!app || app.clientSecret !== body.client_secret) {
    return oauthError(401, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret");
  }
  const iat = Math.floor(sb.now() / 1000);
  const accessToken = await new SignJWT({ client_id: app.clientId, scope: app.scope })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "sandbox-app-events" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(app.gid)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_S)
    .sign(await importKey(sb.state.platformKeys.privateKeyPem, "private"));
  return json(200, { access_token: accessToken, token_type: "Bearer", scope: app.scope, expires_in: TOKEN_LIFETIME_S - 1 });
}

/** Accepts JSON (documented) and form encoding (usual for OAuth clients). */
function readCredentials(req: Request): Record<string, unknown> | ParseError {
  if ((header(req, "content-type") ?? "").includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(req.rawBody));
  }
  const parsed = parseJson(req.rawBody);
  if (parsed instanceof ParseError) return parsed;
  return isObject(parsed) ? parsed : {};
}

function oauthError(status: number, error: string, description: string): Reply {
  return json(status, { error, error_description: description });
}

/** Resolves the app behind `Authorization: Bearer <jwt>`; null when missing, forged or expired. */
export async function authenticateBearer(sb: Sandbox, req: Request): Promise<ShopifyApp | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(header(req, "authorization") ?? "");
  if (!m) return null;
  try {
    const payload = await verifiedClaims(sb, m[1]!);
    if (!payload) return null;
    const app = findApp(sb.state.shopify, String(payload.client_id));
    return app && app.gid === payload.sub ? app : null;
  } catch {
    return null;
  }
}

// A token's signature is checked once (RSA verification is most of a request's cost at 500/s);
// its lifetime is checked on every request against the sandbox clock.
const verified = new Map<string, { pem: string; payload: JWTPayload }>();

async function verifiedClaims(sb: Sandbox, token: string): Promise<JWTPayload | null> {
  const pem = sb.state.platformKeys.publicKeyPem;
  const hit = verified.get(token);
  const now = Math.floor(sb.now() / 1000);
  if (hit && hit.pem === pem) {
    const { exp, nbf } = hit.payload;
    return (exp === undefined || now < exp) && (nbf === undefined || nbf <= now) ? hit.payload : null;
  }
  const { payload } = await jwtVerify(token, await importKey(pem, "public"), {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ["RS256"],
    currentDate: new Date(sb.now()),
    clockTolerance: 0,
  });
  if (verified.size >= 1000) verified.clear();
  verified.set(token, { pem, payload });
  return payload;
}

export const unauthorized = (): Reply => json(401, { error: "Unauthorized" });
