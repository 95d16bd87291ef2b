/**
 * The 24 hours after an uninstall (docs/platforms/shopify.md §1.8, CONFIRMED): Shopify still bills usage that
 * happened before the uninstall when it is reported within 24 hours of it; an event sent later
 * fails with PERIOD_CLOSED, whatever the shop's plan was. The one rule for ingest's prediction,
 * the worker's warnings and the pages: "sent more than 24 h after" is read literally, so at
 * exactly uninstall + 24 h the window is still open and one millisecond later it is closed.
 */
const UNINSTALL_GRACE_MS = 24 * 3_600_000;

export type UninstallWindow =
  | { state: "installed" }
  /** Usage can still be reported until `deadline` (null: the uninstall time is not known). */
  | { state: "open"; uninstalledAt: Date | null; deadline: Date | null; remainingMs: number | null }
  | { state: "closed"; uninstalledAt: Date; deadline: Date };

export function uninstallWindow(shop: { installState: "installed" | "uninstalled"; uninstalledAt: Date | null }, now: Date): UninstallWindow {
  if (shop.installState !== "uninstalled") return { state: "installed" };
  if (!shop.uninstalledAt) return { state: "open", uninstalledAt: null, deadline: null, remainingMs: null };
  const deadline = new Date(shop.uninstalledAt.getTime() + UNINSTALL_GRACE_MS);
  return now.getTime() > deadline.getTime()
    ? { state: "closed", uninstalledAt: shop.uninstalledAt, deadline }
    : { state: "open", uninstalledAt: shop.uninstalledAt, deadline, remainingMs: deadline.getTime() - now.getTime() };
}
