"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { acceptPlatformVerdict, closeCycle, importLogFile, importSandboxLog, markVerdicts, recordCorrection, resendEvent } from "../services/reconcile";
import { closeCycleSchema, importFileSchema, importSandboxLogSchema, markVerdictsSchema, resolveSchema } from "./reconcile.schema";

const done = <T>(result: T) => {
  revalidatePath("/reconcile");
  return result;
};

export const importSandboxLogAction = action("operator", importSandboxLogSchema, async (input, { user }) => done(await importSandboxLog(input.connectionId, user)));

export const importLogFileAction = action("operator", importFileSchema, async (input, { user }) => done(await importLogFile(input.connectionId, input.text, input.format, user)));

export const markVerdictsAction = action("operator", markVerdictsSchema, async (input, { user }) =>
  done(await markVerdicts(input.eventIds.map(BigInt), input.verdict, input.code ?? null, input.note, user)),
);

export const resolveMismatchAction = action("operator", resolveSchema, async (input, { user }) => {
  const id = BigInt(input.eventId);
  if (input.resolution === "accept_platform") return done(await acceptPlatformVerdict(id, input.note, user));
  if (input.resolution === "resend") return done(await resendEvent(id, input.note, user));
  return done(await recordCorrection(id, { quantity: input.quantity, note: input.note }, user));
});

export const closeCycleAction = action("operator", closeCycleSchema, async (input, { user }) => done(await closeCycle(input.connectionId, input.shopId, input.note, user)));
