import type { ShopifyEventBody } from "../../domain/shopify-event";
import { shopifyPredictor, suggestHandle, type ShopifyPredictor } from "../../domain/shopify-predict";
import type { Shop, WixInstance } from "../../generated/prisma/client";
import type { Verdict } from "../../generated/prisma/enums";
import type { IngestLookups } from "./lookups";

/** The platform's verdict as we expect it, with its own code, before anything is sent. */
export type Prediction = { verdict: Verdict; code?: string; details: string; hint?: string };

export function predictShopify(event: ShopifyEventBody, shop: Shop, lookups: IngestLookups, now: Date): Prediction {
  let cached = predictors.get(lookups)?.get(shop.id);
  if (!cached || cached.now !== now.getTime()) {
    cached = { now: now.getTime(), predict: predictorFor(shop, lookups, now) };
    if (!predictors.has(lookups)) predictors.set(lookups, new Map());
    predictors.get(lookups)!.set(shop.id, cached);
  }
  return cached.predict(event, false);
}

// A batch's events share a few shops: each shop's predictor is built once per batch (per lookups).
const predictors = new WeakMap<IngestLookups, Map<string, { now: number; predict: ShopifyPredictor }>>();

function predictorFor(shop: Shop, lookups: IngestLookups, now: Date): ShopifyPredictor {
  const appMeters = lookups.meterHandlesByConnection.get(shop.connectionId) ?? new Set<string>();
  const plan = shop.planHandle ? (lookups.plans.get(`${shop.connectionId}|${shop.planHandle}`) ?? null) : null;
  const connection = lookups.connections.get(shop.connectionId);
  const subscription = shop.planHandle
    ? {
        status: shop.subscriptionStatus ?? "ACTIVE",
        planHandle: shop.planHandle,
        cycleStart: shop.cycleStart,
        cycleEnd: shop.cycleEnd,
        startedAt: shop.subscriptionStartedAt,
      }
    : null;
  // The 24 hours after an uninstall are the predictor's (lib/domain/uninstall-window.ts).
  return shopifyPredictor({
    shop: { installState: shop.installState, uninstalledAt: shop.uninstalledAt, subscription },
    plan: plan ? { handle: plan.handle, meters: plan.meters } : null,
    appMeterHandles: [...appMeters],
    // A connection whose last send was refused for its credentials will be refused again.
    account: { invalid: !!connection?.lastAuthErrorAt && (!connection.lastSendAt || connection.lastAuthErrorAt >= connection.lastSendAt) },
    now,
  });
}

export function predictWixBilling(instance: WixInstance, lookups: IngestLookups): Prediction {
  const connection = lookups.connections.get(instance.connectionId);
  if (instance.installState === "uninstalled" && !connection?.apiKeyEnc) {
    return {
      verdict: "failed",
      code: "UNINSTALLED_NO_API_KEY",
      details: "The site uninstalled the app: Wix issues no access token for it any more, and this connection has no API key to report with.",
    };
  }
  return {
    verdict: "billable",
    details:
      instance.installState === "uninstalled"
        ? "Reported with the account's API key, since the site uninstalled the app."
        : "Reported with the instance's access token.",
  };
}

export function predictWixUsage(kind: string, instance: WixInstance, lookups: IngestLookups): { prediction: Prediction; unitPrice: string | null } {
  const items = lookups.priceItems.filter((p) => p.connectionId === instance.connectionId && p.currency === instance.currency);
  const item = items.find((p) => p.kind === kind);
  if (instance.installState === "uninstalled") {
    return {
      prediction: { verdict: "failed", code: "INSTANCE_UNINSTALLED", details: "The site uninstalled the app; Wix will not invoice it again." },
      unitPrice: item?.unitPrice.toFixed() ?? null,
    };
  }
  if (!item) {
    const hint = suggestHandle(
      kind,
      items.map((p) => p.kind),
    );
    return {
      prediction: {
        verdict: "non_billable",
        details: `No price for "${kind}" in ${instance.currency} on this connection's price list, so no charge can be proposed for it.`,
        ...(hint ? { hint } : {}),
      },
      unitPrice: null,
    };
  }
  return {
    prediction: { verdict: "billable", details: `${item.unitPrice.toFixed()} ${instance.currency} per unit; proposed to Wix at invoice time.` },
    unitPrice: item.unitPrice.toFixed(),
  };
}
