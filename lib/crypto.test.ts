import { beforeAll, describe, expect, it } from "vitest";

beforeAll(() => {
  process.env.APP_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");
});

describe("secrets at rest", () => {
  it("round-trip, never store the plain text, and differ on every encryption", async () => {
    const { decryptSecret, encryptSecret } = await import("./crypto");
    const a = encryptSecret("shpss_very_secret");
    const b = encryptSecret("shpss_very_secret");
    expect(a).not.toContain("shpss_very_secret");
    expect(a).not.toBe(b);
    expect(decryptSecret(a)).toBe("shpss_very_secret");
  });

  it("refuse a tampered ciphertext", async () => {
    const { decryptSecret, encryptSecret } = await import("./crypto");
    const parts = encryptSecret("secret").split(":");
    const ct = Buffer.from(parts[3]!, "base64");
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString("base64");
    expect(() => decryptSecret(parts.join(":"))).toThrow();
  });

  it("make ingest keys that are shown once and stored only as a hash", async () => {
    const { newApiKey, sha256 } = await import("./crypto");
    const { key, prefix, hash } = newApiKey();
    expect(key).toMatch(/^pbk_[A-Za-z0-9_-]{32}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(hash).toBe(sha256(key));
    expect(hash).not.toContain(key);
  });
});
