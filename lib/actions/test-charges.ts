"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { runTutorialScenario } from "../services/test-charges/scenario";
import { fireTestCharge } from "../services/test-charges/test-charges";
import { fireTestChargeSchema, runScenarioSchema } from "./test-charges.schema";

/** Operators fire test charges; a store that is not for testing also needs an admin's confirmation (checked in the service). */
export const fireTestChargeAction = action("operator", fireTestChargeSchema, async (input, { user }) => {
  const result = await fireTestCharge(input, user);
  revalidatePath("/events");
  return result;
});

/** Runs the whole tutorial (a few seconds: it waits for the worker to deliver before and after the uninstall). */
export const runScenarioAction = action("operator", runScenarioSchema, async ({ target }, { user }) => {
  const run = await runTutorialScenario(target, user);
  revalidatePath("/events");
  revalidatePath("/shops");
  return { runId: run.runId };
});
