import { z } from "zod";

const note = z.string().trim().min(3, "Write a note: what you checked and why.").max(500);
const eventId = z.string().regex(/^\d{1,19}$/, "Not an event id.");

export const importSandboxLogSchema = z.object({ connectionId: z.uuid() });
export const refreshSchema = z.object({ connectionId: z.uuid() });
export const importFileSchema = z.object({
  connectionId: z.uuid(),
  format: z.enum(["csv", "json"], "Choose CSV or JSON."),
  text: z.string().min(1, "Choose a file.").max(20_000_000, "The file is larger than 20 MB."),
});
export const markVerdictsSchema = z.object({
  eventIds: z.array(eventId).min(1, "Select at least one event.").max(1000),
  verdict: z.enum(["billable", "non_billable", "failed"], "Choose a verdict."),
  code: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .enum([
        "NO_SUBSCRIPTION",
        "ACCOUNT_FROZEN",
        "SUBSCRIPTION_NOT_METERED",
        "INVALID_TIMESTAMP",
        "IDEMPOTENCY_KEY_ERROR",
        "INVALID_VALUE",
        "MISSING_VALUE_KEY",
        "PERIOD_CLOSED",
        "INVALID_ACCOUNT",
      ])
      .optional(),
  ),
  note,
});
export const resolveDifferencesSchema = z.object({
  ids: z
    .array(z.string().regex(/^\d{1,19}$/, "Not a difference id."))
    .min(1, "Select at least one difference.")
    .max(500, "Resolve at most 500 at a time."),
  resolution: z.enum(["accept_platform", "record_correction", "resend", "mark_explained"], "Choose what to do."),
  note,
});
export const closeCycleSchema = z.object({
  cycleId: z.uuid(),
  knownGap: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()),
  note: z.string().trim().max(500),
});
