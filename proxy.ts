import NextAuth from "next-auth";
import { NextResponse } from "next/server";
import { authConfig } from "./lib/auth/auth.config";

const { auth } = NextAuth(authConfig);

/** Every page is behind sign-in. API routes answer 401 themselves (ingest keys, Wix plugin JWTs). */
export const proxy = auth((req) => {
  if (req.auth) return NextResponse.next();
  const url = new URL("/login", req.nextUrl.origin);
  const back = req.nextUrl.pathname + req.nextUrl.search;
  if (back !== "/") url.searchParams.set("callbackUrl", back);
  return NextResponse.redirect(url);
});

export const config = {
  matcher: ["/((?!api/|login|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|json|yaml)$).*)"],
};
