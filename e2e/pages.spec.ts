import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

/** Every page renders for an admin at laptop and phone widths, light and dark; screenshots are kept in e2e/screenshots. */
const pages = [
  ["events", "/events"],
  ["send", "/events/new"],
  ["shops", "/shops"],
  ["alerts", "/alerts"],
  ["test-charges", "/test-charges"],
  ["reconcile", "/reconcile"],
  ["settings", "/settings"],
  ["users", "/settings/users"],
  ["audit", "/audit"],
] as const;

for (const [width, label] of [[1400, "laptop"], [390, "phone"]] as const) {
  test(`pages render at ${label} width in light and dark mode`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, "admin");
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, path] of pages) {
        await page.goto(path);
        await expect(page.locator("h1")).toBeVisible();
        await expect(page.getByText("Something went wrong")).toHaveCount(0);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} scrolls sideways at ${width}px`).toBeLessThanOrEqual(1);
        await page.screenshot({ path: `e2e/screenshots/${name}-${label}-${scheme}.png`, fullPage: true });
      }
    }
  });
}
