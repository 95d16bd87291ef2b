"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { addMeter, addPlan, addPriceItem, refreshConnection, removeMeter } from "../services/connections/plans";
import { previewSandboxImport } from "../services/connections/sync-sandbox";
import { addMeterSchema, addPlanSchema, addPriceItemSchema, connectionOnlySchema, refreshSchema, removeSchema } from "./plans.schema";

const done = <T>(r: T) => {
  revalidatePath("/settings/connections/[id]", "page");
  return r;
};

export const addPlanAction = action("admin", addPlanSchema, async (input, { user }) => done(await addPlan(input, user)));
export const addMeterAction = action("admin", addMeterSchema, async (input, { user }) => done(await addMeter({ ...input, tiers: input.tiers ?? null }, user)));
export const removeMeterAction = action("admin", removeSchema, async (input, { user }) => done(await removeMeter(input.id, user)));
export const addPriceItemAction = action("admin", addPriceItemSchema, async (input, { user }) => done(await addPriceItem(input, user)));
export const refreshConnectionAction = action("operator", refreshSchema, async (input, { user }) =>
  done(await refreshConnection(input.connectionId, user, input.fingerprint)),
);
/** What "Import from the sandbox" would add, change or replace; nothing is written. */
export const previewImportAction = action("operator", connectionOnlySchema, async (input) => previewSandboxImport(input.connectionId));
