"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { requestRefresh } from "../services/reconcile/platform-figures";
import { importLogFile, importSandboxLog, markVerdicts } from "../services/reconcile/reconcile";
import { closeCycle, resolveDifferences } from "../services/reconcile/resolve";
import { closeCycleSchema, importFileSchema, importSandboxLogSchema, markVerdictsSchema, refreshSchema, resolveDifferencesSchema } from "./reconcile.schema";

const done = <T>(result: T) => {
  revalidatePath("/reconcile");
  return result;
};

export const importSandboxLogAction = action("operator", importSandboxLogSchema, async (input, { user }) =>
  done(await importSandboxLog(input.connectionId, user)),
);

export const importLogFileAction = action("operator", importFileSchema, async (input, { user }) =>
  done(await importLogFile(input.connectionId, input.text, input.format, user)),
);

export const refreshFiguresAction = action("operator", refreshSchema, async (input, { user }) => done(await requestRefresh(input.connectionId, user)));

export const markVerdictsAction = action("operator", markVerdictsSchema, async (input, { user }) =>
  done(await markVerdicts(input.eventIds.map(BigInt), input.verdict, input.code ?? null, input.note, user)),
);

export const resolveDifferencesAction = action("operator", resolveDifferencesSchema, async (input, { user }) =>
  done(await resolveDifferences(input.ids.map(BigInt), input.resolution, input.note, user)),
);

export const closeCycleAction = action("operator", closeCycleSchema, async (input, { user }) => done(await closeCycle(input.cycleId, input, user)));
