import type { Instrumentation } from "next";

/**
 * A page or layout that throws is shown by its section's error.tsx with the error's digest as
 * the reference; this puts the same digest in the server log (as `ref`, like the action wrapper's
 * references: lib/errors.ts), so the id a person quotes finds the line with the stack.
 */
export const onRequestError: Instrumentation.onRequestError = async (err, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { logger } = await import("./lib/logger");
  const ref = (err as { digest?: unknown }).digest;
  logger.error(
    { err, ref: typeof ref === "string" ? ref : undefined, path: request.path, routePath: context.routePath, routeType: context.routeType },
    "request failed",
  );
};
