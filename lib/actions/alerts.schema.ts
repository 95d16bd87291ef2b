import { z } from "zod";

export const acknowledgeAlertSchema = z.object({
  id: z.uuid("Not an alert."),
  note: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(500).optional()),
});

export const alertWebhookSchema = z.object({
  connectionId: z.uuid("Not a connection."),
  alertWebhookUrl: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z
      .url("Enter a full URL, e.g. https://hooks.example.com/billing")
      .refine((u) => /^https?:\/\//.test(u), "Use http:// or https://")
      .optional(),
  ),
});
