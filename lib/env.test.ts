import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";

const key = Buffer.alloc(32, 7).toString("base64");

describe("configuration", () => {
  it("defaults everything a demo needs and treats empty strings as unset", () => {
    const env = parseEnv({ DATABASE_URL: "", AUTH_SECRET: " " });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.AUTH_SECRET).toBeUndefined();
    expect(env.EMBEDDED_DB_DIR).toBe(".data/pglite");
    expect(env.SHOPIFY_API_BASE_URL).toBe("https://api.shopify.com");
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: "localhost:5432/db" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://u@h/db" }],
    ["APP_ENCRYPTION_KEY", { APP_ENCRYPTION_KEY: "too-short" }],
    ["AUTH_SECRET", { NODE_ENV: "production", APP_ENCRYPTION_KEY: key }],
    ["APP_ENCRYPTION_KEY", { NODE_ENV: "production", AUTH_SECRET: "s".repeat(32) }],
  ])("names %s when it is wrong", (setting, source) => {
    const error = (() => {
      try {
        parseEnv(source);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(setting);
    expect((error as Error).message.startsWith(setting)).toBe(true);
  });

  it("accepts a complete production configuration", () => {
    const env = parseEnv({ NODE_ENV: "production", DATABASE_URL: "postgresql://app:pw@db.internal:5432/billing", AUTH_SECRET: "s".repeat(32), APP_ENCRYPTION_KEY: key });
    expect(env.DATABASE_URL).toContain("db.internal");
  });
});
