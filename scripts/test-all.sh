#!/usr/bin/env bash
# Every test: type check, lint, unit, integration (real Postgres, and the embedded one), the
# production build, then Playwright in Chromium. Stops at the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.data/test-results
rm -rf "$out" && mkdir -p "$out"

step() { printf '\n== %s\n' "$1"; }

step "type check";   npx tsc --noEmit
step "format (Prettier)"; npx prettier --check . --log-level warn
step "lint";         npx eslint . --max-warnings=0
step "unused files, exports and dependencies (knip)"; npx knip --no-progress
step "unit";         npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$out/unit.json"
step "integration";  npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$out/integration.json"
step "restarts (Postgres connections killed 5 ×, sandbox SIGTERM + SIGKILL mid-delivery)"; npx tsx scripts/restart-drill.ts
step "build";        npx next build
step "benchmarks (smoke: small counts, every check enforced)"; npx tsx scripts/bench-smoke.ts
step "e2e (Chromium)"; PLAYWRIGHT_JSON_OUTPUT_NAME="$out/e2e.json" npx playwright test --reporter=list,json

node scripts/test-summary.mjs "$out"
