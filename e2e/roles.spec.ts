import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin adds a user, changes the role, disables them, and the audit log shows each change", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings/users");
  const email = `new-${Date.now()}@example.com`;
  await page.getByLabel("Name").fill("New Person");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a-long-enough-password");
  await page.getByRole("button", { name: "Add user" }).click();
  const row = page.locator(`[data-email="${email}"]`);
  await expect(row).toContainText("New Person");
  await row.getByLabel("Role").selectOption("operator");
  await row.getByRole("button", { name: "Save role" }).click();
  // The row says so, and keeps showing the saved role.
  await expect(row.getByRole("status")).toHaveText("Role saved.");
  await expect(row.getByLabel("Role")).toHaveValue("operator");
  await page.reload();
  await expect(row.getByLabel("Role")).toHaveValue("operator");
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("disabled");

  await page.goto("/audit");
  const audit = page.getByTestId("audit-table");
  await expect(audit).toContainText("user.create");
  // Each change reads as "field: before → after", in words.
  await expect(audit).toContainText("role: viewer → operator");
  await expect(audit).toContainText("disabled: no → yes");
});

test("a viewer is refused the admin pages and an admin-only server action called directly, and nothing changes", async ({ page, browser }) => {
  // Capture what the browser sends when an admin creates a user: the server action's id and body.
  await signIn(page, "admin");
  await page.goto("/settings/users");
  const probeEmail = `probe-${Date.now()}@example.com`;
  await page.getByLabel("Name").fill("Probe");
  await page.getByLabel("Email").fill(probeEmail);
  await page.getByLabel("Password").fill("a-long-enough-password");
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]),
    page.getByRole("button", { name: "Add user" }).click(),
  ]);
  await expect(page.locator(`[data-email="${probeEmail}"]`)).toBeVisible();
  const actionId = request.headers()["next-action"]!;
  const forgedEmail = `forged-${Date.now()}@example.com`;
  const forgedBody = request.postData()!.replace(probeEmail, forgedEmail);

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer");
  await viewer.goto("/settings/users");
  await expect(viewer).toHaveURL(/\/settings\?denied=users/);
  await expect(viewer.getByRole("alert").filter({ hasText: "Only admins manage users" })).toBeVisible();
  await expect(viewer.getByRole("heading", { name: "Ingest API keys" })).toHaveCount(0);

  const response = await viewer.request.post("/settings/users", {
    // As the browser sent it, Origin included (proxy.ts refuses an action without one).
    headers: {
      Origin: new URL(viewer.url()).origin,
      "Next-Action": actionId,
      "Content-Type": request.headers()["content-type"] ?? "text/plain;charset=UTF-8",
      Accept: "text/x-component",
    },
    data: forgedBody,
  });
  const text = await response.text();
  expect(text).toContain("This needs the admin role; you are signed in as viewer.");
  await viewerContext.close();

  await page.reload();
  await expect(page.locator(`[data-email="${forgedEmail}"]`)).toHaveCount(0);
});
