import { DomainError } from "./domain/errors";
import { PlatformError, SandboxControlError } from "./platforms/errors";

const httpStatus = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_INPUT: 422,
  /** A question for the person (the platform's rule is unknown); nothing was stored. */
  NEEDS_CONFIRMATION: 422,
  PLATFORM_UNAVAILABLE: 502,
} as const;

export type AppErrorCode = keyof typeof httpStatus;

/** An expected failure: the person sees its message. Anything else is logged and shown generically. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

/**
 * What a person is told when something fails, as the server-action wrapper (lib/action.ts) and
 * the route handlers (lib/read-route.ts) send it. `ref` is set only for an unexpected failure:
 * the same id is in the server log line that holds the error.
 */
type FailureBody = { error: string; code?: string; fieldErrors?: Record<string, string[]>; ref?: string };
export type Failure = { status: number; body: FailureBody };

/**
 * The one family of expected failures and what each becomes: an AppError keeps its code, message
 * and field errors; a DomainError (a refusal of the pure domain layer) keeps its message and,
 * when it names its input, becomes that field's error; a PlatformError that reached a person (the
 * platform refused or could not be reached) says which platform and what it answered; a
 * SandboxControlError (the sandbox's control API failed) says what the sandbox answered.
 * Anything else is unexpected: null.
 */
export function expectedFailure(err: unknown): Failure | null {
  if (err instanceof AppError) return { status: httpStatus[err.code], body: { error: err.message, code: err.code, fieldErrors: err.fieldErrors } };
  if (err instanceof DomainError) {
    return { status: 422, body: { error: err.message, code: err.code, fieldErrors: err.field ? { [err.field]: [err.message] } : undefined } };
  }
  if (err instanceof SandboxControlError) return { status: 502, body: { error: err.message, code: "PLATFORM_UNAVAILABLE" } };
  if (err instanceof PlatformError) {
    const who = err.platform === "shopify" ? "Shopify" : "Wix";
    return { status: 502, body: { error: `${who} did not accept the call: ${err.message}`, code: "PLATFORM_UNAVAILABLE" } };
  }
  return null;
}

/** A short id a person can quote and an operator can find in the log (8 hex digits). */
export function newErrorRef(): string {
  return crypto.randomUUID().replace(/-/g, "").slice(0, 8).toUpperCase();
}

/** The message shown for an unexpected failure: nothing of the error itself, only where to find it. */
const unexpectedMessage = (ref: string) => `Something went wrong on our side (reference ${ref}); it has been logged. Try again, or quote the reference.`;

type ErrorLog = { error(obj: object, msg: string): void };

/** Expected failures become their message; anything else is logged with a fresh reference id, which the person sees. */
export function describeFailure(err: unknown, log: ErrorLog, context: Record<string, unknown>, what: string): Failure {
  const expected = expectedFailure(err);
  if (expected) return expected;
  const ref = newErrorRef();
  log.error({ err, ref, ...context }, what);
  return { status: 500, body: { error: unexpectedMessage(ref), code: "INTERNAL", ref } };
}
