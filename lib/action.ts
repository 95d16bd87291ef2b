import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { requireUser, type SessionUser } from "./auth/auth";
import { findTextProblems } from "./domain/input-text";
import { describeFailure } from "./errors";
import type { Role } from "./generated/prisma/enums";
import { logger } from "./logger";

export type ActionFailure = { ok: false; error: string; code?: string; fieldErrors?: Record<string, string[]>; ref?: string };
export type ActionResult<T> = { ok: true; data: T } | ActionFailure;

/**
 * Every server action: authenticate and check the role (fail closed), parse, run, and return a
 * result the form can branch on. Expected failures (AppError, DomainError, PlatformError: lib/errors.ts)
 * carry their own message and field; anything else is logged with a reference id the person sees.
 */
export function action<S extends z.ZodType, T>(role: Role, schema: S, run: (input: z.infer<S>, ctx: { user: SessionUser }) => Promise<T>) {
  return async (input: z.input<S>): Promise<ActionResult<T>> => {
    let user: SessionUser;
    try {
      user = await requireUser(role);
    } catch (err) {
      return toActionError(err);
    }
    // Text Postgres cannot store (NUL, unpaired surrogates) is an input error, named by field, before any schema or query sees it.
    const textProblems = findTextProblems(input);
    if (textProblems) return { ok: false, error: "Check the highlighted fields.", code: "INVALID_INPUT", fieldErrors: textProblems };
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

function toActionError(err: unknown): ActionFailure {
  const { body } = describeFailure(err, logger, {}, "server action failed");
  return { ok: false, ...body };
}
