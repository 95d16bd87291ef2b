import { NextResponse, type NextRequest } from "next/server";

/**
 * Every page is behind sign-in. The proxy only redirects visitors who have no session cookie at
 * all; each page, action and route handler checks the session and the role itself (fail closed).
 * It deliberately writes no cookies: a request racing a sign-out must not bring the session back.
 * API routes answer 401 themselves (ingest keys, Wix plugin JWTs).
 */
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(req: NextRequest) {
  if (SESSION_COOKIES.some((name) => req.cookies.has(name))) return NextResponse.next();
  const url = new URL("/login", req.nextUrl.origin);
  const back = req.nextUrl.pathname + req.nextUrl.search;
  if (back !== "/") url.searchParams.set("callbackUrl", back);
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/((?!api/|login|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|json|yaml)$).*)"],
};
