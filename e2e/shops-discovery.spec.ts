import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// The sandbox of scripts/e2e-server.ts plays Shopify; the worker polls its Partner API events every 2 s.
const sandbox = `http://127.0.0.1:${Number(process.env.E2E_SANDBOX_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 10)}`;
const CONNECTION = "5e3d0b1a-0000-4000-8000-000000000001";

test("a merchant who installs on Shopify appears on Shops & instances by itself, found by search", async ({ page, request }) => {
  const added = await request.post(`${sandbox}/_sandbox/shopify/shops`, {
    data: {
      id: "8800000001",
      domain: "e2e-new-merchant.myshopify.com",
      installs: [{ app: "sandbox-sms-blaster", installedAt: "now", subscription: { plan: "sms-pro", startedAt: "now" } }],
    },
  });
  expect(added.status(), await added.text()).toBe(201);

  await signIn(page, "viewer");
  await page.goto("/shops");
  await page.getByLabel("Search shops and instances").fill("e2e-new-merchant");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/shops\?q=e2e-new-merchant/);
  const table = page.getByTestId("shops-table");
  await expect(async () => {
    await page.reload();
    await expect(table).toContainText("e2e-new-merchant.myshopify.com", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("sms-pro");
  await expect(table).toContainText("installed");

  // Search by the numeric shop id finds it too; a search that matches nothing says so.
  await page.goto("/shops?q=8800000001");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await page.goto("/shops?q=no-such-shop-anywhere");
  await expect(page.getByText("No shop matches")).toBeVisible();

  // The connection shows discovery's state: polling, last synced, lag.
  await page.goto(`/settings/connections/${CONNECTION}`);
  const status = page.getByTestId("discovery-status");
  await expect(status).toContainText("polling");
  await expect(status).toContainText("Last synced");
  await expect(page.getByTestId("discovery-lag")).toHaveText(/\d+ (s|min)/);

  // At a phone's width each shop is a card with its domain, install and plan first; nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/shops?q=e2e-new-merchant");
  const cards = page.getByTestId("shops-cards");
  await expect(cards.locator("li")).toHaveCount(1);
  await expect(cards).toContainText("e2e-new-merchant.myshopify.com");
  await expect(cards).toContainText("installed");
  await expect(cards).toContainText("sms-pro");
  await expect(table).toBeHidden();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
