import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { normalizePublicKeyPem, PluginAuthError, verifyPluginJwt } from "./plugin-jwt";

const appId = "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96";
const now = new Date("2026-01-27T16:30:00.000Z");
const nowS = Math.floor(now.getTime() / 1000);
let wixKey: Awaited<ReturnType<typeof generateKeyPair>>;
let otherKey: Awaited<ReturnType<typeof generateKeyPair>>;
let publicKeyPem: string;

beforeAll(async () => {
  wixKey = await generateKeyPair("RS256", { extractable: true });
  otherKey = await generateKeyPair("RS256", { extractable: true });
  publicKeyPem = await exportSPKI(wixKey.publicKey);
});

const data = { request: { currency: "USD" }, metadata: { instanceId: "7dd21ebc-a097-43ac-8763-2806daee84a1" } };
function sign(opts: { key?: CryptoKey; iss?: string; aud?: string; iat?: number; exp?: number | null } = {}) {
  const jwt = new SignJWT({ data })
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(opts.iss ?? "wix.com")
    .setAudience(opts.aud ?? appId)
    .setIssuedAt(opts.iat ?? nowS - 5);
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? nowS + 295);
  return jwt.sign(opts.key ?? wixKey.privateKey);
}
const verify = (token: string) => verifyPluginJwt(token, { publicKeyPem, appId, now });

describe("verifyPluginJwt", () => {
  it("accepts what Wix signs and returns the data claim", async () => {
    await expect(verify(await sign())).resolves.toMatchObject({ data });
  });

  it.each([
    ["forged (another key)", () => sign({ key: otherKey.privateKey }), /signature/],
    ["expired", () => sign({ iat: nowS - 400, exp: nowS - 100 }), /expired/],
    ["for another app", () => sign({ aud: "another-app" }), /aud/],
    ["from another issuer", () => sign({ iss: "evil.example" }), /iss/],
    ["issued in the future", () => sign({ iat: nowS + 600, exp: nowS + 900 }), /future|iat/],
    ["without exp", () => sign({ exp: null }), /exp/],
  ])("refuses a token %s", async (_name, make, message) => {
    const token = await make();
    await expect(verify(token)).rejects.toBeInstanceOf(PluginAuthError);
    await expect(verify(token)).rejects.toThrow(message);
  });

  it("refuses HS256 signed with the public key as a secret, unsigned tokens and garbage", async () => {
    const hs = await new SignJWT({ data })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("wix.com")
      .setAudience(appId)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 60)
      .sign(new TextEncoder().encode(publicKeyPem));
    await expect(verify(hs)).rejects.toBeInstanceOf(PluginAuthError);
    const [header, payload] = (await sign()).split(".");
    await expect(verify(`${header}.${payload}.`)).rejects.toBeInstanceOf(PluginAuthError);
    await expect(verify("not a jwt")).rejects.toBeInstanceOf(PluginAuthError);
    await expect(verifyPluginJwt(await sign(), { publicKeyPem: "garbage", appId, now })).rejects.toThrow(/public key/);
  });

  it("reads the key as PEM, base64-encoded PEM or bare base64", async () => {
    const token = await sign();
    const body = publicKeyPem.replace(/-----[A-Z ]+-----|\s/g, "");
    for (const form of [Buffer.from(publicKeyPem).toString("base64"), body]) {
      expect(normalizePublicKeyPem(form)).toContain("BEGIN PUBLIC KEY");
      await expect(verifyPluginJwt(token, { publicKeyPem: form, appId, now })).resolves.toMatchObject({ data });
    }
  });
});
