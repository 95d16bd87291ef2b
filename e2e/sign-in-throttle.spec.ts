import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * Guessing a password is slow: after 5 failures the next try waits and the form says until when;
 * the right password is refused too while it waits; an admin sees the counters and clears them,
 * and the person signs in at once. The attacker's client address comes from X-Forwarded-For, as
 * the TLS proxy in front of the app would send it.
 */
async function tryPassword(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("five wrong passwords make the next try wait; an admin sees it, clears it, and the person signs in", async ({ page, browser }) => {
  await signIn(page, "admin");
  await page.goto("/settings/users");
  const email = `guessed-${Date.now()}@example.com`;
  const password = "the-right-password-42";
  await page.getByLabel("Name").fill("Guessed Person");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator(`[data-email="${email}"]`)).toContainText("Guessed Person");

  const attacker = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "198.51.100.23" } });
  const guesser = await attacker.newPage();
  for (let i = 1; i <= 4; i++) {
    await tryPassword(guesser, email, `guess-${i}`);
    await expect(guesser.locator("form [role=alert]")).toHaveText("Wrong email or password, or the account is disabled.");
  }
  await tryPassword(guesser, email, "guess-5");
  await expect(guesser.locator("form [role=alert]")).toContainText(/Too many failed sign-ins\. Try again in (30|29|28) seconds \(at \d\d:\d\d:\d\d UTC\)\./);
  // Even the right password waits now, and is not looked at.
  await tryPassword(guesser, email, password);
  await expect(guesser.locator("form [role=alert]")).toContainText("Too many failed sign-ins");
  await expect(guesser).toHaveURL(/\/login/);

  await page.reload();
  const table = page.getByTestId("throttles");
  const accountRow = table.locator(`tr[data-subject="${email}"]`);
  const addressRow = table.locator('tr[data-subject="198.51.100.23"]');
  await expect(accountRow).toContainText("account");
  await expect(accountRow.locator("td").nth(1)).toHaveText("5");
  await expect(accountRow.locator("td").nth(2)).toHaveText("1");
  await expect(accountRow).toContainText("UTC");
  await expect(addressRow).toContainText("address");
  await accountRow.getByRole("button", { name: `Clear account ${email}` }).click();
  await expect(accountRow).toHaveCount(0);
  await addressRow.getByRole("button", { name: "Clear address 198.51.100.23" }).click();
  await expect(addressRow).toHaveCount(0);

  await tryPassword(guesser, email, password);
  await expect(guesser.getByTestId("signed-in-user").first()).toHaveText("Guessed Person");
  await attacker.close();

  await page.goto("/audit");
  const audit = page.getByTestId("audit-table");
  await expect(audit).toContainText("auth.sign_in_throttled");
  await expect(audit).toContainText(`Locked sign-ins after repeated failures · sign-ins of ${email}`);
  await expect(audit).toContainText(`Cleared a sign-in lock · sign-ins of ${email}`);
  await expect(audit).toContainText("scope: account");
});
