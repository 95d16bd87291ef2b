import { z } from "zod";
import { GUID, inTimestampRange, storableText, TIMESTAMP_RANGE_MESSAGE } from "../../domain/input-text";
import { isWixChargeCurrency, WIX_CHARGE_CURRENCIES, type WixChargeCurrency } from "../../domain/money";
import { parseIsoTimestampMs } from "../../domain/shopify-event";

/**
 * The `data` claim of Custom Charges service-plugin calls (docs/platforms/wix.md §5.2, 5.3): {request, metadata}.
 * Unknown fields are kept (Wix may add some); amounts are decimal strings.
 *
 * The fields follow Wix's SDK types (`@wix/auto_sdk_app-management_custom-charges`), where every
 * request field is optional and some are nullable: what the SDK may send is accepted, and the
 * service decides what an absent field means (the request currency falls back to
 * `metadata.currency`, an absent list is empty, a null limit changes nothing). Only what no answer
 * can be right without is required: an invoice's id and each line's amount, a period to invoice.
 */
export const PLUGIN_METHODS = ["charge-limit", "charges", "usages", "charges-rejected", "usages-rejected", "invoice-created", "limit-updated"] as const;
export type PluginMethod = (typeof PLUGIN_METHODS)[number];
export const isPluginMethod = (m: string): m is PluginMethod => (PLUGIN_METHODS as readonly string[]).includes(m);

/** Amounts: at most 14 digits before the point and 10 after, as the ledger stores them (numeric(24,10)). */
const decimal = z
  .string()
  .trim()
  .max(40, 'must be a decimal string such as "12.50"')
  .regex(/^\d{1,14}(\.\d{1,10})?$/, 'must be a decimal string such as "12.50" (at most 14 digits before the point, 10 after)');
/** A real calendar date-time with a zone, between 1970 and 9999. */
const isoDate = z
  .string()
  .max(64, "must be an ISO 8601 date-time")
  .superRefine((v, ctx) => {
    const ms = parseIsoTimestampMs(v);
    if (ms === null) ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date-time with a time zone" });
    else if (!inTimestampRange(ms)) ctx.addIssue({ code: "custom", message: TIMESTAMP_RANGE_MESSAGE });
  })
  .transform((v) => new Date(parseIsoTimestampMs(v)!));
/** Wix charges only in these currencies (docs/platforms/wix.md); anything else (XXX, "usd ", 5,000 characters) is refused. */
const currency = z
  .string()
  .refine((c): c is WixChargeCurrency => isWixChargeCurrency(c), `must be one of Wix's charge currencies: ${WIX_CHARGE_CURRENCIES.join(", ")}`);
const subscriptionId = storableText(100).nullish();
/** Optional in every request: the context (`metadata.currency`) carries it too. */
const requestCurrency = currency.nullish();
const optionalDate = isoDate.nullish();
const intent = z
  .enum(["DISPLAY_ONLY", "CREATE_INVOICE"])
  .nullish()
  .transform((v) => v ?? "DISPLAY_ONLY");
/** A list the SDK may leave out or send as null: empty. */
const list = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
/** Ids Wix mints (charge ids come back as ours, at most 64 characters). */
const id = (max: number) => storableText(max).pipe(z.string().trim().min(1, "is missing"));

const pluginMetadata = z.looseObject({
  requestId: storableText(100).nullish(),
  instanceId: z.string().trim().regex(GUID, "metadata.instanceId must be the Wix instance id (a GUID)"),
  currency: storableText(3).nullish(),
  appExtensionType: storableText(100).nullish(),
});

export const pluginEnvelope = z.looseObject({ request: z.looseObject({}), metadata: pluginMetadata });

export const requestSchemas = {
  "charge-limit": z.looseObject({
    subscriptionId,
    currency: requestCurrency,
    cycle: z
      .looseObject({
        cycleType: storableText(20).nullish(),
        cycleDuration: z
          .looseObject({
            unit: storableText(20).nullish(),
            count: z.number().int("must be a whole number").min(1, "must be at least 1").max(120, "must be at most 120").nullish(),
          })
          .nullish(),
      })
      .nullish(),
  }),
  charges: z.looseObject({
    subscriptionId,
    currency: requestCurrency,
    periodStart: optionalDate,
    periodEnd: optionalDate,
    intent,
  }),
  usages: z.looseObject({
    subscriptionId,
    counterIds: list(id(100), 5),
    periodStart: optionalDate,
    periodEnd: optionalDate,
    intent,
  }),
  "charges-rejected": z.looseObject({
    subscriptionId,
    currency: requestCurrency,
    chargeIds: list(id(64), 20),
    chargeLimit: decimal.nullish(),
    reasons: list(storableText(100), 20),
  }),
  "usages-rejected": z.looseObject({
    subscriptionId,
    currency: requestCurrency,
    usageLineItems: list(
      z.looseObject({
        counterId: storableText(100).nullish(),
        quantity: z.union([z.number().finite(), storableText(40)]).nullish(),
        unitPrice: storableText(40).nullish(),
        amount: storableText(40).nullish(),
      }),
      20,
    ),
    chargeLimit: decimal.nullish(),
    reasons: list(storableText(100), 20),
  }),
  "invoice-created": z.looseObject({
    subscriptionId,
    currency: requestCurrency,
    invoiceId: id(50),
    lineItems: list(z.looseObject({ chargeId: id(64).nullish(), amount: decimal, id: storableText(100).nullish() }), 50),
  }),
  "limit-updated": z.looseObject({ subscriptionId, currency: requestCurrency, chargeLimit: decimal.nullish() }),
} satisfies Record<PluginMethod, z.ZodType>;

export type PluginRequest<M extends PluginMethod> = z.infer<(typeof requestSchemas)[M]>;
export type PluginMetadata = z.infer<typeof pluginMetadata>;
