import "server-only";
import bcrypt from "bcryptjs";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";
import type { Role } from "../generated/prisma/enums";
import { authConfig } from "./auth.config";
import { hasRole } from "./roles";
import { checkSignIn, clientAddress, recordSignInFailure, recordSignInSuccess } from "./throttle";

const credentialsSchema = z.object({ email: z.email().max(320), password: z.string().min(1).max(200) });

/** Refused because of too many failures: `code` carries when the next try may come. */
class ThrottledSignIn extends CredentialsSignin {
  constructor(until: Date) {
    super();
    this.code = `throttled:${until.toISOString()}`;
  }
}
export const throttledUntil = (code: string | undefined): Date | null => (code?.startsWith("throttled:") ? new Date(code.slice("throttled:".length)) : null);

const nextAuth = NextAuth({
  ...authConfig,
  secret: env().AUTH_SECRET,
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) throw new CredentialsSignin();
        const email = parsed.data.email.toLowerCase();
        const address = clientAddress(request.headers);
        // Throttled tries are refused before the password is looked at (lib/auth/throttle.ts).
        const check = await checkSignIn(email, address);
        if (check.lockedUntil) throw new ThrottledSignIn(check.lockedUntil);
        const user = await db().user.findUnique({ where: { email } });
        // Compare even when the user is unknown, so timing does not reveal which emails exist.
        const ok = await bcrypt.compare(parsed.data.password, user?.passwordHash ?? "$2b$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva");
        if (!user || !ok || user.disabled) {
          const after = await recordSignInFailure(email, address);
          throw after.lockedUntil ? new ThrottledSignIn(after.lockedUntil) : new CredentialsSignin();
        }
        await recordSignInSuccess(user.id, email, address);
        return { id: user.id, email: user.email, name: user.name, role: user.role };
      },
    }),
  ],
});
export const { handlers, signIn, signOut } = nextAuth;
const { auth } = nextAuth;

export type SessionUser = { id: string; email: string; name: string; role: Role };

/**
 * The signed-in person, re-read from the database on every call so a disabled user or a changed
 * role takes effect at once. Fails closed.
 */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db().user.findUnique({ where: { id } });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** For server actions and route handlers: throws an AppError the caller turns into a refusal. */
export async function requireUser(atLeast: Role = "viewer"): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  if (!hasRole(user.role, atLeast)) {
    throw new AppError("FORBIDDEN", `This needs the ${atLeast} role; you are signed in as ${user.role}.`);
  }
  return user;
}

/** For pages: redirects to sign-in without a session. */
export async function requirePageUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}

export const hashPassword = (password: string) => bcrypt.hash(password, 10);
