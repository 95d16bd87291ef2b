export const httpStatus = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_INPUT: 422,
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
