// GET /apps/v1/instance (docs/platforms/wix.md §3) and GET /apps/v1/metered-billing-charges (§5.5).
import { parseIsoTime } from "../clock";
import type { Sandbox } from "../context";
import { isObject, json, type Reply, type Request } from "../http";
import { WIX_CURRENCIES } from "../money";
import { authenticate, isReply } from "./auth";
import { previewCharges } from "./billing";
import { wixError, wixValidation } from "./errors";

export async function getInstance(sb: Sandbox, req: Request): Promise<Reply> {
  const caller = await authenticate(sb, req, false);
  if (isReply(caller)) return caller;
  if (caller.kind !== "access_token") return wixError(403, "PERMISSION_DENIED", "This method needs an app instance access token");
  const { app, instance: inst } = caller;
  const plan = inst.plan;
  return json(200, {
    instance: {
      instanceId: inst.instanceId,
      appName: app.name,
      appVersion: "1.0.0",
      isFree: plan === null,
      ...(plan
        ? {
            billing: {
              packageName: plan.packageName,
              billingCycle: plan.cycle ?? "MONTHLY",
              timeStamp: plan.upgradedAt,
              expirationDate: null,
              autoRenewing: plan.autoRenewing ?? true,
              invoiceId: inst.lastInvoiceId ?? "",
              source: "",
              freeTrialInfo: { status: "NOT_AVAILABLE" },
            },
          }
        : {}),
      permissions: ["SCOPE.DC.MANAGE-YOUR-APP"],
      availablePlans: [{ packageName: "usage_based", source: "app" }],
      copiedFromTemplate: false,
      freeTrialAvailable: false,
    },
    site: {
      siteDisplayName: inst.siteDisplayName,
      locale: inst.locale,
      paymentCurrency: inst.currency,
      multilingual: { isMultiLingual: false, supportedLanguages: [] },
      url: inst.siteUrl,
      installedWixApps: [],
      siteId: inst.siteId,
    },
  });
}

/** Triggers the provider's List Charges (DISPLAY_ONLY) and relays its charges; no invoice. */
export async function getMeteredBillingCharges(sb: Sandbox, req: Request): Promise<Reply> {
  const caller = await authenticate(sb, req, false);
  if (isReply(caller)) return caller;
  if (caller.kind !== "access_token") return wixError(403, "PERMISSION_DENIED", "This method needs an app instance access token");
  const inst = caller.instance;
  if (!inst.plan) return wixError(428, "FAILED_PRECONDITION", "The site has no usage-based plan of this app");
  const currency = req.query.get("currency") || inst.currency;
  if (!(WIX_CURRENCIES as readonly string[]).includes(currency)) {
    return wixValidation([{ field: "currency", description: `must be one of ${WIX_CURRENCIES.join(", ")}`, violatedRule: "ENUM" }]);
  }
  const start = req.query.get("startDate") || inst.plan.cycleStart;
  const end = req.query.get("endDate") || sb.nowIso();
  const bad = (
    [
      ["startDate", start],
      ["endDate", end],
    ] as const
  ).filter(([, v]) => parseIsoTime(v) === null);
  if (bad.length > 0) return wixValidation(bad.map(([field]) => ({ field, description: "must be an ISO 8601 date-time", violatedRule: "FORMAT" })));
  const period = { periodStart: new Date(start).toISOString(), periodEnd: new Date(end).toISOString() };
  const call = await previewCharges(sb, inst, period, currency);
  if (!call.ok || !isObject(call.body) || !Array.isArray(call.body.charges)) {
    return json(503, { message: `The app's List Charges call failed: ${call.error ?? "the answer has no charges array"}`, details: {} });
  }
  const charges = call.body.charges.map((c: unknown) => (isObject(c) ? { id: c.id, description: c.description, amount: c.amount } : c));
  return json(200, { charges });
}
