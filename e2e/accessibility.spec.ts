import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * Every page, in each of four modes (light and dark, laptop and a 390 px phone): axe-core finds no
 * serious or critical WCAG 2.1 A/AA violation, and no page is wider than the screen. One browser
 * context per mode, signed in once, so the whole tour stays quick. Screenshots go to /tmp.
 */
const fixedPages = ["/", "/events", "/events/new", "/shops", "/alerts", "/test-charges", "/reconcile", "/settings", "/settings/users", "/audit"];

/** Pages with an id in their path: the first one each list links to. */
const linkedPages: [string, RegExp][] = [
  ["/events", /^\/events\/\d+$/],
  ["/shops", /^\/shops\/wix\/[^/]+$/],
  ["/settings", /^\/settings\/connections\/[^/]+$/],
];

/** The first link on `from` matching `pattern`, once the page's streamed content (after loading.tsx) has arrived. */
async function firstLink(page: Page, from: string, pattern: RegExp) {
  await page.goto(from);
  let found: string | undefined;
  await expect
    .poll(
      async () => {
        const hrefs = await page.locator("main a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
        found = hrefs.find((h) => pattern.test(h));
        return found;
      },
      { timeout: 20_000 },
    )
    .toBeTruthy();
  return found;
}

async function violations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 4)
          .map((n) => n.target.join(" "))
          .join(" | ")}${v.nodes.length > 4 ? ` … ${v.nodes.length} in all` : ""}`,
    );
}

async function tour(browser: Browser, mode: { width: number; scheme: "light" | "dark"; label: string }) {
  const context = await browser.newContext({ viewport: { width: mode.width, height: 900 }, colorScheme: mode.scheme });
  const page = await context.newPage();
  const found: string[] = [];
  const check = async (path: string) => {
    if (page.url() !== new URL(path, page.url()).href) await page.goto(path);
    await expect(page.locator("h1")).toBeVisible();
    for (const v of await violations(page)) found.push(`${path}: ${v}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) found.push(`${path}: ${overflow}px wider than the ${mode.width}px screen`);
    await page.screenshot({ path: `/tmp/pbd-a11y/${path.replace(/\W+/g, "_") || "root"}-${mode.label}.png`, fullPage: true });
  };
  await page.goto("/login");
  await check("/login");
  await signIn(page, "admin");
  for (const path of fixedPages) await check(path);
  for (const [from, pattern] of linkedPages) {
    const href = await firstLink(page, from, pattern);
    expect(href, `${from} links to a page matching ${pattern}`).toBeTruthy();
    await check(href!);
  }
  await context.close();
  return found;
}

for (const mode of [
  { width: 1280, scheme: "light", label: "laptop-light" },
  { width: 1280, scheme: "dark", label: "laptop-dark" },
  { width: 390, scheme: "light", label: "phone-light" },
  { width: 390, scheme: "dark", label: "phone-dark" },
] as const) {
  test(`every page passes axe and fits the screen: ${mode.label}`, async ({ browser }) => {
    test.setTimeout(180_000);
    const found = await tour(browser, mode);
    expect(found, found.join("\n")).toEqual([]);
  });
}
