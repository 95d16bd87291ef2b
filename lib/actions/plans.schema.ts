import { z } from "zod";

const handle = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, "Letters, digits, _ . - (as in Shopify App Pricing).");
const amount = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,10})?$/, "An amount such as 9.99 or 0.01.");
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "A three-letter currency code, e.g. USD.");

export const addPlanSchema = z.object({
  connectionId: z.uuid(),
  handle,
  name: z.string().trim().min(1, "Name the plan.").max(100),
  monthlyFee: amount,
  currency,
});

/** Tiers as lines "upTo unitPrice" (upTo empty or "inf" for the last tier): at most 6, as App Pricing allows. */
const tiersText = z
  .string()
  .trim()
  .optional()
  .transform((text, ctx) => {
    if (!text) return null;
    const lines = text
      .split(/\n+/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length > 6) {
      ctx.addIssue({ code: "custom", message: "At most 6 tiers." });
      return z.NEVER;
    }
    const tiers = [];
    for (const [i, line] of lines.entries()) {
      const m = /^(\d+(?:\.\d+)?|inf|∞|)\s*[:\s]\s*(\d+(?:\.\d{1,10})?)$/.exec(line);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `Line ${i + 1}: write "upTo unitPrice", e.g. "1000 0.01", and "inf 0.005" for the last tier.` });
        return z.NEVER;
      }
      const open = m[1] === "" || m[1] === "inf" || m[1] === "∞";
      if (open && i !== lines.length - 1) {
        ctx.addIssue({ code: "custom", message: `Line ${i + 1}: only the last tier can be open-ended.` });
        return z.NEVER;
      }
      tiers.push({ upTo: open ? null : m[1]!, unitPrice: m[2]!, flatAmount: "0" });
    }
    return tiers;
  });

export const addMeterSchema = z
  .object({
    planId: z.uuid(),
    handle,
    name: z.string().trim().min(1, "Name the meter.").max(100),
    structure: z.enum(["fixed", "graduated", "volume"]),
    unitPrice: z.preprocess((v) => (v === "" ? undefined : v), amount.optional()),
    includedUnits: z.preprocess((v) => (v === "" || v === undefined ? "0" : v), z.string().regex(/^\d+(\.\d{1,10})?$/, "A number of units.")),
    tiers: tiersText,
  })
  .superRefine((m, ctx) => {
    if (m.structure === "fixed" && !m.unitPrice) ctx.addIssue({ code: "custom", path: ["unitPrice"], message: "A fixed meter needs a unit price." });
    if (m.structure !== "fixed" && !m.tiers?.length) ctx.addIssue({ code: "custom", path: ["tiers"], message: "Graduated and volume meters need tiers." });
  });

export const removeSchema = z.object({ id: z.uuid() });
export const connectionOnlySchema = z.object({ connectionId: z.uuid() });
/** A sandbox import confirmed after its preview: `fingerprint` is what the preview showed. */
export const refreshSchema = z.object({
  connectionId: z.uuid(),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export const addPriceItemSchema = z.object({
  connectionId: z.uuid(),
  kind: handle,
  description: z.string().trim().min(1, "Describe the charge.").max(200),
  unitPrice: amount,
  currency,
});
