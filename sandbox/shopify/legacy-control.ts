// /_sandbox/shopify: legacy Billing API charges of an app, and the merchant's side of them
// (approve, decline, approve a cap raise) plus Shopify's (freeze, unfreeze, cancel).
import type { Sandbox } from "../context";
import { json, param, type Router } from "../http";
import type { LegacyStatus } from "../state";
import { subscriptionView } from "./admin-api";
import { approve, approveCappedAmount, statusAt, usageRecordGid } from "./legacy-billing";
import { findApp } from "./model";

const TRANSITIONS: Record<string, { from: LegacyStatus[]; to: LegacyStatus }> = {
  decline: { from: ["PENDING"], to: "DECLINED" },
  freeze: { from: ["ACTIVE"], to: "FROZEN" },
  unfreeze: { from: ["FROZEN"], to: "ACTIVE" },
  cancel: { from: ["ACTIVE", "PENDING", "FROZEN"], to: "CANCELLED" },
};

export function legacyControlRoutes(router: Router, sb: Sandbox): void {
  const st = () => sb.state.shopify;

  router.on("GET", "/_sandbox/shopify/apps/:clientId/legacy-subscriptions", (req) => {
    const app = findApp(st(), param(req, "clientId"));
    if (!app) return json(404, { error: `Shopify app ${req.params.clientId} not found` });
    const subscriptions = st()
      .legacySubscriptions.filter((s) => s.appClientId === app.clientId)
      .map((s) => ({
        ...subscriptionView({ sb }, s),
        shopId: s.shopId,
        pendingCappedAmounts: s.lineItems.flatMap((item, index) =>
          item.kind === "usage" && item.pendingCappedAmount ? [{ index, ...item.pendingCappedAmount }] : [],
        ),
        usageRecords: st()
          .usageRecords.filter((r) => r.subscriptionId === s.id)
          .map((r) => ({ ...r, id: usageRecordGid(r.id) })),
      }));
    return json(200, { subscriptions });
  });

  router.on("POST", "/_sandbox/shopify/legacy-subscriptions/:id/:action", (req) => {
    const id = param(req, "id").replace(/^gid:\/\/shopify\/AppSubscription\//, "");
    const sub = st().legacySubscriptions.find((s) => s.id === id);
    if (!sub) return json(404, { error: `Legacy subscription ${req.params.id} not found` });
    const action = param(req, "action");
    if (action === "approve") {
      const error = approve(st(), sub, sb.now());
      if (error) return json(409, { error: error.message });
    } else if (action === "approve-capped-amount") {
      if (!approveCappedAmount(sub)) return json(409, { error: "there is no capped amount change to approve" });
    } else {
      const transition = TRANSITIONS[action];
      if (!transition) return json(404, { error: `Action ${action} (use approve, approve-capped-amount, decline, freeze, unfreeze or cancel)` });
      const status = statusAt(sub, sb.now());
      if (!transition.from.includes(status)) return json(409, { error: `a ${status} charge can't be ${transition.to.toLowerCase()}` });
      sub.status = transition.to;
    }
    return json(200, { ...subscriptionView({ sb }, sub), shopId: sub.shopId });
  });
}
