/**
 * JavaScript a signed-in browser fetches for the dashboard's pages, as Chromium loads them from a
 * running `next start`: every script response in Playwright's network log until the page's
 * charts have rendered (or, on a page without charts, the network is idle), split into the
 * initial scripts (named in the server-rendered HTML) and the lazy chunks loaded after. The
 * charts are static SVG until a pointer or focus enters one; what that first interaction fetches
 * (Recharts) is printed apart, beside the goal's figure.
 * Sizes are gzip level 9 of each body, as CDNs serve them. Goal: ≤ 200 KB in all, charts included.
 *   tsx scripts/bench-first-load.ts --app-url http://127.0.0.1:3300 [--email … --password …] [--pages /,/events] [--smoke]
 */
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { signIn } from "./bench-helpers";
import { BenchReport, cannotMeasure, stopOnUnexpectedErrors, waitForHttp } from "./bench-report";
import { BENCH_USER } from "./generate-entities";

stopOnUnexpectedErrors();
const { values: args } = parseArgs({
  options: {
    "app-url": { type: "string", default: "http://127.0.0.1:3300" },
    email: { type: "string", default: BENCH_USER.email },
    password: { type: "string", default: BENCH_USER.password },
    pages: { type: "string", default: "/,/events" },
    smoke: { type: "boolean", default: false },
  },
});
const base = args["app-url"];
const GOAL_KB = 200;
await waitForHttp(`${base}/login`, `the app at ${base}`, 30_000);
const report = new BenchReport("First-load JavaScript (gzip), as Chromium fetches it");
await report.machine();
const session = await signIn(base, { email: args.email, password: args.password });
const [name, value] = session.split(/=(.*)/s) as [string, string];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name, value, url: base }]);
  for (const path of args.pages.split(",")) {
    const page = await context.newPage();
    const scripts = new Map<string, Promise<Buffer>>();
    page.on("response", (res) => {
      if (res.request().resourceType() === "script" && res.ok()) scripts.set(res.url(), res.body());
    });
    const response = await page.goto(new URL(path, base).toString(), { waitUntil: "load" });
    if (!response?.ok()) cannotMeasure(`${path}: HTTP ${response?.status()}`);
    if (new URL(page.url()).pathname.startsWith("/login")) cannotMeasure(`${path}: the bench user was sent to sign in`);
    const html = await response.text();
    // Charts are drawn as static SVG after hydration (components/charts/static-charts.tsx): wait
    // until every chart on the page has drawn, then for the network to go quiet.
    const charts = await page.locator("[data-chart]").count();
    if (charts > 0) {
      await page.waitForFunction(() => [...document.querySelectorAll("[data-chart]")].every((c) => c.querySelector("[data-drawn] > svg")), undefined, {
        timeout: 30_000,
      });
    }
    await page.waitForLoadState("networkidle");
    const initialSrcs = new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => new URL(m[1]!.replaceAll("&amp;", "&"), base).toString()));
    const sizes = async (urls: Iterable<string>) => {
      let total = 0;
      for (const url of urls) total += gzipSync(await scripts.get(url)!, { level: 9 }).length;
      return total;
    };
    const urls = [...scripts.keys()];
    const initial = await sizes(urls.filter((u) => initialSrcs.has(u)));
    const lazyUrls = urls.filter((u) => !initialSrcs.has(u));
    const lazy = await sizes(lazyUrls);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    report.info(`${path} initial scripts (${urls.length - lazyUrls.length} files)`, kb(initial));
    report.info(`${path} lazy chunks until ${charts ? `the ${charts} charts were drawn` : "the network was idle"} (${lazyUrls.length} files)`, kb(lazy));
    report.figure(`${path} all JavaScript fetched`, kb(initial + lazy), `≤ ${GOAL_KB} KB`, initial + lazy <= GOAL_KB * 1024);
    if (charts > 0) {
      // What the first pointer in a chart fetches (Recharts, for tooltips and hover), after the load.
      const before = new Set(scripts.keys());
      await page.locator("[data-chart]").first().hover();
      await page.locator('[data-chart="recharts"]').first().waitFor({ timeout: 30_000 });
      await page.waitForLoadState("networkidle");
      const fetched = [...scripts.keys()].filter((u) => !before.has(u));
      report.info(`${path} then on the first pointer in a chart: Recharts (${fetched.length} files)`, kb(await sizes(fetched)));
    }
    await page.close();
  }
} finally {
  await browser.close();
}
report.finish();
