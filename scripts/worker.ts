/**
 * The delivery worker: `npm run worker`. Any number of them may run against one Postgres.
 * Loops: delivery (claim, send within the rate, record), verdict collection (sandbox Dev
 * Dashboard log) and warnings, so reading verdicts never pauses sending. SIGTERM finishes the current
 * round and exits; SIGKILL loses nothing (leases expire and the events are claimed again).
 */
import os from "node:os";
import { prunePermits } from "../lib/db/rate-permits";
import { logger } from "../lib/logger";
import { deliveryRound } from "../lib/worker/delivery";
import { collectSandboxVerdicts } from "../lib/worker/verdicts";
import { evaluateWarnings } from "../lib/services/warnings";

const worker = `worker ${os.hostname()}:${process.pid}`;
let stopping = false;
process.on("SIGTERM", () => (stopping = true));
process.on("SIGINT", () => (stopping = true));
const log = logger.child({ worker });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deliveryLoop() {
  let lastPrune = Date.now();
  while (!stopping) {
    try {
      const started = performance.now();
      const stats = await deliveryRound(worker);
      if (stats.claimed || stats.recovered) log.info({ ...stats, ms: Math.round(performance.now() - started) }, "delivery round");
      if (Date.now() - lastPrune > 60_000) {
        lastPrune = Date.now();
        await prunePermits();
      }
      if (!stats.claimed) await sleep(200);
    } catch (err) {
      log.error({ err }, "delivery round failed; retrying in 2 s");
      await sleep(2000);
    }
  }
}

async function verdictLoop() {
  while (!stopping) {
    const started = performance.now();
    try {
      const n = await collectSandboxVerdicts(worker);
      if (n) log.info({ verdicts: n, ms: Math.round(performance.now() - started) }, "verdicts recorded");
    } catch (err) {
      log.warn({ err: (err as Error).message }, "verdict collection failed");
    }
    await sleep(Math.max(200, 1000 - (performance.now() - started)));
  }
}

/** Warnings before value is lost (pending near a cycle's end, uninstall grace, auth, spikes, gaps). */
async function warningLoop() {
  while (!stopping) {
    try {
      const raised = await evaluateWarnings();
      if (raised.length) log.warn({ warnings: raised.map((w) => w.title) }, "warnings raised");
    } catch (err) {
      log.warn({ err: (err as Error).message }, "warning evaluation failed");
    }
    for (let i = 0; i < 60 && !stopping; i++) await sleep(1000);
  }
}

log.info("delivery worker started");
// Two delivery loops overlap, so one claims and records while the other sends: no gaps in the rate.
await Promise.all([deliveryLoop(), deliveryLoop(), verdictLoop(), warningLoop()]);
log.info("delivery worker stopped");
process.exit(0);
