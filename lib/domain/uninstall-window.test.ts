import { describe, expect, it } from "vitest";
import { predictShopifyVerdict } from "./shopify-predict";
import { uninstallWindow } from "./uninstall-window";
import { uninstalledWithUndelivered } from "./warnings";

const uninstalledAt = new Date("2026-01-27T00:00:00Z");
const MIN = 60_000;
const at = (ms: number) => new Date(uninstalledAt.getTime() + ms);
const DAY = 24 * 60 * MIN;

describe("the 24 hours after an uninstall: one rule for ingest, the worker and the pages", () => {
  it("is open until uninstall + 24 h, inclusive, and closed a minute later", () => {
    const shop = { installState: "uninstalled" as const, uninstalledAt };
    expect(uninstallWindow(shop, at(DAY - MIN))).toMatchObject({ state: "open", remainingMs: MIN, deadline: at(DAY) });
    expect(uninstallWindow(shop, at(DAY)).state).toBe("open");
    expect(uninstallWindow(shop, at(DAY + 1)).state).toBe("closed");
    expect(uninstallWindow(shop, at(DAY + MIN))).toMatchObject({ state: "closed", deadline: at(DAY) });
    expect(uninstallWindow({ installState: "installed", uninstalledAt }, at(DAY + MIN)).state).toBe("installed");
  });

  const predictAt = (now: Date, subscription: "kept" | "gone") =>
    predictShopifyVerdict({
      event: {
        shop_id: "gid://shopify/Shop/1",
        event_handle: "sms_sent",
        timestamp: at(-10 * MIN).toISOString(),
        idempotency_key: "k1",
        attributes: { value: 1 },
      },
      shop: {
        installState: "uninstalled",
        uninstalledAt,
        subscription:
          subscription === "kept"
            ? { status: "CANCELLED", planHandle: "sms-pro", cycleStart: new Date("2026-01-05T00:00:00Z"), cycleEnd: new Date("2026-02-04T00:00:00Z") }
            : null,
      },
      plan: subscription === "kept" ? { handle: "sms-pro", meters: [{ handle: "sms_sent" }] } : null,
      appMeterHandles: ["sms_sent"],
      account: {},
      now,
      keyAlreadyUsed: false,
    });

  it("predicts usage from before the uninstall billable at 24 h − 1 min (not held), PERIOD_CLOSED at 24 h + 1 min", () => {
    expect(predictAt(at(DAY - MIN), "kept")).toMatchObject({ verdict: "billable" });
    expect(predictAt(at(DAY + MIN), "kept")).toMatchObject({
      verdict: "failed",
      code: "PERIOD_CLOSED",
      details: expect.stringContaining("2026-01-28T00:00:00Z"),
    });
  });

  it("says PERIOD_CLOSED, not NO_SUBSCRIPTION, past the window even when the subscription is no longer known", () => {
    expect(predictAt(at(DAY + MIN), "gone")).toMatchObject({ code: "PERIOD_CLOSED" });
  });

  it("warns about undelivered usage while the window is open, and not after", () => {
    const shops = [{ id: "s", domain: "s.myshopify.com", connectionId: "c", uninstalledAt, pending: 3 }];
    expect(uninstalledWithUndelivered(shops, at(DAY - MIN)).map((w) => w.details.deadline)).toEqual(["2026-01-28T00:00:00.000Z"]);
    expect(uninstalledWithUndelivered(shops, at(DAY + MIN))).toEqual([]);
  });
});
