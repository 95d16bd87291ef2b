import { z } from "zod";

const optionalText = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().optional());
const amount = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,2})?$/, "A positive amount such as 50.00")
    .optional(),
);

export const recordWixUsageSchema = z.object({
  instanceRowId: z.uuid("Not a Wix instance."),
  kind: z.string().trim().min(1, "Choose a usage kind.").max(100),
  quantity: z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,10})?$/, "Enter a number of units such as 1 or 250.")
    .refine((v) => Number(v) > 0, "Must be greater than 0."),
  timestamp: optionalText.refine((v) => v === undefined || !Number.isNaN(Date.parse(v)), "An ISO 8601 date-time such as 2026-11-22T10:00:00Z"),
  /** Made when the form renders and becomes the idempotency key: a double submit records one event. */
  nonce: z.string().regex(/^[A-Za-z0-9-]{16,48}$/, "Reload the page: this form's one-time id is missing."),
});

export const instanceIdSchema = z.object({ instanceRowId: z.uuid("Not a Wix instance.") });

export const initialChargeLimitSchema = z.object({ instanceRowId: z.uuid("Not a Wix instance."), initialChargeLimit: amount });

export const defaultChargeLimitSchema = z.object({ connectionId: z.uuid("Not a connection."), defaultChargeLimit: amount });
