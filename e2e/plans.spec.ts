import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin sees the imported plans and adds a usage meter, with field errors for bad tiers", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings");
  await page.getByRole("link", { name: "SMS Blaster (sandbox)" }).click();
  const pro = page.getByTestId("plan-sms-pro");
  await expect(pro).toContainText("9.99 USD / month");
  await expect(pro).toContainText("sms_sent");
  await expect(pro).toContainText("0.01 USD");

  const basic = page.getByTestId("plan-basic");
  await expect(basic).toContainText("SUBSCRIPTION_NOT_METERED");
  await basic.getByText("Add a usage meter").click();
  await basic.getByLabel("Meter handle").fill("emails_sent");
  await basic.getByLabel("Meter name").fill("Emails sent");
  await basic.getByLabel("Structure").selectOption("graduated");
  await basic.getByLabel("Tiers (graduated / volume)").fill("inf 0.01\n1000 0.02");
  await basic.getByRole("button", { name: "Add meter" }).click();
  await expect(basic.getByText("Line 1: only the last tier can be open-ended.")).toBeVisible();
  await basic.getByLabel("Tiers (graduated / volume)").fill("1000 0.02\ninf 0.01");
  await basic.getByRole("button", { name: "Add meter" }).click();
  await expect(basic).toContainText("emails_sent");
  await expect(basic).toContainText("1000 @ 0.02 · ∞ @ 0.01");
});

test("an operator previews the import from the sandbox, then imports; a viewer sees plans but cannot change them", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/settings");
  await page.getByRole("link", { name: "SMS Blaster for Wix (sandbox)" }).click();
  await page.getByRole("button", { name: "Import from the sandbox" }).click();
  // The preview lists what would change before anything is written, and the import waits for a click.
  const preview = page.getByTestId("import-preview");
  await expect(preview).toBeVisible();
  const confirm = preview.getByRole("button", { name: /^Import( and replace)?$/ });
  if (await preview.getByText("Nothing would change").count()) {
    await expect(confirm).toHaveCount(0);
  } else {
    await confirm.click();
    await expect(page.getByRole("status").filter({ hasText: "Imported:" })).toContainText("instances");
  }
  await expect(page.getByTestId("price-list")).toContainText("sms_sent");
  await expect(page.getByRole("button", { name: "Save price" })).toHaveCount(0);
});
