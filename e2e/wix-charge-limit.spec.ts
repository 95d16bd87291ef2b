import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// The sandbox of scripts/e2e-server.ts plays Wix and calls this app's service-plugin endpoints.
const sandbox = `http://127.0.0.1:${Number(process.env.E2E_SANDBOX_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 10)}`;
const GARDEN_GNOME = "e1d2c3b4-a596-4788-9a0b-1c2d3e4f5a6b";

test("a site upgrades, usage moves its charge-limit gauge, the 80 % alert appears and an operator acknowledges it", async ({ page, request }) => {
  // The site owner upgrades: Wix (the sandbox) asks this app for the charge limit and gets the connection's default.
  const upgrade = await request.post(`${sandbox}/_sandbox/wix/instances/${GARDEN_GNOME}/upgrade`, { data: {} });
  expect(upgrade.status(), await upgrade.text()).toBe(200);
  expect((await upgrade.json()).plan.chargeLimit).toBe("50.00");

  await signIn(page, "operator");
  await page.goto("/shops");
  const row = page.getByTestId(`instance-${GARDEN_GNOME}`);
  await expect(row.getByTestId("gauge-used")).toHaveText("$0.00");
  await row.getByRole("link", { name: "Garden Gnome Shop" }).click();

  await expect(page.getByRole("heading", { name: "Garden Gnome Shop" })).toBeVisible();
  const gauge = page.getByTestId("instance-gauge").getByTestId("limit-gauge");
  await expect(gauge).toHaveAttribute("data-percent", "0.0");
  await expect(page.getByTestId("limit-history")).toContainText("Initial limit (Get Charge Limit)");

  const form = page.getByTestId("usage-form");
  await form.getByLabel("Kind").selectOption("mms_sent");
  await form.getByLabel("Quantity (units)").fill("500"); // 500 × $0.05 = $25.00
  await form.getByRole("button", { name: "Record usage" }).click();
  await expect(form.getByRole("status")).toContainText("Recorded as event");
  await expect(gauge).toHaveAttribute("data-percent", "50.0");
  await expect(page.getByTestId("instance-gauge")).toContainText("$25.00");
  await expect(page.getByTestId("instance-alerts")).toHaveCount(0);

  // The same form again records nothing new; "Record another" starts the next usage.
  await form.getByRole("button", { name: "Record usage" }).click();
  await expect(form.getByRole("status")).toContainText("Already recorded as event");
  await expect(gauge).toHaveAttribute("data-percent", "50.0");
  await form.getByRole("button", { name: "Record another" }).click();
  await form.getByLabel("Kind").selectOption("sms_sent");
  await form.getByLabel("Quantity (units)").fill("1600"); // + $16.00 = $41.00, 82 %
  await form.getByRole("button", { name: "Record usage" }).click();
  await expect(gauge).toHaveAttribute("data-percent", "82.0");
  const alerts = page.getByTestId("instance-alerts");
  await expect(alerts.getByTestId("alert")).toHaveCount(1);
  await expect(alerts).toContainText("Garden Gnome Shop passed 80 % of its Wix charge limit");
  await expect(alerts).toContainText("$41.00 of $50.00");
  await expect(page.getByTestId("invoice-now")).toContainText("2 charges, $41.00");

  // Wix's test hook relays what our List Charges answers (display only).
  await page.getByRole("button", { name: "Ask Wix what it would invoice now" }).click();
  const preview = page.getByTestId("wix-preview");
  await expect(preview).toContainText("25.00");
  await expect(preview).toContainText("16.00");

  // The alert is listed on the alerts page, and leaves the open list once acknowledged.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
  const listed = page.getByTestId("alert").filter({ hasText: "Garden Gnome Shop passed 80 %" });
  await expect(listed).toBeVisible();
  await listed.getByRole("button", { name: "Acknowledge" }).click();
  await listed.getByLabel("Note (optional)").fill("Asked the site owner to raise the limit");
  await listed.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("alert").filter({ hasText: "Garden Gnome Shop passed 80 %" })).toHaveCount(0);
  await page.getByRole("link", { name: /Acknowledged/ }).click();
  await expect(page.getByTestId("alert").filter({ hasText: "Garden Gnome Shop passed 80 %" })).toContainText("acknowledged");
});

test("a viewer sees the gauge but no usage form or test action", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/shops");
  await page.getByRole("link", { name: "Acme Bakery" }).click();
  await expect(page.getByTestId("instance-gauge")).toBeVisible();
  await expect(page.getByTestId("usage-form")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Ask Wix what it would invoice now" })).toHaveCount(0);
});
