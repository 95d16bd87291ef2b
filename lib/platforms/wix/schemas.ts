import { z } from "zod";

/** Response shapes of the Wix REST endpoints the product calls (docs/platforms/wix.md §1, 2, 3, 5.5, 6). */

export const wixTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
});

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The echoed billing event. The seed shows snake_case, the SDK camelCase; both are read as camelCase. */
const wixBillingEvent = z.preprocess(
  (value) =>
    value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeToCamel(k), v])) : value,
  z.looseObject({
    appId: z.string().optional(),
    instanceId: z.string().optional(),
    grossRevenue: z.string(),
    netRevenue: z.string().nullish(),
    wixShare: z.string(),
    createdDate: z.string().nullish(),
    billingType: z.enum(["UNKNOWN", "CHARGE", "REFUND"]),
  }),
);
export type WixBillingEvent = z.infer<typeof wixBillingEvent>;
export const wixBillingEventResponse = z.looseObject({ event: wixBillingEvent });

export const wixInstanceResponse = z.looseObject({
  instance: z.looseObject({
    instanceId: z.string(),
    appName: z.string().nullish(),
    isFree: z.boolean().nullish(),
    billing: z
      .looseObject({
        packageName: z.string().nullish(),
        billingCycle: z.string().nullish(),
        timeStamp: z.string().nullish(),
        expirationDate: z.string().nullish(),
        autoRenewing: z.boolean().nullish(),
        invoiceId: z.string().nullish(),
        freeTrialInfo: z.looseObject({ status: z.string().nullish(), endDate: z.string().nullish() }).nullish(),
      })
      .nullish(),
  }),
  site: z
    .looseObject({
      siteId: z.string().nullish(),
      siteDisplayName: z.string().nullish(),
      paymentCurrency: z.string().nullish(),
      locale: z.string().nullish(),
    })
    .nullish(),
});
export type WixInstanceResponse = z.infer<typeof wixInstanceResponse>;

export const wixMeteredChargesResponse = z.looseObject({
  charges: z.array(z.looseObject({ id: z.string(), description: z.string().nullish(), amount: z.string() })).default([]),
});
export type WixMeteredCharges = z.infer<typeof wixMeteredChargesResponse>;

/** The standard Wix error body (docs/platforms/wix.md §6). */
export const wixErrorBody = z.looseObject({
  message: z.string().optional(),
  details: z
    .looseObject({
      applicationError: z.looseObject({ code: z.string().optional(), description: z.string().optional(), data: z.unknown().optional() }).optional(),
      validationError: z
        .looseObject({
          fieldViolations: z
            .array(
              z.looseObject({
                field: z.string().optional(),
                description: z.string().optional(),
                violatedRule: z.string().optional(),
                ruleName: z.string().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    })
    .nullish(),
});
