import { z } from "zod";

const roleSchema = z.enum(["admin", "operator", "viewer"]);

export const createUserSchema = z.object({
  email: z.email("Enter a valid email address.").transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1, "Enter a name.").max(100),
  password: z.string().min(12, "Use at least 12 characters.").max(200),
  role: roleSchema,
});

export const updateUserSchema = z.object({
  id: z.uuid(),
  role: roleSchema.optional(),
  disabled: z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean()).optional(),
});

export const clearThrottleSchema = z.object({
  scope: z.enum(["account", "address"]),
  subject: z.string().min(1).max(400),
});
