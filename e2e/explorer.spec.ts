import { parse } from "csv-parse/sync";
import { expect, test, type Page } from "@playwright/test";
import { e2eDb, signIn } from "./helpers";

/** Idempotency keys of every row the explorer shows for the current filters, following "Older →". */
async function allKeys(page: Page) {
  const keys: string[] = [];
  for (;;) {
    keys.push(
      ...(await page
        .getByTestId("events-table")
        .locator("tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")!))),
    );
    const older = page.getByTestId("older-page");
    if (!(await older.isVisible())) return keys;
    const href = (await older.getAttribute("href"))!;
    await older.click();
    await page.waitForURL((u) => `${u.pathname}${u.search}` === href);
  }
}

test("filters live in the URL, and the CSV export holds exactly the filtered rows with a header and exact decimals", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/events");
  // Choosing in a select changes nothing until "Filter" (WCAG 3.2.2: no reload per arrow key).
  await page.locator('select[name="platform"]').selectOption("wix");
  await page.locator('select[name="verdict"]').selectOption("billable");
  await expect(page).not.toHaveURL(/platform=wix/);
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(/platform=wix/);
  await expect(page).toHaveURL(/verdict=billable/);
  const url = page.url();
  const keys = await allKeys(page);
  expect(keys.length).toBeGreaterThan(50); // more than one page

  await page.goto(url);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  const records: Record<string, string>[] = parse(csv, { columns: true });
  expect(csv.split("\n")[0]).toMatch(/^id,occurred_at,connection,platform,kind,shop_or_instance,handle,quantity,amount,currency,idempotency_key/);
  expect(records.map((r) => r.idempotency_key).sort()).toEqual([...keys].sort());
  expect(records.every((r) => r.platform === "wix" && r.platform_verdict === "billable")).toBe(true);
  expect(records.every((r) => /^-?\d+(\.\d+)?$/.test(r.amount!))).toBe(true);
});

const sortedQuery = (url: string) => [...new URL(url).searchParams.entries()].sort(([a], [b]) => a.localeCompare(b));

test("the open Events list shows a new event by itself, under its filter, keeping the scroll position and the focus", async ({ page }) => {
  test.skip(process.env.E2E_EMBEDDED === "1", "inserts through the e2e Postgres database");
  await signIn(page, "viewer");
  await page.goto("/events?platform=shopify");
  const rows = page.getByTestId("events-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  // The reader has scrolled down and is on a row's link.
  const reading = rows.nth(12);
  await reading.scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 300);
  await reading.getByRole("link").focus();
  const readingKey = await reading.getAttribute("data-key");
  const before = (await reading.boundingBox())!.y;

  const db = await e2eDb();
  const run = Date.now();
  try {
    for (const platform of ["shopify", "wix"]) {
      await db.query(
        `INSERT INTO billing_events (connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, occurred_at, idempotency_key, payload, source, predicted_verdict, state)
         SELECT connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, now(), $1, payload, 'api', 'billable', 'held'
         FROM billing_events WHERE platform = $2::"Platform" AND kind <> 'wix_usage' LIMIT 1`,
        [`e2e-live-${platform}-${run}`, platform],
      );
    }
  } finally {
    await db.end();
  }
  // Within the refresh interval, without a reload: the Shopify one appears at the top, the Wix one does not.
  await expect(rows.first()).toHaveAttribute("data-key", `e2e-live-shopify-${run}`, { timeout: 25_000 });
  await expect(page.getByTestId("new-events-count")).toHaveText(/^[1-9]\d* new events? since you opened this page$/);
  await expect(page.locator(`tr[data-key="e2e-live-wix-${run}"]`)).toHaveCount(0);
  await expect(page).toHaveURL(/platform=shopify/);
  await expect(page.locator('select[name="platform"]')).toHaveValue("shopify");
  // The row being read did not move on screen, and keeps the focus.
  expect(Math.abs((await page.locator(`tr[data-key="${readingKey}"]`).boundingBox())!.y - before)).toBeLessThan(3);
  await expect(page.locator(`tr[data-key="${readingKey}"]`).getByRole("link")).toBeFocused();
});

test("an event's back link returns to the filtered list on the page it was opened from", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/events?platform=wix&verdict=billable");
  const older = page.getByTestId("older-page");
  const href = (await older.getAttribute("href"))!;
  await older.click();
  await page.waitForURL((u) => `${u.pathname}${u.search}` === href);
  const listUrl = page.url();
  const first = page.getByTestId("events-table").locator("tbody tr").first();
  const key = await first.getAttribute("data-key");
  await first.getByRole("link").click();
  await expect(page).toHaveURL(/\/events\/\d+\?list=/);
  await expect(page.getByRole("heading", { name: /^Event #\d+$/ })).toBeVisible();
  await page.getByTestId("back-to-events").click();
  await expect(page).toHaveURL(/cursor=/);
  expect(sortedQuery(page.url())).toEqual(sortedQuery(listUrl));
  await expect(page.locator('select[name="platform"]')).toHaveValue("wix");
  await expect(page.locator('select[name="verdict"]')).toHaveValue("billable");
  await expect(page.getByTestId("events-table").locator("tbody tr").first()).toHaveAttribute("data-key", key!);
});

test("an imported event says it was delivered outside the dashboard, and its code says what to do", async ({ page }) => {
  test.skip(process.env.E2E_EMBEDDED === "1", "reads the e2e Postgres database");
  await signIn(page, "viewer");
  // Demo history from before the current cycles: imported with its verdict, no attempt recorded here.
  const db = await e2eDb();
  const { rows } = await db
    .query(
      `SELECT e.id::text FROM billing_events e WHERE e.platform = 'shopify' AND e.source = 'import' AND e.platform_verdict = 'failed'
    AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.event_id = e.id) ORDER BY e.id LIMIT 1`,
    )
    .finally(() => db.end());
  await page.goto(`/events/${rows[0].id}`);
  await expect(page.getByTestId("delivery-state")).toContainText("imported");
  await expect(page.getByTestId("delivery-state")).not.toContainText("accepted");
  await expect(page.getByTestId("attempts-note")).toHaveText("None recorded here: it was sent before it was imported.");
  await expect(page.getByText("Not sent yet")).toHaveCount(0);
  const explained = page.getByTestId("platform-code-explained");
  await expect(explained).toContainText("What to do:");
  await expect(explained.getByRole("link", { name: /Shopify's docs/ })).toHaveAttribute("href", /^https:\/\/shopify\.dev\//);
  // Times carry their zone; no raw ISO timestamp is left in the page's sentences (the payload is shown as sent).
  for (const part of ["predicted-verdict", "platform-verdict", "delivery-state", "history"]) {
    await expect(page.getByTestId(part)).not.toContainText(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  }
  await expect(page.getByTestId("history").locator("time").first()).toHaveText(/\d{2}:\d{2}:\d{2} [A-Z]/);
});

test("the dashboard's read routes refuse requests without a session", async ({ request }) => {
  for (const path of ["/api/overview?range=24h", "/api/events", "/api/events/export", "/api/events?since=1"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHENTICATED" });
  }
});
