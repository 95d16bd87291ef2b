import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// The demo Shopify sandbox connection: personal data in attributes is refused by default; an
// admin switches the connection to warn (audited), and the same form then stores the event held.
const SHOPIFY = "/settings/connections/5e3d0b1a-0000-4000-8000-000000000001";

test("personal data in a Shopify attribute: refused at the attribute, then held with a warning once the connection warns", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/events/new");
  const form = page.getByRole("form", { name: "Send a Shopify usage event" });
  await form.getByLabel("Shop").selectOption("23423423");
  await form.getByLabel("Other attributes (JSON, optional)").fill('{"email": "ana@example.com", "sms_sent": 100}');
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(form.getByText("email: the value looks like an email address: Shopify forbids personal data in attributes")).toBeVisible();
  await expect(form.getByTestId("send-outcome")).toHaveCount(0);
  await page.goto("/events");
  await expect(page.getByTestId("personal-data-count")).toContainText("1 event refused, 0 held with a warning");

  await page.goto(SHOPIFY);
  const manage = page.locator("section", { has: page.getByRole("heading", { name: "Manage the connection" }) });
  await manage.getByLabel("Personal data in attributes").selectOption("warn");
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.goto("/audit");
  await expect(page.getByText("connection.update").first()).toBeVisible();

  await page.goto("/events/new");
  await form.getByLabel("Shop").selectOption("23423423");
  await form.getByLabel("Other attributes (JSON, optional)").fill('{"email": "ana@example.com", "sms_sent": 100}');
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  const outcome = form.getByTestId("send-outcome");
  await expect(outcome).toContainText("Held: it looks like personal data.");
  await expect(outcome.getByTestId("personal-data-warning")).toContainText("email (the value looks like an email address)");
  await outcome.getByRole("link", { name: /Event #\d+/ }).click();
  await expect(page.getByTestId("personal-data-warning")).toContainText("Shopify forbids personal data in attributes: email");
  await expect(page.getByTestId("delivery-state")).toContainText("held");
  await page.goto("/events");
  await expect(page.getByTestId("personal-data-count")).toContainText("1 event refused, 1 held with a warning");

  // Back to the default, so other specs see the demo connection as seeded.
  await page.goto(SHOPIFY);
  await manage.getByLabel("Personal data in attributes").selectOption("refuse");
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
});
