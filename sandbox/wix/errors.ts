// Standard Wix error bodies (docs/platforms/wix.md §6): {message, details: {applicationError | validationError}}.
import { json, type Reply } from "../http";

export function wixError(status: number, code: string, message: string, data: Record<string, unknown> = {}): Reply {
  return json(status, { message, details: { applicationError: { code, description: message, data } } });
}

export type FieldViolation = { field: string; description: string; violatedRule: string; ruleName?: string; data?: Record<string, unknown> };

export function wixValidation(violations: FieldViolation[]): Reply {
  const message = violations.map((v) => (v.violatedRule === "REQUIRED_FIELD" ? `${v.field} is required` : `${v.field} ${v.description}`)).join("; ");
  return json(400, { message, details: { validationError: { fieldViolations: violations } } });
}

export const unauthenticated = (message = "Invalid or expired access token") => wixError(401, "UNAUTHENTICATED", message);
