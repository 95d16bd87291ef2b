/**
 * Every failed call to Shopify or Wix, whatever went wrong: the platform, the HTTP status (null
 * when no response came back), a machine-readable code, and whether trying again could help.
 * The worker retries only `retryable` errors; the rest are shown to a person.
 */
export type PlatformName = "shopify" | "wix";
export type PlatformFieldError = { field: string | null; code?: string; message: string };

export type PlatformErrorInit = {
  platform: PlatformName;
  status: number | null;
  code: string;
  message: string;
  retryable: boolean;
  fieldErrors?: PlatformFieldError[];
  retryAfterSeconds?: number;
  requestId?: string;
  /** The response body, cut to 2,000 characters, for the delivery-attempt record (never logged). */
  responseBody?: string;
  /** The request may have reached the platform and been acted on: no answer came back after it left. */
  outcomeUnknown?: boolean;
  cause?: unknown;
};

export class PlatformError extends Error {
  override readonly name: string = "PlatformError";
  readonly platform: PlatformName;
  readonly status: number | null;
  readonly code: string;
  readonly retryable: boolean;
  readonly fieldErrors: PlatformFieldError[];
  readonly retryAfterSeconds?: number;
  readonly requestId?: string;
  readonly responseBody?: string;
  readonly outcomeUnknown: boolean;

  constructor(init: PlatformErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.platform = init.platform;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.requestId = init.requestId;
    this.responseBody = init.responseBody?.slice(0, 2000);
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

/**
 * A failed call to the sandbox's control API (`/_sandbox/…`: its clock, its shops and apps, its
 * Dev Dashboard log), which the real platforms do not have. A PlatformError of the connection's
 * platform, so it is retried and shown like one; its message names the sandbox, not the platform.
 */
export class SandboxControlError extends PlatformError {
  override readonly name: string = "SandboxControlError";
}

/**
 * Whether a response status is worth retrying: 408, 429 and 5xx other than 501 (not
 * implemented will not change). 409 is retryable on Shopify only, where it means "the same
 * idempotency key is still being processed"; on Wix it means the thing already exists.
 */
export function isRetryableStatus(platform: PlatformName, status: number): boolean {
  if (status === 408 || status === 429) return true;
  if (status === 409) return platform === "shopify";
  return status >= 500 && status !== 501;
}
