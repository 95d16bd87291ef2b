import * as customCharges from "@wix/auto_sdk_app-management_custom-charges";
import { z } from "zod";

/**
 * A Custom Charges provider's JSON answer read as Wix's SDK reads it (docs/platforms/wix.md §5.2, §5.3),
 * field by field: the answer must fit the SDK's response type of the method
 * (@wix/auto_sdk_app-management_custom-charges 1.0.36: its fields, their types and the limits its
 * annotations state, nothing else), is turned into the SDK's object form (`_id`, `Date`), and
 * that object, serialised by the SDK's own `toREST` transformation as `processRequest` would,
 * must give back the same JSON. For tests only.
 */
type Contract = (typeof customCharges.publicProvideHandlers)["__contract"];
export type SdkMethod = keyof Contract;
type SdkResponse<M extends SdkMethod> = Awaited<ReturnType<Contract[M]>>;

/** The sandbox's names of the seven methods (sandbox/wix/plugin.ts), and the SDK's. */
export const SDK_METHOD_OF = {
  getChargeLimit: "getChargeLimit",
  listCharges: "listCharges",
  listUsages: "listUsages",
  chargesRejected: "chargesRejectedEvent",
  usagesRejected: "usagesRejectedEvent",
  invoiceCreated: "invoiceCreatedEvent",
  limitUpdated: "chargeLimitUpdatedEvent",
} as const satisfies Record<string, SdkMethod>;

/** @format DECIMAL_VALUE: a whole number or one with a dot. */
const decimal = z.string().regex(/^\d+(\.\d+)?$/, "must be a DECIMAL_VALUE string");
const timestamp = z.iso.datetime({ offset: true, message: "must be an ISO 8601 timestamp" });
const usagePeriod = z.strictObject({ startDate: timestamp.nullish(), endDate: timestamp.nullish() });
const toDate = (v: string | null | undefined) => (v == null ? v : new Date(v));
const period = (p: z.infer<typeof usagePeriod> | undefined) => (p ? { startDate: toDate(p.startDate), endDate: toDate(p.endDate) } : undefined);

const event = z.strictObject({});
const readers: { [M in SdkMethod]: (json: unknown) => SdkResponse<M> } = {
  getChargeLimit: (json) => {
    // @decimalValue options { gt:0.00 }
    const r = z.strictObject({ chargeLimit: decimal.refine((v) => Number(v) > 0, "must be above 0.00").nullish() }).parse(json);
    return { chargeLimit: r.chargeLimit };
  },
  listCharges: (json) => {
    const charge = z.strictObject({
      id: z.string().max(64).nullish(), // @maxLength 64
      description: z.string().optional(),
      amount: decimal.refine((v) => Number(v) >= 0.5, "must be at least 0.50").optional(), // Min: 0.50
      usagePeriod: usagePeriod.optional(),
    });
    const r = z.strictObject({ charges: z.array(charge).max(10).optional() }).parse(json); // @maxSize 10
    return { charges: r.charges?.map(({ id, usagePeriod: p, ...rest }) => ({ _id: id, ...rest, ...(p ? { usagePeriod: period(p) } : {}) })) };
  },
  listUsages: (json) => {
    const usage = z.strictObject({
      counterId: z.string().min(1).max(100).optional(), // @minLength 1 @maxLength 100
      quantity: z.number().int("must be a whole number of units").optional(),
      description: z.string().max(256).optional(), // @maxLength 256
      usagePeriod: usagePeriod.optional(),
    });
    const r = z.strictObject({ usages: z.array(usage).max(5).optional() }).parse(json); // @maxSize 5
    return { usages: r.usages?.map(({ usagePeriod: p, ...rest }) => ({ ...rest, ...(p ? { usagePeriod: period(p) } : {}) })) };
  },
  chargesRejectedEvent: (json) => event.parse(json),
  usagesRejectedEvent: (json) => event.parse(json),
  invoiceCreatedEvent: (json) => event.parse(json),
  chargeLimitUpdatedEvent: (json) => event.parse(json),
};

export function throughSdk<M extends SdkMethod>(method: M, json: unknown): { sdk: SdkResponse<M>; serialised: unknown } {
  const sdk = readers[method](json);
  const definition = customCharges.publicProvideHandlers.methods.find((m) => m.name === method);
  if (!definition) throw new Error(`the SDK has no method ${method}`);
  // processRequest answers Response.json(toREST(result)): the same JSON round trip. toREST renames
  // keys in place, so it gets a copy and the SDK form is returned as the handler would have made it.
  return { sdk, serialised: JSON.parse(JSON.stringify(definition.transformations.toREST(structuredClone(sdk)))) };
}
