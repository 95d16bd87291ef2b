import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an operator sends a Shopify event and a Wix event and sees each move from pending to its verdict", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/events/new");

  const shopify = page.locator("form").filter({ has: page.getByRole("button", { name: "Send Shopify event" }) });
  await shopify.getByLabel("Shop").selectOption("23423423");
  await shopify.getByLabel("Event handle").fill("sms_sent");
  await shopify.getByLabel("Value (units)").fill("3");
  await shopify.getByRole("button", { name: "Send Shopify event" }).click();
  const outcome = shopify.getByTestId("send-outcome");
  await expect(outcome).toContainText("Recorded and queued for delivery.");
  await expect(outcome).toContainText("Predicted: billable");
  await outcome.getByRole("link", { name: /Event #\d+/ }).click();
  await expect(page.getByTestId("platform-verdict")).toContainText("billable", { timeout: 20_000 });
  await expect(page.getByTestId("delivery-state")).toContainText("accepted");
  await expect(page.getByText(/Attempt 1 · .* · 202/)).toBeVisible();

  await page.goto("/events/new");
  const wix = page.locator("form").filter({ has: page.getByRole("button", { name: "Send Wix event" }) });
  await wix.getByLabel("Gross revenue (USD)").fill("120");
  await wix.getByLabel("Net revenue (USD)").fill("100");
  await wix.getByLabel("Wix share (USD)").fill("20");
  await wix.getByRole("button", { name: "Send Wix event" }).click();
  await expect(wix.getByTestId("send-outcome")).toContainText("Recorded and queued for delivery.");
  await wix.getByTestId("send-outcome").getByRole("link", { name: /Event #\d+/ }).click();
  await expect(page.getByTestId("platform-verdict")).toContainText("billable", { timeout: 20_000 });
  await expect(page.getByTestId("platform-verdict")).toContainText("Wix recorded the billing event");
});

test("a wrong-case handle is held with a hint, and is sent only when the operator says so", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/events/new");
  const shopify = page.locator("form").filter({ has: page.getByRole("button", { name: "Send Shopify event" }) });
  await shopify.getByLabel("Shop").selectOption("23423423");
  await shopify.getByLabel("Event handle").fill("SMS_SENT");
  await shopify.getByRole("button", { name: "Send Shopify event" }).click();
  const outcome = shopify.getByTestId("send-outcome");
  await expect(outcome).toContainText("Held: predicted to fail.");
  await expect(outcome).toContainText("did you mean sms_sent");
  await outcome.getByRole("link", { name: /Event #\d+/ }).click();
  await expect(page.getByTestId("delivery-state")).toContainText("held");
  await page.getByLabel(/Note/).fill("testing the custom event on purpose");
  await page.getByRole("button", { name: "Send anyway" }).click();
  await expect(page.getByTestId("platform-verdict")).toContainText("non-billable", { timeout: 20_000 });
});

test("field errors come back on the form and nothing is recorded", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/events/new");
  const shopify = page.locator("form").filter({ has: page.getByRole("button", { name: "Send Shopify event" }) });
  await shopify.getByLabel("Value (units)").fill("lots");
  await shopify.getByLabel("Timestamp (ISO 8601)").fill("yesterday");
  await shopify.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(shopify.getByText("Enter a number such as 1 or 5.")).toBeVisible();
  await shopify.getByLabel("Value (units)").fill("1");
  await shopify.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(shopify.getByText("must be an ISO 8601 date-time with a time zone")).toBeVisible();
  await expect(shopify.getByTestId("send-outcome")).toHaveCount(0);
});

test("a viewer cannot send events", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/events/new");
  await expect(page).toHaveURL(/\/events\?denied=send/);
});
