import { expect, test, type Page, type Request } from "@playwright/test";
import { signIn } from "./helpers";

// The demo Wix sandbox connection: edited, tested, rotated, disabled and enabled by an admin; an
// operator and a viewer see none of it, and the same server actions sent from their sessions are refused.
const WIX = "/settings/connections/5e3d0b1a-0000-4000-8000-000000000002";
// The e2e server's sandbox (scripts/e2e-server.ts): E2E_PORT + 10 unless set.
const SANDBOX = `http://127.0.0.1:${Number(process.env.E2E_SANDBOX_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 10)}`;

async function capture(page: Page, click: () => Promise<void>): Promise<Request> {
  const [request] = await Promise.all([page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]), click()]);
  return request;
}

test("an admin edits, tests, rotates, disables and enables a connection; an operator and a viewer are refused each", async ({ page, browser }) => {
  await signIn(page, "admin");
  await page.goto(WIX);
  const manage = page.locator("section", { has: page.getByRole("heading", { name: "Manage the connection" }) });
  const captured: Request[] = [];

  // Edit: a bad URL is a field error and changes nothing; then a new name.
  await manage.getByLabel("API base URL").fill("not a url");
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByText("Enter a full URL")).toBeVisible();
  await manage.getByLabel("API base URL").fill(SANDBOX);
  await manage.getByLabel("Name", { exact: true }).fill("SMS Blaster for Wix (renamed)");
  captured.push(await capture(page, () => manage.getByRole("button", { name: "Save changes" }).click()));
  await expect(manage.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("SMS Blaster for Wix (renamed)");

  // Test credentials: a token for an installed instance and an App Instance read.
  captured.push(await capture(page, () => manage.getByRole("button", { name: "Test credentials" }).click()));
  await expect(manage.getByText("The credentials work.")).toBeVisible();
  await expect(manage.getByTestId("check-steps").first()).toContainText("App Instance read");

  // Rotate: a secret Wix refuses changes nothing; the right one is checked and taken.
  await manage.getByLabel("New value").fill("not-the-secret");
  await manage.getByRole("button", { name: "Check and rotate" }).click();
  await expect(manage.getByRole("alert").filter({ hasText: "did not work, so the old one is still in use" })).toBeVisible();
  await manage.getByLabel("New value").fill("wix_sandbox_demo_secret");
  captured.push(await capture(page, () => manage.getByRole("button", { name: "Check and rotate" }).click()));
  await expect(manage.getByText("Rotated: the new secret is in use.")).toBeVisible();

  // Disable: a banner says delivery is paused; enable: it is gone.
  page.once("dialog", (d) => void d.accept());
  captured.push(await capture(page, () => manage.getByRole("button", { name: "Disable delivery" }).click()));
  await expect(page.getByTestId("paused-banner")).toContainText("still taken in and held");
  await expect(page.getByTestId("paused-connections")).toBeVisible();
  await manage.getByRole("button", { name: "Enable delivery" }).click();
  await expect(page.getByTestId("paused-banner")).toHaveCount(0);
  await expect(manage.getByRole("button", { name: "Disable delivery" })).toBeVisible();

  await page.goto("/audit");
  const audit = page.getByTestId("audit-table");
  for (const action of ["connection.update", "connection.test", "connection.rotate_secret", "connection.disable", "connection.enable"])
    await expect(audit).toContainText(action);
  await expect(audit).not.toContainText("wix_sandbox_demo_secret");

  for (const role of ["operator", "viewer"] as const) {
    const context = await browser.newContext();
    const other = await context.newPage();
    await signIn(other, role);
    await other.goto(WIX);
    await expect(other.getByRole("heading", { name: "Manage the connection" })).toHaveCount(0);
    await expect(other.getByRole("button", { name: "Test credentials" })).toHaveCount(0);
    for (const request of captured) {
      // The disable request, replayed: it would pause delivery if it were let through.
      const response = await other.request.post(WIX, {
        // As the browser sent it, Origin included (proxy.ts refuses an action without one).
        headers: {
          Origin: new URL(other.url()).origin,
          "Next-Action": request.headers()["next-action"]!,
          "Content-Type": request.headers()["content-type"] ?? "text/plain;charset=UTF-8",
          Accept: "text/x-component",
        },
        data: request.postData()!.replace("renamed", `renamed by ${role}`),
      });
      expect(await response.text()).toContain(`This needs the admin role; you are signed in as ${role}.`);
    }
    await context.close();
  }
  await page.goto(WIX);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("SMS Blaster for Wix (renamed)");
  await expect(page.getByTestId("paused-banner")).toHaveCount(0);
  // Its name back, for the specs after this one.
  await manage.getByLabel("Name", { exact: true }).fill("SMS Blaster for Wix (sandbox)");
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("SMS Blaster for Wix (sandbox)");
});
