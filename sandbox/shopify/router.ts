// Shopify-facing routes: App Events (api.shopify.com), the Partner API (partners.shopify.com) and
// the legacy Admin Billing API ({shop}.myshopify.com/admin).
import type { Sandbox } from "../context";
import { header, json, param, text, type Handler, type Router } from "../http";
import { adminGraphql, confirmCharge } from "./admin-api";
import { createEvent } from "./events";
import { partnerGraphql } from "./partner-api";
import { issueToken } from "./token";

const EDGE_403 =
  "<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>Access denied</h1>" +
  "<p>You do not have permission to access this website.</p></body></html>";

export function shopifyRoutes(router: Router, sb: Sandbox): void {
  /** "Strict edge" switch: the CDN answers HTML 403 to requests without a User-Agent, before any auth. */
  const edge =
    (handler: Handler): Handler =>
    (req) =>
      sb.state.settings.shopify.strictEdge && !header(req, "user-agent") ? text(403, EDGE_403, "text/html; charset=utf-8") : handler(req);

  router.on(
    "POST",
    "/auth/access_token",
    edge((req) => issueToken(sb, req)),
  );
  router.on(
    "POST",
    "/app/:version/events",
    edge((req) =>
      /^(\d{4}-\d{2}|unstable)$/.test(param(req, "version"))
        ? createEvent(sb, req)
        : json(404, { success: false, error: `Unknown API version ${param(req, "version")}` }),
    ),
  );
  // Legacy GraphQL Admin Billing API ({shop}.myshopify.com/admin; the access token identifies the
  // shop). Registered before the Partner API, whose /{orgId}/api/... pattern would match it too.
  router.on("POST", "/admin/api/:version/graphql.json", (req) => adminGraphql(sb, req));
  router.on("GET", "/admin/charges/:chargeId/:action", (req) => confirmCharge(sb, req));
  router.on("POST", "/:orgId/api/:version/graphql.json", (req) => partnerGraphql(sb, req));
}
