import type { NextConfig } from "next";
import { PHASE_PRODUCTION_BUILD } from "next/constants";
import { parseEnv } from "./lib/env";

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-socket", "pino", "pg"],
  poweredByHeader: false,
  // `npm run typecheck` checks the whole project (tests, scripts, sandbox) in the test command;
  // the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
};

export default function config(phase: string): NextConfig {
  // Bad configuration fails the start with one line naming the setting. The build needs no secrets.
  if (phase !== PHASE_PRODUCTION_BUILD) parseEnv();
  return nextConfig;
}
