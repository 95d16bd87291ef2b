import { z } from "zod";

const checkbox = z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean());

export const fireTestChargeSchema = z.object({
  connectionId: z.uuid("Choose a connection."),
  targetId: z.string().trim().min(1, "Choose a store or instance."),
  meter: z.string().trim().min(1, "Choose a meter."),
  quantity: z
    .string()
    .trim()
    .regex(/^\d{1,9}(\.\d{1,10})?$/, "Enter a number of units such as 1 or 5.")
    .refine((v) => Number(v) > 0, "Must be greater than 0."),
  /** Made when the form renders; it becomes the idempotency key, so a double submit charges once. */
  nonce: z.string().regex(/^[A-Za-z0-9-]{16,48}$/, "Reload the page: this form's one-time id is missing."),
  confirmNonDev: checkbox,
});

/** `<connection id>:<shop id>` of a development store. */
export const runScenarioSchema = z.object({
  target: z
    .string()
    .regex(/^[0-9a-f-]{36}:\S+$/i, "Choose a development store.")
    .transform((v) => ({ connectionId: v.slice(0, 36), shopId: v.slice(37) })),
});
