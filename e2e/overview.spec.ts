import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

const shots = path.resolve(import.meta.dirname, "screenshots");

/** Charts are drawn as static SVG once the page has hydrated (Recharts comes on the first pointer), so allow for a slow machine. */
async function chartsDrawn(page: Page) {
  await expect(page.getByTestId("outcome-chart").locator("[data-bar]").first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("failure-chart").locator("[data-bar]").first()).toBeVisible({ timeout: 20_000 });
}

/** Each bar's box relative to its chart, in reading order. */
async function barBoxes(page: Page, testId: string, selector: string) {
  return page
    .getByTestId(testId)
    .locator(selector)
    .evaluateAll((bars) =>
      bars
        .map((bar) => {
          const chart = bar.closest("[data-chart]")!.getBoundingClientRect();
          const box = bar.getBoundingClientRect();
          return [box.x - chart.x, box.y - chart.y, box.width, box.height];
        })
        .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!),
    );
}

/** Sum of a chart table's cells (the accessible fallback has the numbers the bars draw). */
/** The whole page in one viewport, so the sticky sidebar spans it (a fullPage capture would cut it off). */
async function capture(page: Page, width: number, file: string) {
  await page.setViewportSize({ width, height: 900 });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width, height });
  await chartsDrawn(page);
  // The charts have redrawn at the new size: each chart's SVG is as wide as its box.
  await page.waitForFunction(() =>
    [...document.querySelectorAll("[data-chart]")].every((box) => {
      const svg = box.querySelector(box.getAttribute("data-chart") === "recharts" ? "svg.recharts-surface[role=application]" : "[data-drawn] > svg");
      return svg !== null && Math.abs(svg.getBoundingClientRect().width - box.getBoundingClientRect().width) <= 2;
    }),
  );
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
    await expect(page.getByTestId("outcome-chart").locator("li").getByText(name, { exact: true })).toBeVisible();
  }
  for (const summary of await page.getByText("Show as table").all()) await summary.click();

  fs.mkdirSync(shots, { recursive: true });
  await capture(page, 1400, "overview-light.png"); // the README's docs/overview.png is refreshed by hand from this one

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
  // A pointer in the chart brings Recharts (tooltips), drawn over the static bars.
  await page.getByTestId("code-totals-chart").hover();
  await expect(page.getByTestId("code-totals-chart")).toHaveAttribute("data-chart", "recharts");
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

test("the charts are static SVG at first load; the first pointer brings Recharts, which draws the same bars and adds tooltips", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const scripts: string[] = [];
  page.on("request", (r) => r.resourceType() === "script" && scripts.push(r.url()));
  await signIn(page, "viewer");
  await page.goto("/?range=30d");
  await chartsDrawn(page);
  for (const id of ["outcome-chart", "failure-chart", "code-totals-chart"]) await expect(page.getByTestId(id)).toHaveAttribute("data-chart", "static");
  await expect(page.locator(".recharts-surface")).toHaveCount(0);
  const loaded = scripts.length;

  // A static bar opens the explorer slice by itself (a click before Recharts has come).
  const firstBar = page.getByTestId("outcome-chart").locator("[data-bar]").first();
  await firstBar.dispatchEvent("click");
  await expect(page).toHaveURL(/\/events\?.*outcome=/);
  await page.goBack();
  await chartsDrawn(page);

  for (const id of ["outcome-chart", "failure-chart", "code-totals-chart"]) {
    const drawn = await barBoxes(page, id, "[data-bar]");
    await page.getByTestId(id).hover();
    await expect(page.getByTestId(id)).toHaveAttribute("data-chart", "recharts");
    const recharts = await barBoxes(page, id, ".recharts-bar-rectangle path");
    expect(recharts.length, `${id}: as many bars`).toBe(drawn.length);
    const worst = Math.max(...recharts.flatMap((box, i) => box.map((v, k) => Math.abs(v - drawn[i]![k]!))));
    expect(worst, `${id}: every bar where the static chart drew it (px)`).toBeLessThanOrEqual(1.5);
  }
  expect(scripts.length, "Recharts was fetched on the first pointer").toBeGreaterThan(loaded);
  const bar = page.getByTestId("outcome-chart").locator(".recharts-bar-rectangle").last();
  await bar.hover();
  await expect(page.getByTestId("outcome-chart").locator(".recharts-tooltip-wrapper")).toContainText("click to open");
});
