"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { previewWixInvoice, recordWixUsage, setDefaultChargeLimit, setInitialChargeLimit } from "../services/wix/instance-actions";
import { defaultChargeLimitSchema, initialChargeLimitSchema, instanceIdSchema, recordWixUsageSchema } from "./wix-instances.schema";

export const recordWixUsageAction = action("operator", recordWixUsageSchema, async (input, { user }) => {
  const result = await recordWixUsage(input, user);
  revalidatePath(`/shops/wix/${input.instanceRowId}`);
  revalidatePath("/shops");
  revalidatePath("/alerts");
  return result;
});

/** Asks Wix (metered-billing-charges) what it would invoice now; changes nothing. */
export const previewWixInvoiceAction = action("operator", instanceIdSchema, async (input) => previewWixInvoice(input.instanceRowId));

export const setInitialChargeLimitAction = action("admin", initialChargeLimitSchema, async (input, { user }) => {
  const result = await setInitialChargeLimit(input, user);
  revalidatePath(`/shops/wix/${input.instanceRowId}`);
  return result;
});

export const setDefaultChargeLimitAction = action("admin", defaultChargeLimitSchema, async (input, { user }) => {
  const result = await setDefaultChargeLimit(input, user);
  revalidatePath("/shops");
  return result;
});
