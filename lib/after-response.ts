import { after } from "next/server";
import { logger } from "./logger";

/**
 * Runs `task` once the response has been sent (Next's `after`), so side work such as alert
 * webhooks never holds up an answer. Outside a request (tests, scripts) it starts the task now,
 * unawaited. Failures are logged, never thrown at the caller.
 */
export function afterResponse(task: () => Promise<void>, what: string): void {
  const run = () => task().catch((err: unknown) => logger.error({ err }, `${what} failed`));
  try {
    after(run);
  } catch {
    void run();
  }
}

/**
 * `run` at most once at a time in this process: a call while it runs asks for one more run right
 * after it (which sees whatever the calls meanwhile added), never a second run beside it. For
 * work every request may trigger, such as looking up the new shops of each ingest batch.
 */
export function coalesced(run: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
