/**
 * The delivery worker: `npm run worker`. Any number of them may run against one Postgres.
 * Loops: delivery (claim, send within the rate, record), verdict collection (sandbox Dev
 * Dashboard log), Shopify discovery (Partner API events, new shops' lookups), warnings, and platform
 * figures for reconciliation (every RECONCILE_REFRESH_MINUTES, or "Refresh now"), so reading verdicts never pauses sending. SIGTERM finishes the current
 * round and exits; SIGKILL loses nothing (leases expire and the events are claimed again).
 */
import os from "node:os";
import { logger } from "../lib/logger";
import { deliveryRound } from "../lib/worker/delivery";
import { collectSandboxVerdicts } from "../lib/services/delivery/verdicts";
import { discoverShops, lookUpPendingShops } from "../lib/services/discovery/shopify";
import { releaseReceivedEvents } from "../lib/services/discovery/shopify-received";
import { lookUpPendingInstances, releaseReceivedWixEvents } from "../lib/services/discovery/wix-received";
import { deliverAlertWebhooks } from "../lib/services/alerts/alerts";
import { evaluateWarnings } from "../lib/services/alerts/warnings";
import { runNextRefresh, scheduleRefreshes } from "../lib/services/reconcile/platform-figures";
import { checkLimitsAndNotify } from "../lib/services/wix/limit-alerts";

const worker = `worker ${os.hostname()}:${process.pid}`;
let stopping = false;
process.on("SIGTERM", () => (stopping = true));
process.on("SIGINT", () => (stopping = true));
const log = logger.child({ worker });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deliveryLoop() {
  while (!stopping) {
    try {
      const started = performance.now();
      const stats = await deliveryRound(worker);
      if (stats.claimed || stats.recovered) log.info({ ...stats, ms: Math.round(performance.now() - started) }, "delivery round");
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

/**
 * Shopify discovery: shops (and Wix instances) first seen in an event are looked up at once; each connection with
 * Partner API credentials backfills its history, then polls it (DISCOVERY_POLL_SECONDS).
 */
async function discoveryLoop() {
  while (!stopping) {
    const started = performance.now();
    try {
      const looked = (await lookUpPendingShops(worker)) + (await lookUpPendingInstances(worker));
      const released = (await releaseReceivedEvents(worker)) + (await releaseReceivedWixEvents(worker));
      const stats = await discoverShops(worker);
      if (looked || released || stats.events || stats.errors)
        log.info({ looked, released, ...stats, ms: Math.round(performance.now() - started) }, "discovery round");
    } catch (err) {
      log.warn({ err: (err as Error).message }, "discovery round failed");
    }
    await sleep(Math.max(200, 1000 - (performance.now() - started)));
  }
}

/**
 * Every minute: warnings before value is lost (pending near a cycle's end, uninstall grace,
 * refused credentials, spikes, gaps) and Wix charge limits at 80 % / 100 %. Every 15 s: alert
 * webhooks (with retries).
 */
async function alertLoop() {
  let lastEvaluation = 0;
  while (!stopping) {
    if (Date.now() - lastEvaluation >= 60_000) {
      lastEvaluation = Date.now();
      try {
        const raised = await evaluateWarnings();
        if (raised.length) log.warn({ warnings: raised.map((w) => w.title) }, "warnings raised");
        await checkLimitsAndNotify("all");
      } catch (err) {
        log.warn({ err: (err as Error).message }, "warning evaluation failed");
      }
    }
    try {
      await deliverAlertWebhooks();
    } catch (err) {
      log.warn({ err: (err as Error).message }, "alert webhook delivery failed");
    }
    for (let i = 0; i < 15 && !stopping; i++) await sleep(1000);
  }
}

/** Platform figures: schedules a pull per connection when due, and carries out requested ones (paced inside). */
async function figuresLoop() {
  let lastSchedule = 0;
  while (!stopping) {
    try {
      if (Date.now() - lastSchedule >= 60_000) {
        lastSchedule = Date.now();
        await scheduleRefreshes();
      }
      const run = await runNextRefresh(worker);
      if (run) log.info({ refresh: run }, "platform figures refreshed");
      else await sleep(2000);
    } catch (err) {
      log.warn({ err: (err as Error).message }, "platform figure refresh failed");
      await sleep(5000);
    }
  }
}

log.info("delivery worker started");
// Two delivery loops overlap, so one claims and records while the other sends: no gaps in the rate.
await Promise.all([deliveryLoop(), deliveryLoop(), verdictLoop(), discoveryLoop(), alertLoop(), figuresLoop()]);
log.info("delivery worker stopped");
process.exit(0);
