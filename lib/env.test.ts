import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConfigError, parseEnv, settingNames } from "./env";

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
    const env = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgresql://app:pw@db.internal:5432/billing",
      AUTH_SECRET: "s".repeat(32),
      APP_ENCRYPTION_KEY: key,
    });
    expect(env.DATABASE_URL).toContain("db.internal");
  });
});

describe("the documented settings", () => {
  const root = new URL("../", import.meta.url);
  const example = readFileSync(new URL(".env.example", root), "utf8");
  const readme = readFileSync(new URL("README.md", root), "utf8");
  // "# KEY=value" lines: each setting at its default, commented out.
  const lines = [...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!] as const);

  it(".env.example lists every setting lib/env.ts reads, once, and nothing else", () => {
    expect(lines.map(([k]) => k).sort()).toEqual([...settingNames].sort());
  });

  it(".env.example gives each setting its real default", () => {
    const defaults = parseEnv({});
    for (const [key, value] of lines) {
      const actual = defaults[key as keyof typeof defaults];
      if (actual !== undefined) expect(value, key).toBe(String(actual)); // settings with no default show an example
    }
  });

  it("the README's settings table names every setting", () => {
    const table = readme.slice(readme.indexOf("| setting | meaning | default |"));
    const named = new Set([...table.slice(0, table.indexOf("\n\n")).matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    expect(settingNames.filter((k) => !named.has(k))).toEqual([]);
  });
});
