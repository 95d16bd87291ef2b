import { NextResponse, type NextRequest } from "next/server";
import { checkBodyRequest, isPagePath, PUBLIC_FILES } from "./lib/http/server-action-guard";
import { newNonce, pageContentSecurityPolicy, servedOverHttps } from "./lib/security-headers";

/**
 * Runs before every page (not API routes: those read their own bodies under their own limits),
 * and before anything else Next would treat as a server action (a Next-Action header, a multipart body).
 * - A request with a body that Next would decode as a server action is checked first
 *   (lib/http/server-action-guard.ts): from another origin or none, 403; not an action id, a
 *   content type or a body our pages send, 400 / 415; over the limit, 413, counted as it streams.
 * - Each page gets a Content-Security-Policy with a fresh nonce, on the response (what the
 *   browser enforces) and on the request (where Next and the layout read it).
 * - Visitors with no session cookie at all are sent to sign-in; each page, action and route
 *   handler checks the session and the role itself (fail closed). No cookies are written here: a
 *   request racing a sign-out must not bring the session back.
 * The fixed headers (nosniff, Referrer-Policy, …) come from next.config.ts for every response.
 */
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export async function proxy(req: NextRequest) {
  const page = isPagePath(req.nextUrl.pathname);
  if (req.method !== "GET" && req.method !== "HEAD" && PUBLIC_FILES.includes(req.nextUrl.pathname)) {
    // Next answers any other method on a public file by rendering a /405 page the App Router does not have: a 500.
    await req.body?.cancel().catch(() => {});
    return new NextResponse("This file is read with GET.", { status: 405, headers: { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" } });
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    const refusal = await checkBodyRequest({ method: req.method, headers: req.headers, body: req.body, page });
    if (refusal) return new NextResponse(refusal.message, { status: refusal.status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  if (!page) return NextResponse.next();
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === "development",
    https: servedOverHttps(req.nextUrl.protocol, req.headers.get("x-forwarded-proto")),
  });
  const signedIn = SESSION_COOKIES.some((name) => req.cookies.has(name));
  let res: NextResponse;
  if (signedIn || req.nextUrl.pathname === "/login") {
    const headers = new Headers(req.headers);
    headers.set("Content-Security-Policy", policy);
    headers.set("x-nonce", nonce);
    res = NextResponse.next({ request: { headers } });
  } else {
    const url = new URL("/login", req.nextUrl.origin);
    const back = req.nextUrl.pathname + req.nextUrl.search;
    if (back !== "/") url.searchParams.set("callbackUrl", back);
    res = NextResponse.redirect(url);
  }
  res.headers.set("Content-Security-Policy", policy);
  return res;
}

export const config = {
  matcher: [
    // Pages (isPagePath is the same test).
    "/((?!api/|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|json|yaml)$).*)",
    // Anywhere else, what Next would decode as a server action (a 404 page runs them too).
    { source: "/:path*", has: [{ type: "header", key: "next-action" }] },
    { source: "/:path*", has: [{ type: "header", key: "content-type", value: "multipart/form-data.*" }] },
    // The files in public/ (PUBLIC_FILES), for their 405.
    "/openapi.yaml",
  ],
};
