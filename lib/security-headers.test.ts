import { describe, expect, it } from "vitest";
import { newNonce, pageContentSecurityPolicy, servedOverHttps } from "./security-headers";

describe("security headers", () => {
  it("puts a fresh nonce in script-src, never unsafe-inline for scripts, and eval only in development", () => {
    const a = newNonce(),
      b = newNonce();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    const prod = pageContentSecurityPolicy({ nonce: a, dev: false, https: false });
    expect(prod).toContain(`script-src 'self' 'nonce-${a}' 'strict-dynamic';`);
    expect(prod).not.toContain("unsafe-eval");
    expect(prod).not.toContain("upgrade-insecure-requests");
    expect(pageContentSecurityPolicy({ nonce: a, dev: true, https: true })).toMatch(/'unsafe-eval'.*upgrade-insecure-requests/);
  });

  it("trusts the forwarded protocol first", () => {
    expect(servedOverHttps("http:", "https")).toBe(true);
    expect(servedOverHttps("https:", null)).toBe(true);
    expect(servedOverHttps("http:", "http, https")).toBe(false);
  });
});
