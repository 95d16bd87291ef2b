import "server-only";
import { cookies } from "next/headers";
import { requireUser, type SessionUser } from "./auth/auth";
import { TZ_COOKIE } from "./dashboard-params";
import { describeFailure } from "./errors";
import { logger } from "./logger";

/**
 * The dashboard's GET route handlers (TanStack Query polling, CSV export): the signed-in user is
 * required on every call (fails closed: 401 without a session, 403 without the role), search
 * params and the viewer's time-zone cookie are handed over, errors become JSON (lib/errors.ts: an
 * expected failure's own message, else a reference id that is also in the log).
 */
export type ReadContext = { user: SessionUser; params: Record<string, string>; cookieTz: string | undefined };

export function readRoute(run: (ctx: ReadContext, request: Request) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    try {
      const user = await requireUser("viewer");
      const params = Object.fromEntries(new URL(request.url).searchParams.entries());
      const cookieTz = (await cookies()).get(TZ_COOKIE)?.value;
      return await run({ user, params, cookieTz }, request);
    } catch (err) {
      const { status, body } = describeFailure(err, logger, { url: request.url }, "read route failed");
      return Response.json(body, { status });
    }
  };
}

export const noStore = { "cache-control": "no-store" };
