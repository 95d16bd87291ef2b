import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * Errors reach people: a refusal of the pricing rules (a DomainError thrown in the plans service)
 * arrives at the field it is about, through the server-action wrapper, with nothing stored; an
 * unknown page says so inside the dashboard; an unknown route is a real 404.
 */
test("a domain refusal from a server action shows its own message at its field, and no meter is stored", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings");
  await page.getByRole("link", { name: "SMS Blaster (sandbox)" }).click();
  const basic = page.getByTestId("plan-basic");
  await basic.getByText("Add a usage meter").click();
  await basic.getByLabel("Meter handle").fill("pages_printed");
  await basic.getByLabel("Meter name").fill("Pages printed");
  await basic.getByLabel("Structure").selectOption("graduated");
  // The form's schema takes these lines; only the pricing rules know the limits must increase.
  const tiers = basic.getByLabel("Tiers (graduated / volume)");
  await tiers.fill("1000 0.02\n500 0.01\ninf 0.005");
  await basic.getByRole("button", { name: "Add meter" }).click();
  await expect(basic.getByText("Tier limits of pages_printed must be positive and increasing")).toBeVisible();
  await expect(tiers).toHaveAttribute("aria-invalid", "true");
  await expect(tiers).toBeFocused();
  await expect(page.getByText(/Something went wrong/)).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("plan-basic")).not.toContainText("pages_printed");
});

test("an unknown event or connection is a not-found page inside the dashboard; an unknown address is a 404", async ({ page }) => {
  await signIn(page, "viewer");
  // The section's loading.tsx has already streamed (status 200) when the page finds no such event,
  // so Next marks it noindex rather than 404: what a person sees is the same.
  await page.goto("/events/987654321");
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  const nowhere = await page.goto("/no-such-page");
  expect(nowhere?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page).toHaveURL(/\/$/);
});
