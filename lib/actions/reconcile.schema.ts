import { z } from "zod";

const note = z.string().trim().min(3, "Write a note: what you checked and why.").max(500);
const eventId = z.string().regex(/^\d{1,19}$/, "Not an event id.");

export const importSandboxLogSchema = z.object({ connectionId: z.uuid() });
export const importFileSchema = z.object({
  connectionId: z.uuid(),
  format: z.enum(["csv", "json"], "Choose CSV or JSON."),
  text: z.string().min(1, "Choose a file.").max(20_000_000, "The file is larger than 20 MB."),
});
export const markVerdictsSchema = z.object({
  eventIds: z.array(eventId).min(1, "Select at least one event.").max(1000),
  verdict: z.enum(["billable", "non_billable", "failed"], "Choose a verdict."),
  code: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["NO_SUBSCRIPTION", "ACCOUNT_FROZEN", "SUBSCRIPTION_NOT_METERED", "INVALID_TIMESTAMP", "IDEMPOTENCY_KEY_ERROR", "INVALID_VALUE", "MISSING_VALUE_KEY", "PERIOD_CLOSED", "INVALID_ACCOUNT"]).optional()),
  note,
});
export const resolveSchema = z.object({
  eventId,
  resolution: z.enum(["accept_platform", "resend", "correct"]),
  quantity: z.preprocess((v) => (v === "" ? undefined : v), z.string().regex(/^\d+(\.\d{1,10})?$/, "A number of units, e.g. 2").optional()),
  note,
});
export const closeCycleSchema = z.object({ connectionId: z.uuid(), shopId: z.uuid(), note });
