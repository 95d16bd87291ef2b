import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

const shopifyForm = (page: Page) => page.getByRole("form", { name: "Send a Shopify usage event" });
const wixForm = (page: Page) => page.getByRole("form", { name: "Send a Wix external billing event" });

/** How many ledger entries carry this key, as the explorer lists them. */
async function entriesWithKey(page: Page, key: string) {
  await page.goto(`/events?q=${encodeURIComponent(key)}`);
  await expect(page.locator("h1")).toHaveText("Events");
  return page.getByTestId("events-table").locator("tbody tr").count();
}

test("a double click and a resend of the same form record one event; 'Send another' starts a new one", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/events/new");
  const form = shopifyForm(page);
  const keyField = form.getByLabel("Idempotency key");
  const key = await keyField.inputValue();
  expect(key).toMatch(/^ui-[0-9a-f]{32}$/);
  await form.getByLabel("Shop").selectOption("23423423");
  await form.getByLabel("Value (units)").fill("2");
  await form.getByRole("button", { name: "Send Shopify event" }).dblclick();
  const outcome = form.getByTestId("send-outcome");
  await expect(outcome).toContainText("Recorded and queued for delivery.");
  await expect(outcome).toBeFocused();
  const id = (await outcome.getByRole("link", { name: /Event #\d+/ }).textContent())!.match(/#(\d+)/)![1];
  // The same form again: the key is the form's, so it is the same event.
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(outcome).toContainText(`Already recorded as #${id}`);
  await expect(keyField).toHaveValue(key);
  // Changed details under the same key are a conflict, named at the key; nothing is stored.
  await form.getByLabel("Value (units)").fill("3");
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(form.getByText(`already used by event #${id} for a different event`)).toBeVisible();
  await form.getByLabel("Value (units)").fill("2");
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(outcome).toContainText(`Already recorded as #${id}`);
  await outcome.getByRole("button", { name: "Send another" }).click();
  await expect(outcome).toHaveCount(0);
  await expect(keyField).not.toHaveValue(key);
  expect(await entriesWithKey(page, key)).toBe(1);

  await page.goto("/events/new");
  const wix = wixForm(page);
  const wixKey = await wix.getByLabel("Idempotency key").inputValue();
  await wix.getByLabel("Gross revenue (USD)").fill("50");
  await wix.getByLabel("Wix share (USD)").fill("10");
  await wix.getByRole("button", { name: "Send Wix event" }).dblclick();
  await expect(wix.getByTestId("send-outcome")).toContainText("Recorded and queued for delivery.");
  await wix.getByRole("button", { name: "Send Wix event" }).click();
  await expect(wix.getByTestId("send-outcome")).toContainText("Already recorded as #");
  expect(await entriesWithKey(page, wixKey)).toBe(1);
});

test("the Wix form asks at the field where Wix's rule is unknown and stores nothing until confirmed", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/events/new");
  const wix = wixForm(page);
  const key = await wix.getByLabel("Idempotency key").inputValue();
  await expect(wix.getByLabel("Gross revenue (USD)")).toHaveAccessibleDescription(/Wix reports external billing in USD whatever the site's currency/);
  await wix.getByLabel("Gross revenue (USD)").fill("-10");
  await wix.getByLabel("Wix share (USD)").fill("-2");
  await wix.getByLabel(/Transaction date/).fill("2031-01-01T00:00:00Z");
  await wix.getByRole("button", { name: "Send Wix event" }).click();
  const gross = wix.getByLabel("Gross revenue (USD)");
  await expect(gross).toHaveAttribute("aria-invalid", "true");
  await expect(gross).toHaveAccessibleDescription(/Negative revenue is usually a REFUND: send it as a CHARGE anyway\?/);
  await expect(gross).toBeFocused();
  await expect(wix.getByLabel(/Transaction date/)).toHaveAccessibleDescription(/in the future/);
  await expect(wix.getByTestId("send-outcome")).toHaveCount(0);
  // One answer is not enough: the other question is still open, and nothing is stored.
  await wix.getByLabel("Yes, send it as a CHARGE").check();
  await wix.getByRole("button", { name: "Send Wix event" }).click();
  await expect(wix.getByLabel(/Transaction date/)).toBeFocused();
  await expect(wix.getByLabel("Gross revenue (USD)")).not.toHaveAttribute("aria-invalid", "true");
  expect(await entriesWithKey(page, key)).toBe(0);

  await page.goto("/events/new");
  const again = wixForm(page);
  const key2 = await again.getByLabel("Idempotency key").inputValue();
  await again.getByLabel("Gross revenue (USD)").fill("-10");
  await again.getByLabel("Wix share (USD)").fill("-2");
  await again.getByRole("button", { name: "Send Wix event" }).click();
  await again.getByLabel("Yes, send it as a CHARGE").check();
  await again.getByRole("button", { name: "Send Wix event" }).click();
  await expect(again.getByTestId("send-outcome")).toContainText("Recorded");
  expect(await entriesWithKey(page, key2)).toBe(1);
});

test("a new submit clears the last result, and an error is at its field, linked and focused", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/events/new");
  const form = shopifyForm(page);
  await form.getByLabel("Shop").selectOption("23423423");
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(form.getByTestId("send-outcome")).toContainText("Recorded");
  await form.getByRole("button", { name: "Send another" }).click();
  await form.getByLabel("Idempotency key").fill("k".repeat(65));
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  const keyField = form.getByLabel("Idempotency key");
  await expect(keyField).toHaveAccessibleDescription(/at most 64 characters/);
  await expect(keyField).toBeFocused();
  await expect(form.getByTestId("send-outcome")).toHaveCount(0);
  await page.goto("/events/new");
  const wix = wixForm(page);
  await wix.getByLabel("Idempotency key").fill("k".repeat(65));
  await wix.getByLabel("Gross revenue (USD)").fill("5");
  await wix.getByLabel("Wix share (USD)").fill("1");
  await wix.getByRole("button", { name: "Send Wix event" }).click();
  await expect(wix.getByLabel("Idempotency key")).toHaveAccessibleDescription(/Wix events carry no key/);
  await expect(wix.getByLabel("Idempotency key")).not.toHaveAccessibleDescription(/Shopify/);
});

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
  await expect(page.getByText(/Attempt 1 · .* · HTTP 202/)).toBeVisible();
  await expect(page.getByTestId("history")).toContainText("The delivery worker: Sent it (attempt 1)");

  await page.goto("/events/new");
  const wix = page.locator("form").filter({ has: page.getByRole("button", { name: "Send Wix event" }) });
  await wix.getByLabel("Gross revenue (USD)").fill("120");
  await wix.getByLabel("Net revenue (USD)").fill("100");
  await wix.getByLabel("Wix share (USD)").fill("20");
  await wix.getByRole("button", { name: "Send Wix event" }).click();
  await expect(wix.getByTestId("send-outcome")).toContainText("Recorded and queued for delivery.");
  await wix
    .getByTestId("send-outcome")
    .getByRole("link", { name: /Event #\d+/ })
    .click();
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
  await shopify.getByLabel(/^Timestamp/).fill("yesterday");
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
  await expect(page.getByRole("status").filter({ hasText: "Sending events needs the operator role" })).toBeVisible();
});

test("a held event is voided with a note: a new ledger entry points to it, nothing is sent, and the charts leave both out", async ({ page }) => {
  await signIn(page, "operator");
  const eventsKpi = async () => {
    await page.goto("/");
    return Number((await page.getByTestId("kpi-Events").textContent())!.replace(/\D/g, ""));
  };
  const before = await eventsKpi();
  await page.goto("/events/new");
  const form = shopifyForm(page);
  await form.getByLabel("Shop").selectOption("23423423");
  await form.getByLabel("Event handle").fill("SMS_SENT");
  await form.getByRole("button", { name: "Send Shopify event" }).click();
  await expect(form.getByTestId("send-outcome")).toContainText("Held: predicted to fail.");
  const id = (await form
    .getByTestId("send-outcome")
    .getByRole("link", { name: /Event #\d+/ })
    .textContent())!.match(/#(\d+)/)![1];
  expect(await eventsKpi()).toBe(before + 1);

  await page.goto(`/events/${id}`);
  const voidForm = page.getByTestId("void-form");
  await voidForm.getByRole("button", { name: "Void event" }).click();
  const note = voidForm.getByLabel(/Why void it/);
  await expect(note).toBeFocused();
  await expect(note).toHaveAccessibleDescription(/Say why it is voided/);
  await note.fill("typo in the handle");
  await voidForm.getByRole("button", { name: "Void event" }).click();
  await expect(page.getByTestId("delivery-state")).toContainText("voided");
  await expect(page.getByRole("button", { name: "Send anyway" })).toHaveCount(0);
  await expect(page.getByTestId("superseded-note")).toContainText("never sent; the charts and totals leave this entry out");
  await page.getByRole("listitem").filter({ hasText: "Voided by" }).getByRole("link").click();
  await expect(page.getByText("Voids", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: `#${id}` })).toBeVisible();
  expect(await eventsKpi()).toBe(before);
});
