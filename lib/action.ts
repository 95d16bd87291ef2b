import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { requireUser, type SessionUser } from "./auth/auth";
import { AppError } from "./errors";
import type { Role } from "./generated/prisma/enums";
import { logger } from "./logger";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; code?: string; fieldErrors?: Record<string, string[]> };

/**
 * Every server action: authenticate and check the role (fail closed), parse, run, and return a
 * result the form can branch on. Expected failures carry their message; anything else is logged.
 */
export function action<S extends z.ZodType, T>(
  role: Role,
  schema: S,
  run: (input: z.infer<S>, ctx: { user: SessionUser }) => Promise<T>,
) {
  return async (input: z.input<S>): Promise<ActionResult<T>> => {
    let user: SessionUser;
    try {
      user = await requireUser(role);
    } catch (err) {
      return toActionError(err);
    }
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      return {
        ok: false,
        error: "Check the highlighted fields.",
        code: "INVALID_INPUT",
        fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
      };
    }
    try {
      return { ok: true, data: await run(parsed.data, { user }) };
    } catch (err) {
      unstable_rethrow(err);
      return toActionError(err);
    }
  };
}

export function toActionError(err: unknown): { ok: false; error: string; code?: string; fieldErrors?: Record<string, string[]> } {
  if (err instanceof AppError) return { ok: false, error: err.message, code: err.code, fieldErrors: err.fieldErrors };
  logger.error({ err }, "server action failed");
  return { ok: false, error: "Something went wrong." };
}
