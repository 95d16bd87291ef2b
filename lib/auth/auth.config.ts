import type { NextAuthConfig } from "next-auth";
import type { Role } from "../generated/prisma/enums";

/**
 * The part of the Auth.js config that needs no database: used by proxy.ts to redirect requests
 * without a session. Authorization itself happens in every page, action and route handler.
 */
export const authConfig = {
  trustHost: true,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = (user as { role?: Role }).role;
      }
      return token;
    },
    session({ session, token }) {
      if (session.user) {
        session.user.id = String(token.uid ?? "");
        (session.user as { role?: Role }).role = token.role as Role | undefined;
      }
      return session;
    },
  },
} satisfies NextAuthConfig;
