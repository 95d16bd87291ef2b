import { createPublicKey } from "node:crypto";
import { errors as joseErrors, importSPKI, jwtVerify, type CryptoKey } from "jose";

/**
 * Service-plugin calls from Wix (docs/platforms/wix.md §5.2): the whole body is a JWT signed RS256 with the app's
 * key. We check the signature with the app's public key, `iss` = "wix.com", `aud` = the app id,
 * `iat` in the past and `exp` in the future (a few seconds of clock skew allowed). Nothing else
 * is trusted: any failure is a PluginAuthError, which the route answers with 401.
 */
export class PluginAuthError extends Error {
  override readonly name = "PluginAuthError";
}

export type PluginPayload = { data: unknown; iat: number; exp: number };

const CLOCK_TOLERANCE_S = 10;
const keys = new Map<string, Promise<CryptoKey>>();

/** The app dashboard gives a PEM; webhook docs also mention base64-encoded PEM, and bare base64 SPKI is common. */
export function normalizePublicKeyPem(text: string): string {
  const trimmed = text.trim();
  if (trimmed.includes("-----BEGIN")) return trimmed;
  const decoded = Buffer.from(trimmed, "base64").toString("utf8");
  if (decoded.includes("-----BEGIN")) return decoded.trim();
  const body = trimmed
    .replace(/\s+/g, "")
    .replace(/(.{64})/g, "$1\n")
    .trim();
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`;
}

/** The app's public key (PEM, base64 PEM, bare SPKI or PKCS#1), imported once per process. */
export function publicKey(pem: string): Promise<CryptoKey> {
  let key = keys.get(pem);
  if (!key) {
    const normalized = normalizePublicKeyPem(pem);
    // An RSA key in PKCS#1 form ("BEGIN RSA PUBLIC KEY") is re-exported as SPKI, which jose reads.
    const spki = normalized.includes("BEGIN RSA PUBLIC KEY") ? createPublicKey(normalized).export({ type: "spki", format: "pem" }).toString() : normalized;
    key = importSPKI(spki, "RS256");
    key.catch(() => keys.delete(pem));
    if (keys.size > 100) keys.clear();
    keys.set(pem, key);
  }
  return key;
}

export async function verifyPluginJwt(
  token: string,
  { publicKeyPem, appId, now = new Date() }: { publicKeyPem: string; appId: string; now?: Date },
): Promise<PluginPayload> {
  const compact = token.trim();
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(compact)) throw new PluginAuthError("the body is not a signed JWT");
  let key: CryptoKey;
  try {
    key = await publicKey(publicKeyPem);
  } catch {
    throw new PluginAuthError("the connection's service-plugin public key is not a valid RSA public key");
  }
  try {
    const { payload } = await jwtVerify(compact, key, {
      algorithms: ["RS256"],
      issuer: "wix.com",
      audience: appId,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: now,
      requiredClaims: ["iat", "exp"],
    });
    if (payload.iat! > Math.floor(now.getTime() / 1000) + CLOCK_TOLERANCE_S) throw new PluginAuthError("the token is issued in the future (iat)");
    return { data: payload.data, iat: payload.iat!, exp: payload.exp! };
  } catch (err) {
    if (err instanceof PluginAuthError) throw err;
    if (err instanceof joseErrors.JOSEError) throw new PluginAuthError(describe(err));
    throw new PluginAuthError("the token could not be verified");
  }
}

function describe(err: InstanceType<typeof joseErrors.JOSEError>): string {
  if (err instanceof joseErrors.JWTExpired) return "the token has expired (exp)";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "the signature does not match the app's public key";
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim ${err.claim} is not what Wix sends (${err.reason})`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return "the token is not signed with RS256";
  return `the token is not valid (${err.code})`;
}
