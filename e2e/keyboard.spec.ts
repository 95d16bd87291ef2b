import { expect, test, type Page } from "@playwright/test";
import { users } from "./helpers";

/**
 * A keyboard-only run, as someone without a mouse does it: from the sign-in page to a sent
 * Shopify event and its page, with Tab, Shift+Tab, Enter, Space and the arrow keys only (and
 * typing into fields). At every stop the focused control is the one expected and its focus ring
 * is visible; after Send, focus is on the result, not lost to <body>. Then the audit log names
 * the event and links to it. No click, no fill, no locator-driven focus anywhere.
 */

type Focused = { tag: string; id: string; name: string; text: string; visible: boolean; ring: string; testid: string | null };

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: "body", id: "", name: "", text: "", visible: false, ring: "", testid: null };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow !== "none" && style.boxShadow !== "";
    const box = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: el.getAttribute("name") ?? "",
      text: (el.innerText || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " "),
      // Visible focus: the browser matches :focus-visible and draws a 2px outline or a ring, on a box with size.
      visible: el.matches(":focus-visible") && (outline || ring) && box.width > 0 && box.height > 0,
      ring: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      testid: el.getAttribute("data-testid"),
    };
  });
}

/** Presses Tab until the focused element matches; every stop on the way must show its focus. */
async function tabTo(page: Page, want: (f: Focused) => boolean, what: string, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    expect(f.tag, `Tab ${i + 1} on the way to ${what} left focus on <body>`).not.toBe("body");
    expect(f.visible, `focus ring on <${f.tag}> "${f.text || f.id || f.name}" (${f.ring}) on the way to ${what}`).toBe(true);
    if (want(f)) return i + 1;
  }
  throw new Error(`${what}: not reached in ${max} tabs`);
}

test("keyboard only: sign in, go to Events, send a Shopify event, open it; focus is visible and lands where it should", async ({ page }) => {
  test.setTimeout(120_000);
  const u = users.operator;
  await page.goto("/login");

  // Sign in: the first Tab is the email field.
  expect(await tabTo(page, (f) => f.id === "email", "the email field")).toBe(1);
  await page.keyboard.type(u.email);
  await tabTo(page, (f) => f.id === "password", "the password field", 1);
  await page.keyboard.type(u.password);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("signed-in-user").first()).toHaveText(u.name, { timeout: 15_000 });
  await expect(page.locator("h1")).toHaveText("Overview");

  // The first Tab on a dashboard page is the skip link; Enter puts focus on the content.
  expect(await tabTo(page, (f) => f.text === "Skip to content", "the skip link")).toBe(1);
  await page.keyboard.press("Enter");
  expect((await focused(page)).id).toBe("main");
  // Back up into the navigation with Shift+Tab and take the Events link.
  let f: Focused;
  for (let i = 0; ; i++) {
    await page.keyboard.press("Shift+Tab");
    f = await focused(page);
    expect(f.visible, `focus ring on <${f.tag}> "${f.text}" going back to the navigation`).toBe(true);
    if (f.tag === "a" && f.text === "Events") break;
    expect(i, "the Events link is reached going back from the content").toBeLessThan(30);
  }
  await page.keyboard.press("Enter");
  await expect(page.locator("h1")).toHaveText("Events");
  await expect(page).toHaveURL(/\/events$/);

  // "Send an event" from the Events page, then the Shopify form, field by field.
  await tabTo(page, (f) => f.tag === "a" && f.text === "Send an event", "Send an event");
  await page.keyboard.press("Enter");
  await expect(page.locator("h1")).toHaveText("Send an event");
  // The link it followed is gone with the old page: focus is on the new page's content, not <body>.
  await expect.poll(async () => (await focused(page)).id).toBe("main");
  expect(await tabTo(page, (f) => f.id === "s-connection", "the Connection select")).toBeLessThanOrEqual(2);
  await tabTo(page, (f) => f.id === "s-shop", "the Shop select", 1);
  // Arrow keys move a closed select's choice; the seed's dev store has a plan, so the event is billable.
  for (let i = 0; i < 10 && (await page.locator("#s-shop").inputValue()) !== "23423423"; i++) await page.keyboard.press("ArrowDown");
  await expect(page.locator("#s-shop")).toHaveValue("23423423");
  await tabTo(page, (f) => f.id === "s-handle", "the Event handle field", 1);
  await tabTo(page, (f) => f.id === "s-value", "the Value field", 1);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("3");
  const key = await page.locator("#s-key").inputValue();
  expect(key).toMatch(/^ui-[0-9a-f]{32}$/);
  await tabTo(page, (f) => f.tag === "button" && f.text === "Send Shopify event", "the Send button", 6);
  await page.keyboard.press("Space");

  // Focus moves to the result, which shows its ring and is announced (inside the aria-live region).
  const outcome = page.getByTestId("send-outcome");
  await expect(outcome).toContainText("Recorded and queued for delivery.");
  await expect(outcome).toBeFocused();
  f = await focused(page);
  expect(f.testid).toBe("send-outcome");
  expect(f.visible, `focus ring on the result (${f.ring})`).toBe(true);
  const id = (await outcome.getByRole("link", { name: /Event #\d+/ }).textContent())!.match(/#(\d+)/)![1]!;

  // The first Tab from the result is its link to the event.
  expect(await tabTo(page, (f) => f.tag === "a" && f.text.startsWith(`Event #${id}`), "the event link")).toBe(1);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/events/${id}$`));
  await expect(page.locator("h1")).toContainText(`#${id}`);
  await expect(page.getByText(key).first()).toBeVisible();

  // The audit log names it in words and links to it; Enter on the link opens the event again.
  await page.goto("/audit");
  const row = page
    .getByTestId("audit-table")
    .locator("tr")
    .filter({ hasText: "event.send" })
    .filter({ hasText: `event #${id} (` })
    .first();
  await expect(row).toContainText("Sent an event");
  await expect(row).toContainText(`event #${id} (sms_sent on dev-sms-store.myshopify.com)`);
  await expect(row).toContainText("Demo Operator");
  await expect(row).toContainText(`idempotency key: ${key}`);
  await tabTo(page, (f) => f.tag === "a" && f.text.startsWith(`event #${id} (`), "the audit row's event link", 200);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/events/${id}$`));
});
