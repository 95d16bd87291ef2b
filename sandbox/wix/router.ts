// Wix-facing routes (www.wixapis.com).
import type { Sandbox } from "../context";
import type { Router } from "../http";
import { createAccessToken } from "./auth";
import { reportBillingEvent } from "./billing-event";
import { getInstance, getMeteredBillingCharges } from "./instance";

export function wixRoutes(router: Router, sb: Sandbox): void {
  router.on("POST", "/oauth2/token", (req) => createAccessToken(sb, req));
  router.on("POST", "/apps/v1/billing-event", (req) => reportBillingEvent(sb, req));
  router.on("GET", "/apps/v1/instance", (req) => getInstance(sb, req));
  router.on("GET", "/apps/v1/metered-billing-charges", (req) => getMeteredBillingCharges(sb, req));
}
