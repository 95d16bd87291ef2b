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
