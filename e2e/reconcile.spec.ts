import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an operator imports the sandbox's log, marks an event non-billable by hand with a note, and the audit log shows it", async ({ page }) => {
  await signIn(page, "operator");
  // Something to reconcile: one event sent through the pipeline.
  await page.goto("/events/new");
  const shopify = page.locator("form").filter({ has: page.getByRole("button", { name: "Send Shopify event" }) });
  await shopify.getByLabel("Shop").selectOption("23423423");
  await shopify.getByLabel("Idempotency key").fill(`recon-e2e-${Date.now()}`);
  await shopify.getByRole("button", { name: "Send Shopify event" }).click();
  await shopify.getByTestId("send-outcome").getByRole("link", { name: /Event #\d+/ }).click();
  await expect(page.getByTestId("platform-verdict")).toContainText("billable", { timeout: 20_000 });
  const eventUrl = page.url();

  await page.goto("/reconcile");
  await page.getByRole("button", { name: "Import the sandbox's log" }).click();
  await expect(page.getByRole("status").filter({ hasText: "rows read" })).toBeVisible();
  const totals = page.getByTestId("totals-23423423");
  await expect(totals).toContainText("sms_sent");

  // A malformed file is refused whole, naming the line.
  await page.setInputFiles("#log-file", { name: "log.csv", mimeType: "text/csv", buffer: Buffer.from("status,event_handle,shop,timestamp,billable,billing_result_code,result_details,idempotency_key,value\n200,sms_sent,s,2026-11-20T10:00:00Z,true,,,ok-1,1\n200,sms_sent,s,yesterday,true,,,bad-2,1\n") });
  await page.getByRole("button", { name: "Import file" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "line 3" })).toContainText("nothing imported");

  // Mark by hand on the event, with a note; the audit log shows who, what and the note.
  await page.goto(eventUrl);
  const eventId = eventUrl.split("/").pop()!;
  await page.getByRole("button", { name: "Mark" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Write a note" })).toBeVisible();
  await page.getByLabel("Verdict note").fill("Dev Dashboard shows it non-billable");
  await page.getByRole("button", { name: "Mark" }).click();
  await expect(page.getByTestId("platform-verdict")).toContainText("non-billable");
  await expect(page.getByTestId("platform-verdict")).toContainText("from person");
  await page.goto("/audit");
  const row = page.getByTestId("audit-table").locator("tr").filter({ hasText: "event.mark_verdict" }).filter({ hasText: eventId }).first();
  await expect(row).toContainText("operator@example.com");
  await expect(row).toContainText("Dev Dashboard shows it non-billable");
  await expect(row).toContainText('"verdict":"non_billable"');
});

test("Wix: after Wix invoices a period, the ledger's usage, the invoice and what was carried add up", async ({ page, baseURL }) => {
  const sandbox = `http://127.0.0.1:${Number(new URL(baseURL!).port) + 10}`;
  const res = await page.request.post(`${sandbox}/_sandbox/wix/instances/7dd21ebc-a097-43ac-8763-2806daee84a1/run-invoice`, { data: {} });
  expect(res.ok()).toBe(true);
  await signIn(page, "viewer");
  await page.goto("/reconcile?connection=5e3d0b1a-0000-4000-8000-000000000002");
  const table = page.getByTestId("wix-periods-7dd21ebc-a097-43ac-8763-2806daee84a1");
  const row = table.locator("tbody tr").first();
  await expect(row).toContainText("invoiced");
  const cells = await row.locator("td").allTextContents();
  // Usage events > 0; ledger usage = invoiced + carried; nothing unexplained.
  expect(Number(cells[2])).toBeGreaterThan(0);
  const usd = (t: string) => Number(t.replace(/[$,]/g, ""));
  expect(usd(cells[3]!)).toBeGreaterThan(0);
  expect(usd(cells[3]!)).toBeCloseTo(usd(cells[5]!) + usd(cells[6]!), 10);
  expect(cells[8]).toBe("$0.00");
});
