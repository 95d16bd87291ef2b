import { z } from "zod";

/**
 * The `data` claim of Custom Charges service-plugin calls (wix.md 5.2, 5.3): {request, metadata}.
 * Unknown fields are kept (Wix may add some); amounts are decimal strings.
 */
export const PLUGIN_METHODS = ["charge-limit", "charges", "usages", "charges-rejected", "usages-rejected", "invoice-created", "limit-updated"] as const;
export type PluginMethod = (typeof PLUGIN_METHODS)[number];
export const isPluginMethod = (m: string): m is PluginMethod => (PLUGIN_METHODS as readonly string[]).includes(m);

const decimal = z.string().trim().regex(/^\d+(\.\d{1,10})?$/, "must be a decimal string such as \"12.50\"");
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO 8601 date-time").transform((v) => new Date(v));
const currency = z.string().trim().min(1, "is missing");
const subscriptionId = z.string().nullish();

export const pluginMetadata = z.looseObject({
  requestId: z.string().nullish(),
  instanceId: z.string().trim().min(1, "metadata.instanceId is missing"),
  currency: z.string().nullish(),
  appExtensionType: z.string().nullish(),
});

export const pluginEnvelope = z.looseObject({ request: z.looseObject({}), metadata: pluginMetadata });

export const requestSchemas = {
  "charge-limit": z.looseObject({
    subscriptionId,
    currency,
    cycle: z.looseObject({
      cycleType: z.string().nullish(),
      cycleDuration: z.looseObject({ unit: z.string().nullish(), count: z.number().int().nullish() }).nullish(),
    }).nullish(),
  }),
  charges: z.looseObject({
    subscriptionId,
    currency,
    periodStart: isoDate,
    periodEnd: isoDate,
    intent: z.enum(["DISPLAY_ONLY", "CREATE_INVOICE"]).default("DISPLAY_ONLY"),
  }),
  usages: z.looseObject({
    subscriptionId,
    counterIds: z.array(z.string().min(1).max(100)).min(1).max(5),
    periodStart: isoDate,
    periodEnd: isoDate,
    intent: z.enum(["DISPLAY_ONLY", "CREATE_INVOICE"]).default("DISPLAY_ONLY"),
  }),
  "charges-rejected": z.looseObject({
    subscriptionId,
    currency,
    chargeIds: z.array(z.string()).max(20).default([]),
    chargeLimit: decimal.nullish(),
    reasons: z.array(z.string()).max(20).default([]),
  }),
  "usages-rejected": z.looseObject({
    subscriptionId,
    currency,
    usageLineItems: z.array(z.looseObject({ counterId: z.string().nullish(), quantity: z.union([z.number(), z.string()]).nullish(), unitPrice: z.string().nullish(), amount: z.string().nullish() })).max(20).default([]),
    chargeLimit: decimal.nullish(),
    reasons: z.array(z.string()).max(20).default([]),
  }),
  "invoice-created": z.looseObject({
    subscriptionId,
    currency,
    invoiceId: z.string().trim().min(1, "is missing"),
    lineItems: z.array(z.looseObject({ chargeId: z.string().min(1), amount: decimal, id: z.string().nullish() })).max(50).default([]),
  }),
  "limit-updated": z.looseObject({ subscriptionId, currency, chargeLimit: decimal }),
} satisfies Record<PluginMethod, z.ZodType>;

export type PluginRequest<M extends PluginMethod> = z.infer<(typeof requestSchemas)[M]>;
export type PluginMetadata = z.infer<typeof pluginMetadata>;
