import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * The layers (README "Project layout"): app → actions → services (worker beside them) → db / platforms → domain.
 * Each entry: the files of a layer and the layers it must not import. Import strings are matched as
 * gitignore-style patterns, so `**\/worker/*` catches both `../worker/x` and `@/lib/worker/x`.
 */
const layer = (name) => [`**/lib/${name}/*`, `../${name}/*`, `../../${name}/*`, `./${name}/*`];
const sandbox = ["**/sandbox/*", "**/sandbox/**", "@/sandbox/*"];
const app = ["@/app/*", "**/app/*"];
const boundaries = [
  {
    files: ["lib/domain/**"],
    forbid: ["db", "services", "worker", "actions", "platforms", "auth", "http", "generated"],
    why: "the domain is pure: no database, no platforms, no I/O",
  },
  { files: ["lib/db/**"], forbid: ["services", "worker", "actions", "platforms"], why: "queries know the schema and the domain, nothing above them" },
  { files: ["lib/platforms/**"], forbid: ["services", "worker", "actions", "db"], why: "platform clients speak HTTP; the ledger is not theirs" },
  { files: ["lib/services/**"], forbid: ["worker", "actions"], why: "services are called by actions, routes and the worker, never the other way round" },
  { files: ["lib/worker/**"], forbid: ["actions"], why: "the worker uses services, not server actions" },
  { files: ["lib/actions/**"], forbid: ["worker"], why: "actions call services; the worker is its own process" },
];

const notTests = ["**/*.test.ts", "**/*.test.tsx", "lib/testing/**"];

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "lib/generated/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["app/**", "components/**"],
    plugins: { "@next/next": nextPlugin },
    rules: { ...nextPlugin.configs.recommended.rules, ...nextPlugin.configs["core-web-vitals"].rules },
  },
  ...boundaries.map(({ files, forbid, why }) => ({
    files,
    ignores: notTests,
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: [...forbid.flatMap(layer), ...app, ...sandbox], message: `Layer boundary: ${why}.` }] }],
    },
  })),
  {
    // App code never imports the sandbox (it is reached over HTTP, like the real platforms).
    files: ["app/**", "components/**", "lib/**", "proxy.ts"],
    ignores: [...notTests, ...boundaries.flatMap((b) => b.files)],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: sandbox, message: "App code reaches the sandbox over HTTP, never by import." }] }] },
  },
  {
    // The sandbox stands alone: it imports no app code.
    files: ["sandbox/**"],
    ignores: ["sandbox/tests/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/*", "**/lib/*", "**/lib/**", ...app, "**/components/*"], message: "The sandbox imports no app code." }] },
      ],
    },
  },
  {
    // Settings are read in one place, lib/env.ts, which validates them.
    files: ["app/**", "components/**", "lib/**"],
    ignores: ["lib/env.ts", ...notTests],
    rules: { "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read settings through env() from lib/env.ts." }] },
  },
  { files: ["scripts/screenshots.mjs"], languageOptions: { globals: { ...globals.browser } } },
);
