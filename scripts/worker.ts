/**
 * The delivery worker: `npm run worker`. Any number of them may run against one Postgres.
 * Delivers queued events, retries with backoff, collects sandbox verdicts. SIGTERM finishes the
 * current round and exits; SIGKILL loses nothing (leases expire and the events are reclaimed).
 */
import os from "node:os";
import { deliveryRound } from "../lib/worker/delivery";
import { collectSandboxVerdicts } from "../lib/worker/verdicts";
import { prunePermits } from "../lib/db/rate-permits";
import { logger } from "../lib/logger";

const worker = `worker ${os.hostname()}:${process.pid}`;
let stopping = false;
process.on("SIGTERM", () => (stopping = true));
process.on("SIGINT", () => (stopping = true));

const log = logger.child({ worker });
log.info("delivery worker started");
let lastVerdicts = 0;
let lastPrune = 0;
while (!stopping) {
  try {
    const stats = await deliveryRound(worker);
    if (stats.claimed || stats.recovered) log.info(stats, "delivery round");
    const now = Date.now();
    if (now - lastVerdicts > 1000) {
      lastVerdicts = now;
      const n = await collectSandboxVerdicts(worker).catch((err) => {
        log.warn({ err: (err as Error).message }, "verdict collection failed");
        return 0;
      });
      if (n) log.info({ verdicts: n }, "verdicts recorded");
    }
    if (now - lastPrune > 60_000) {
      lastPrune = now;
      await prunePermits();
    }
    if (!stats.claimed) await new Promise((r) => setTimeout(r, 200));
  } catch (err) {
    log.error({ err }, "delivery round failed; retrying in 2 s");
    await new Promise((r) => setTimeout(r, 2000));
  }
}
log.info("delivery worker stopped");
process.exit(0);
