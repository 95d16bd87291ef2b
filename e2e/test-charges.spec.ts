import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

const chargeForm = (page: Page) => page.getByTestId("test-charge-form");

test("an operator fires a test charge at a sandbox dev store and sees it billable, with the cycle's projected charge", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/test-charges");
  const form = chargeForm(page);
  await expect(form.getByLabel("Connection")).toHaveValue(/.+/);
  await form.getByLabel("Store").selectOption("23423423");
  await form.getByLabel("Meter").selectOption("sms_sent");
  await form.getByLabel("Quantity (units)").fill("7");
  const firstKey = (await form.getByTestId("test-charge-key").textContent())!.replace("key ", "");
  // A double click charges once: both submits carry the form's key.
  await form.getByRole("button", { name: "Fire test charge" }).dblclick();

  await expect(page).toHaveURL(/[?&]event=\d+/);
  const result = page.getByTestId("charge-result");
  await expect(result).toContainText(firstKey);
  await expect(result).toContainText("7 × sms_sent");
  await expect(result).toContainText("dev-sms-store.myshopify.com (dev store)");
  await expect(page.getByTestId("charge-verdict")).toContainText("billable", { timeout: 20_000 });
  await expect(page.getByTestId("charge-state")).toContainText("accepted");
  await expect(page.getByTestId("charge-attempts")).toContainText(/Attempt 1 · .* · 202/);
  // The projected charge: the plan's fee plus priced usage, per meter and in total, in the plan's currency.
  const projection = page.getByTestId("projection");
  await expect(projection).toContainText("SMS Pro (sms-pro)");
  await expect(projection.getByTestId("projection-sms_sent")).toContainText("SMS messages sent");
  await expect(projection.getByTestId("projected-total")).toContainText(/\$\d+\.\d{2}\s*USD/);
  // Shopify never charges a development store: its total says so.
  await expect(projection.getByTestId("never-charged")).toHaveText("test — never charged");
  await expect(projection.getByTestId("projected-fee")).toContainText("$9.99");
  await expect(page.getByTestId("this-charge")).toHaveText("This charge: +7 sms_sent → +$0.07");
  const eventId = new URL(page.url()).searchParams.get("event");
  await expect(form.getByTestId("fire-outcome")).toContainText(`Recorded as event #${eventId}`);
  await expect(form.getByTestId("fire-outcome")).toBeFocused();
  // The same form again is the same charge; "Fire another" starts a new one with a new key.
  await form.getByRole("button", { name: "Fire test charge" }).click();
  await expect(form.getByTestId("fire-outcome")).toContainText(`Already recorded as event #${eventId}`);
  await form.getByRole("button", { name: "Fire another" }).click();
  await expect(form.getByTestId("test-charge-key")).not.toHaveText(`key ${firstKey}`);
  await page.goto(`/events?q=${firstKey}`);
  await expect(page.getByTestId("events-table").locator("tbody tr")).toHaveCount(1);
});

test("an operator runs the tutorial scenario and every expected verdict matches the platform's", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, "operator");
  await page.goto("/test-charges");
  const scenario = page.getByTestId("scenario-form");
  await expect(scenario.getByLabel("Development store")).toContainText("dev-sms-store.myshopify.com · sms-pro");
  await scenario.getByRole("button", { name: "Run the tutorial" }).click();

  await expect(page).toHaveURL(/[?&]run=[0-9a-f]{8}/, { timeout: 60_000 });
  const run = page.getByTestId("scenario-run");
  await expect(run.getByTestId("scenario-summary")).toHaveText("5 of 5 match", { timeout: 30_000 });
  for (const n of [1, 2, 3, 4, 5]) await expect(run.getByTestId(`scenario-step-${n}`)).toHaveAttribute("data-match", "true");
  // The demo store has used its 100 included units this cycle (its seeded usage was delivered), so step 1 is priced.
  await expect(run.getByTestId("scenario-step-1")).toContainText("included units are already used");
  await expect(run.getByTestId("scenario-step-1")).toContainText("+$1.00");
  await expect(run.getByTestId("scenario-step-2")).toContainText("+$0.05");
  await expect(run.getByTestId("scenario-step-3")).toContainText("SMS_SENT");
  await expect(run.getByTestId("scenario-step-3")).toContainText("hint: did you mean sms_sent?");
  await expect(run.getByTestId("scenario-step-3")).toContainText('Did you mean "sms_sent"?');
  await expect(run.getByTestId("scenario-step-4")).toContainText("1 ledger entry, 1 platform event for this key");
  await expect(run.getByTestId("scenario-step-5")).toContainText("PERIOD_CLOSED");
  const footer = run.getByTestId("scenario-footer");
  await expect(footer).toContainText("(expected +$1.05, got it ✓)");
  await expect(footer).toContainText("and back ✓");
  await expect(footer).toContainText("reinstalled on sms-pro ✓; re-synced ✓");

  // The demo stays usable: the store is installed on its plan again, and a charge to it is billable.
  const form = chargeForm(page);
  await expect(form.getByLabel("Store").locator("option[value='23423423']")).toHaveText("dev-sms-store.myshopify.com · sms-pro");
  await form.getByLabel("Store").selectOption("23423423");
  await form.getByRole("button", { name: "Fire test charge" }).click();
  await expect(page).toHaveURL(/[?&]event=\d+/);
  await expect(page.getByTestId("charge-verdict")).toContainText("billable", { timeout: 20_000 });
  await expect(page.getByTestId("scenario-summary")).toHaveText("5 of 5 match");
});

test("a viewer cannot fire a test charge or run the scenario", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/test-charges");
  await expect(page.getByTestId("read-only-note")).toBeVisible();
  await expect(chargeForm(page).getByRole("button", { name: "Fire test charge" })).toBeDisabled();
  await expect(page.getByTestId("scenario-form").getByRole("button", { name: "Run the tutorial" })).toBeDisabled();
});

test("a store that is not a development store is refused for an operator", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/test-charges");
  const form = chargeForm(page);
  await form.getByLabel("Store").selectOption("1002003004");
  await expect(form.getByTestId("non-dev-warning")).toContainText("sunrise-texts.myshopify.com is not a development store");
  await expect(form.getByLabel(/I confirm this charge/)).toBeDisabled();
  // The button says why before anyone clicks it.
  const fire = form.getByRole("button", { name: "Fire test charge" });
  await expect(fire).toBeDisabled();
  await expect(fire).toHaveAccessibleDescription(/Only an admin can charge a store that is not for testing/);
  await form.getByLabel("Store").selectOption("23423423");
  await expect(fire).toBeEnabled();
  await expect(page).not.toHaveURL(/[?&]event=/);
});

test("an admin confirms a charge to a store that is not a development store", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/test-charges");
  const form = chargeForm(page);
  await form.getByLabel("Store").selectOption("1002003004");
  await form.getByRole("button", { name: "Fire test charge" }).click();
  await expect(form.getByTestId("fire-error")).toContainText("tick the confirmation");
  await form.getByLabel(/I confirm this charge/).check();
  await form.getByRole("button", { name: "Fire test charge" }).click();
  await expect(page.getByTestId("charge-result")).toContainText("sunrise-texts.myshopify.com");
  await expect(page.getByTestId("charge-verdict")).toContainText("billable", { timeout: 20_000 });
});
