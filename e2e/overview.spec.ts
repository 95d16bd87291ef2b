import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

const shots = path.resolve(import.meta.dirname, "screenshots");

/** Charts load after the page (next/dynamic), so allow for a slow machine. */
async function chartsDrawn(page: Page) {
  await expect(page.getByTestId("outcome-chart").locator(".recharts-bar-rectangle").first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("failure-chart").locator(".recharts-bar-rectangle").first()).toBeVisible({ timeout: 20_000 });
}

/** Sum of a chart table's cells (the accessible fallback has the numbers the bars draw). */
/** The whole page in one viewport, so the sticky sidebar spans it (a fullPage capture would cut it off). */
async function capture(page: Page, width: number, file: string) {
  await page.setViewportSize({ width, height: 900 });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width, height });
  await chartsDrawn(page);
  await page.waitForTimeout(300); // let the responsive charts settle at the new size
  await page.screenshot({ path: path.join(shots, file) });
}

async function tableTotal(page: Page, testId: string) {
  const cells = await page.getByTestId(testId).locator("tbody td").allInnerTexts();
  return cells.reduce((sum, text) => sum + Number(text.replace(/,/g, "") || 0), 0);
}

test("the Overview charts the demo history: outcomes and errors by code, both non-zero, in light and dark mode", async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await signIn(page, "viewer");
  await page.goto("/?range=30d");
  await chartsDrawn(page);
  await expect(page.getByTestId("kpi-Events")).not.toHaveText("0");
  await expect(page.getByTestId("live-status")).toContainText("Live");

  for (const summary of await page.getByText("Show as table").all()) await summary.click();
  expect(await tableTotal(page, "outcome-table")).toBeGreaterThan(100);
  expect(await tableTotal(page, "failure-table")).toBeGreaterThan(0);
  // Every outcome series has events (the legend lists them; billable, non-billable and failed bars are drawn).
  for (const name of ["Billable", "Non-billable", "Failed"]) {
    await expect(page.getByTestId("outcome-chart").locator(".recharts-legend-item-text").getByText(name, { exact: true })).toBeVisible();
  }
  for (const summary of await page.getByText("Show as table").all()) await summary.click();

  fs.mkdirSync(shots, { recursive: true });
  await capture(page, 1400, "overview-light.png");
  fs.mkdirSync(path.resolve(import.meta.dirname, "../docs"), { recursive: true });
  fs.copyFileSync(path.join(shots, "overview-light.png"), path.resolve(import.meta.dirname, "../docs/overview.png"));

  await page.getByRole("button", { name: "Dark mode" }).first().click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await capture(page, 1400, "overview-dark.png");
  await capture(page, 390, "overview-phone-dark.png");
});

test("clicking an error code opens the explorer filtered by that code, with the count the chart shows", async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await signIn(page, "viewer");
  await page.goto("/?range=30d");
  await chartsDrawn(page);
  const bars = page.getByTestId("code-totals-chart").locator(".recharts-bar-rectangle");
  await expect(bars.first()).toBeVisible();
  // Bars are sorted like the code list beside them: the first bar is the most frequent code.
  const code = (await page.locator('[data-testid^="code-link-"]').first().getAttribute("data-testid"))!.replace("code-link-", "");
  const expected = Number((await page.getByTestId(`code-link-${code}`).locator("span").innerText()).replace(/,/g, ""));

  await bars.first().click();
  await expect(page).toHaveURL(new RegExp(`/events\\?.*code=${code}`));
  await expect(page).toHaveURL(/outcome=failed/);
  const table = page.getByTestId("events-table");
  await expect(table).toBeVisible();
  await expect(page.locator('input[name="code"]')).toHaveValue(code);
  let rows = await table.locator("tbody tr").count();
  while (await page.getByTestId("older-page").isVisible()) {
    const href = (await page.getByTestId("older-page").getAttribute("href"))!;
    await page.getByTestId("older-page").click();
    await page.waitForURL((u) => `${u.pathname}${u.search}` === href);
    rows += await page.getByTestId("events-table").locator("tbody tr").count();
  }
  expect(rows).toBe(expected);
  for (const badge of await page.getByTestId("events-table").locator("tbody tr td:nth-child(9)").allInnerTexts()) expect(badge).toContain(code);
});
