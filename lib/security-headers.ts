/**
 * Browser security headers, in one place. Pages get a Content-Security-Policy with a fresh nonce
 * per request (proxy.ts); every other response (API routes, static files, Next's assets) gets the
 * fixed headers and a policy that allows nothing (next.config.ts). Next reads the nonce from the
 * request's policy header and puts it on its own scripts; the layout puts it on the theme script.
 *
 * Styles: Recharts and React write `style` attributes and libraries may insert <style> elements,
 * so style-src allows inline styles (a style cannot run code); scripts need the nonce.
 */
export type PolicyOptions = { nonce: string; dev: boolean; https: boolean };

export function pageContentSecurityPolicy({ nonce, dev, https }: PolicyOptions): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonced ones load (Next's chunks) are trusted; React's dev build needs eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** For responses that are not pages: nothing may be loaded, run or framed. */
export const NON_PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const HSTS = "max-age=63072000; includeSubDomains";

/** Sent with every response. */
export const FIXED_SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // Features the dashboard never uses, off for it and anything it could embed.
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), browsing-topics=()",
  // For browsers that predate frame-ancestors.
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** Whether the browser reached us over HTTPS: directly, or through a proxy that says so. */
export function servedOverHttps(protocol: string, forwardedProto: string | null): boolean {
  const first = forwardedProto?.split(",")[0]?.trim().toLowerCase();
  return first ? first === "https" : protocol === "https:";
}

/** 16 random bytes, base64: unguessable and new for every request. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
