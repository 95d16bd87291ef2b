import { z } from "zod";

const checkbox = z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean());
const optionalText = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().optional());

export const sendShopifyEventSchema = z.object({
  connectionId: z.uuid("Choose a connection."),
  shopId: z.string().trim().min(1, "Choose a shop."),
  eventHandle: z.string().trim().min(1, "Enter the event handle, e.g. sms_sent."),
  value: z.preprocess(
    (v) => (v === "" || v === undefined ? undefined : v),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/, "Enter a number such as 1 or 5.")
      .optional(),
  ),
  timestamp: optionalText,
  idempotencyKey: optionalText,
  attributes: optionalText,
  sendAnyway: checkbox,
});

export const sendWixEventSchema = z.object({
  connectionId: z.uuid("Choose a connection."),
  instanceId: z.string().trim().min(1, "Choose an instance."),
  billingType: z.enum(["CHARGE", "REFUND"], "Choose charge or refund."),
  grossRevenue: z.string().trim().min(1, "Enter the gross revenue in USD."),
  netRevenue: optionalText,
  wixShare: z.string().trim().min(1, "Enter Wix's share in USD."),
  createdDate: optionalText,
  idempotencyKey: optionalText,
  sendAnyway: checkbox,
  /** Answers to the form's questions where Wix's rule is unknown (see sendWixEventAction). */
  confirmNegativeCharge: checkbox,
  confirmFutureDate: checkbox,
});

export const eventActionSchema = z.object({
  id: z.string().regex(/^\d{1,19}$/, "Not an event id."),
  note: z.string().trim().max(500).optional(),
});

export const voidEventSchema = z.object({
  id: z.string().regex(/^\d{1,19}$/, "Not an event id."),
  note: z.string().trim().min(3, "Say why it is voided (kept in the history and the audit log).").max(500),
});
