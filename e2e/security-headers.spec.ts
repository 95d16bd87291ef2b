import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * Browser security headers on every kind of response, and a CSP the app's own pages live with:
 * the charts draw, the theme script runs, and the browser reports no violation.
 */
const FIXED = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
};

function expectFixed(headers: Record<string, string>, what: string) {
  for (const [name, value] of Object.entries(FIXED)) expect(headers[name], `${name} on ${what}`).toBe(value);
  expect(headers["permissions-policy"], `Permissions-Policy on ${what}`).toContain("camera=()");
  expect(headers["content-security-policy"], `CSP on ${what}`).toContain("frame-ancestors 'none'");
  expect(headers["strict-transport-security"], `no HSTS over plain HTTP on ${what}`).toBeUndefined();
}

/** Collects CSP violations the browser reports, from the console and as securitypolicyviolation events. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(msg.text())) seen.push(msg.text());
  });
  await page.exposeFunction("__cspViolation", (text: string) => seen.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { __cspViolation(t: string): void }).__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  return seen;
}

test("a page, an API route, an error page, a redirect and a static file carry the security headers", async ({ page, request }) => {
  const login = await request.get("/login");
  expect(login.status()).toBe(200);
  expectFixed(login.headers(), "/login");
  const nonce = /'nonce-([^']+)'/.exec(login.headers()["content-security-policy"]!)?.[1];
  expect(nonce, "the page policy has a nonce").toBeTruthy();
  expect(await login.text(), "Next put the nonce on its scripts").toContain(`nonce="${nonce}"`);
  const again = await request.get("/login");
  expect(again.headers()["content-security-policy"], "a new nonce for every request").not.toContain(nonce!);

  const redirect = await request.get("/events", { maxRedirects: 0 });
  expect(redirect.status()).toBe(307);
  expectFixed(redirect.headers(), "the sign-in redirect");

  const api = await request.post("/api/v1/events", { data: { events: [] } });
  expect(api.status()).toBe(401);
  expectFixed(api.headers(), "an API route");
  expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");

  const apiMissing = await request.get("/api/no-such-route");
  expect(apiMissing.status()).toBe(404);
  expectFixed(apiMissing.headers(), "an API 404");

  const file = await request.get("/openapi.yaml");
  expect(file.status()).toBe(200);
  expectFixed(file.headers(), "a static file");

  await signIn(page, "viewer");
  const missing = await page.request.get("/no-such-page");
  expect(missing.status()).toBe(404);
  expectFixed(missing.headers(), "the 404 page");
  expect(missing.headers()["content-security-policy"]).toContain("'nonce-");

  const https = await request.get("/login", { headers: { "X-Forwarded-Proto": "https" } });
  expect(https.headers()["strict-transport-security"]).toMatch(/^max-age=\d{8}/);
  expect(https.headers()["content-security-policy"]).toContain("upgrade-insecure-requests");
});

test("Overview, events, an event, settings and sign-in run under the CSP with no violation: charts draw, dark mode applies", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.emulateMedia({ colorScheme: "dark" });
  await signIn(page, "admin");
  await page.goto("/?range=30d");
  await expect(page.getByTestId("outcome-chart").locator("[data-bar]").first()).toBeVisible({ timeout: 20_000 });
  await page.getByTestId("outcome-chart").hover(); // Recharts, fetched on the first pointer, runs under the CSP too
  await expect(page.getByTestId("outcome-chart").locator(".recharts-bar-rectangle").first()).toBeVisible({ timeout: 20_000 });
  await expect(page.locator("html"), "the theme script ran before paint").toHaveClass(/dark/);
  for (const path of ["/events", "/events/1", "/shops", "/reconcile", "/settings", "/settings/users"]) {
    await page.goto(path);
    await expect(page.locator("h1")).toBeVisible();
  }
  await page.goto("/");
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(/\/login/);
  expect(violations).toEqual([]);
});

test("a server action posted from another origin is refused with 403, not 500", async ({ page, baseURL }) => {
  await signIn(page, "admin");
  const res = await page.request.post("/settings", {
    headers: { Origin: "https://evil.example", "Next-Action": "0".repeat(40), "Content-Type": "text/plain;charset=UTF-8" },
    data: "[]",
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toContain("Cross-origin");
  const same = await page.request.post("/settings", {
    headers: { Origin: baseURL!, "Next-Action": "0".repeat(40), "Content-Type": "text/plain;charset=UTF-8" },
    data: "[]",
  });
  expect(same.status(), "a same-origin post is not refused by the origin check").not.toBe(403);
});

test("a server action with a body over the 21 MB limit is refused with 413 before it is read, not 500", async ({ page, baseURL }) => {
  await signIn(page, "admin");
  const res = await page.request.post("/settings", {
    headers: { Origin: baseURL!, "Next-Action": `7f${"0".repeat(40)}`, "Content-Type": "text/plain;charset=UTF-8" },
    data: "x".repeat(22 * 1024 * 1024),
  });
  expect(res.status()).toBe(413);
  expect(await res.text()).toContain("at most 21 MB");
});
