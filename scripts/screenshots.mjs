import { chromium } from "@playwright/test";
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
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
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const base = process.env.BASE ?? "http://127.0.0.1:3000";
await page.goto(base + "/login");
await page.screenshot({ path: (process.env.OUT ?? "/tmp/shots") + "/login.png" });
await page.fill("#email", "admin@example.com");
await page.fill("#password", "billing-demo-admin");
await page.click("button[type=submit]");
await page.waitForURL(base + "/");
const pages = (process.env.PAGES ?? "/,/events,/shops,/settings,/settings/users,/audit").split(",");
for (const p of pages) {
  await page.goto(base + p);
  await page.screenshot({ path: `${process.env.OUT ?? "/tmp/shots"}/${p.replace(/\W+/g, "_") || "root"}.png`, fullPage: true });
}
if (process.env.DARK) {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.evaluate(() => {
    localStorage.removeItem("theme");
  });
  await page.goto(base + "/");
  await page.screenshot({ path: (process.env.OUT ?? "/tmp/shots") + "/dark.png", fullPage: true });
}
await browser.close();
