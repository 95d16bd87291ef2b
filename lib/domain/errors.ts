/**
 * Expected failures of the pure domain layer (bad amounts, unknown currencies, broken pricing
 * configuration). The message is written for the person who typed the input; `field` names the
 * input it is about, so a form can highlight it. lib/errors.ts maps these onto AppError.
 */
export type DomainErrorCode =
  | "INVALID_AMOUNT"
  | "INVALID_QUANTITY"
  | "INVALID_CURRENCY"
  | "UNSUPPORTED_CURRENCY"
  | "CURRENCY_MISMATCH"
  | "INVALID_PRICING"
  | "INVALID_PERIOD"
  | "INVALID_TIMESTAMP"
  | "CYCLE_NOT_ENDED"
  | "PLATFORM_UNREAD"
  | "OPEN_DIFFERENCES"
  | "ADMIN_ONLY"
  | "NOTE_REQUIRED";

export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
