import { expect, test } from "@playwright/test";
import { signIn, users } from "./helpers";

const pages = ["/", "/events", "/events/1", "/shops", "/settings", "/settings/users", "/audit"];

test("every page sends a visitor without a session to sign-in", async ({ page }) => {
  for (const path of pages) {
    await page.goto(path);
    await expect(page, `${path} must redirect`).toHaveURL(/\/login/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  }
});

test("a wrong password is refused and a right one signs in; signing out ends the session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(users.admin.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await signIn(page, "admin");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("kpi-Events")).not.toHaveText("0");

  await page.getByRole("button", { name: "Sign out" }).first().click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await page.goto("/events");
  await expect(page).toHaveURL(/\/login/);
});

test("a deep link survives sign-in", async ({ page }) => {
  await page.goto("/shops");
  await expect(page).toHaveURL(/callbackUrl=%2Fshops/);
  await page.getByLabel("Email").fill(users.viewer.email);
  await page.getByLabel("Password").fill(users.viewer.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Shops & instances" })).toBeVisible();
});
