import type { NextConfig } from "next";
import { PHASE_PRODUCTION_BUILD } from "next/constants";
import { parseEnv } from "./lib/env";
import { PROXY_BODY_COPY_BYTES, SERVER_ACTION_BODY_LIMIT_MB } from "./lib/http/server-action-guard";
import { FIXED_SECURITY_HEADERS, HSTS, NON_PAGE_CONTENT_SECURITY_POLICY } from "./lib/security-headers";

const fixed = Object.entries(FIXED_SECURITY_HEADERS).map(([key, value]) => ({ key, value }));

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-socket", "pino", "pg"],
  poweredByHeader: false,
  // `npm run typecheck` checks the whole project (tests, scripts, sandbox) in the test command;
  // the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  // Server actions take form fields, and the Dev Dashboard log import up to 20 MB of text (lib/actions/reconcile.schema.ts).
  // proxy.ts checks every server action's body first (a larger one gets 413, counted as it streams). Next copies a body
  // for the proxy up to proxyClientMaxBodySize and silently cuts it there (10 MB by default, which cut a 15 MB import
  // short): just above the action limit, so an oversized body always looks oversized to the proxy.
  experimental: { serverActions: { bodySizeLimit: `${SERVER_ACTION_BODY_LIMIT_MB}mb` }, proxyClientMaxBodySize: PROXY_BODY_COPY_BYTES },
  // Every response gets the fixed headers, HSTS when the browser came over HTTPS, and (where
  // proxy.ts set none, i.e. everything but pages) a policy that allows nothing.
  async headers() {
    return [
      { source: "/:path*", headers: fixed },
      { source: "/:path*", has: [{ type: "header", key: "x-forwarded-proto", value: "https" }], headers: [{ key: "Strict-Transport-Security", value: HSTS }] },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CONTENT_SECURITY_POLICY }] },
      { source: "/_next/:path*", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CONTENT_SECURITY_POLICY }] },
      { source: "/:file((?!.*/).*\\.(?:png|svg|ico|json|yaml))", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default function config(phase: string): NextConfig {
  // Bad configuration fails the start with one line naming the setting. The build needs no secrets.
  if (phase !== PHASE_PRODUCTION_BUILD) parseEnv();
  return nextConfig;
}
