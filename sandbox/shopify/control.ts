// /_sandbox/shopify/*: the event log, plans export, shops, and site-owner actions
// (install, uninstall, reinstall, subscribe, cancel) plus the partner account state.
import { randomUUID } from "node:crypto";
import { resolveTime } from "../clock";
import type { Sandbox } from "../context";
import { isObject, json, parseJson, type Reply, type Request, type Router } from "../http";
import { formatAmount } from "../money";
import type { Install, Shop, ShopifyApp } from "../state";
import { legacyControlRoutes } from "./legacy-control";
import { listLogs, parseLogFilter, settleDue } from "./logs";
import { activeSubscription, cycleAt, findApp, findInstall, findPlan, findShop, iso, shopGid, usageKey } from "./model";
import { meterCost } from "./pricing";

const notFound = (what: string) => json(404, { error: `${what} not found` });
const badRequest = (message: string) => json(400, { error: message });

export function shopifyControlRoutes(router: Router, sb: Sandbox): void {
  const st = () => sb.state.shopify;
  const withApp = (fn: (app: ShopifyApp, req: Request) => Reply) => (req: Request) => {
    const app = findApp(st(), req.params.clientId);
    return app ? fn(app, req) : notFound(`Shopify app ${req.params.clientId}`);
  };

  router.on("GET", "/_sandbox/shopify/apps", () =>
    json(200, { apps: st().apps.map(({ clientSecret: _s, plans: _p, ...app }) => ({ ...app, partnerStatus: st().partners.find((p) => p.orgId === app.orgId)?.status })) }),
  );
  router.on("GET", "/_sandbox/shopify/apps/:clientId/logs", withApp((app, req) => {
    settleDue(st());
    const filter = parseLogFilter(req.query);
    return typeof filter === "string" ? badRequest(filter) : json(200, listLogs(st(), app.clientId, filter));
  }));
  router.on("GET", "/_sandbox/shopify/apps/:clientId/plans", withApp((app) =>
    json(200, { app: { clientId: app.clientId, gid: app.gid, title: app.title }, plans: app.plans }),
  ));
  router.on("GET", "/_sandbox/shopify/apps/:clientId/shops", withApp((app) => {
    settleDue(st());
    const shops = st().shops.map((shop) => shopView(sb, app, shop));
    return json(200, { shops });
  }));
  router.on("POST", "/_sandbox/shopify/shops/:shopId/:action", (req) => shopAction(sb, req));
  router.on("PUT", "/_sandbox/shopify/partners/:orgId", (req) => {
    const partner = st().partners.find((p) => p.orgId === req.params.orgId);
    if (!partner) return notFound(`Partner organization ${req.params.orgId}`);
    const body = parseJson(req.rawBody);
    const status = isObject(body) ? body.status : undefined;
    if (status !== "active" && status !== "frozen" && status !== "invalid") return badRequest('status must be "active", "frozen" or "invalid"');
    partner.status = status;
    return json(200, partner);
  });
  router.on("POST", "/_sandbox/shopify/verdicts/settle", () => json(200, { settled: settleDue(st(), true) }));
  legacyControlRoutes(router, sb);
}

function shopAction(sb: Sandbox, req: Request): Reply {
  const st = sb.state.shopify;
  const body = parseJson(req.rawBody);
  const input = isObject(body) ? body : {};
  const shop = findShop(st, req.params.shopId);
  if (!shop) return notFound(`Shop ${req.params.shopId}`);
  const app = typeof input.app === "string" ? findApp(st, input.app) : st.apps[0];
  if (!app) return badRequest(`unknown app ${String(input.app)}; give "app" (a Shopify app client_id) in the body`);
  const now = sb.now();
  const install = findInstall(st, app.clientId, shop.id);
  const active = activeSubscription(install, now);
  const conflict = (message: string) => json(409, { error: message });

  switch (req.params.action) {
    case "install":
    case "reinstall": {
      if (install && install.uninstalledAt === null) return conflict(`${app.title} is already installed on ${shop.domain}`);
      if (install) {
        if (install.subscription) install.pastSubscriptions.push(install.subscription);
        Object.assign(install, { installedAt: iso(now), uninstalledAt: null, subscription: null });
      } else {
        const adminAccessToken = `shpat_${randomUUID().replace(/-/g, "")}`;
        st.installs.push({ appClientId: app.clientId, shopId: shop.id, adminAccessToken, installedAt: iso(now), uninstalledAt: null, subscription: null, pastSubscriptions: [] });
      }
      break;
    }
    case "uninstall": {
      if (!install || install.uninstalledAt !== null) return conflict(`${app.title} is not installed on ${shop.domain}`);
      install.uninstalledAt = iso(now);
      if (active) active.canceledAt = iso(now);
      for (const charge of st.legacySubscriptions) {
        if (charge.appClientId === app.clientId && charge.shopId === shop.id && ["ACTIVE", "PENDING", "FROZEN"].includes(charge.status)) charge.status = "CANCELLED";
      }
      break;
    }
    case "subscribe": {
      if (!install || install.uninstalledAt !== null) return conflict(`${app.title} is not installed on ${shop.domain}`);
      const plan = typeof input.plan === "string" ? findPlan(app, input.plan) : undefined;
      if (!plan) return badRequest(`give "plan", one of: ${app.plans.map((p) => p.handle).join(", ")}`);
      let startedAt = now;
      if (typeof input.startedAt === "string") {
        try {
          startedAt = resolveTime(input.startedAt, now);
        } catch (err) {
          return badRequest((err as Error).message);
        }
      }
      const previous = install.subscription;
      if (previous) {
        if (previous.canceledAt === null || Date.parse(previous.canceledAt) > startedAt) previous.canceledAt = iso(startedAt);
        install.pastSubscriptions.push(previous);
      }
      install.subscription = { id: `sub_${randomUUID().slice(0, 8)}`, planHandle: plan.handle, startedAt: iso(startedAt), canceledAt: null, cancelAtEndOfCycle: false };
      break;
    }
    case "cancel": {
      if (!active) return conflict(`${shop.domain} has no active subscription to ${app.title}`);
      if (input.atEndOfCycle === true) {
        active.cancelAtEndOfCycle = true;
        active.canceledAt = iso(cycleAt(active, now, sb.state.settings.shopify.cycleDays).endMs);
      } else {
        active.canceledAt = iso(now);
      }
      break;
    }
    default:
      return notFound(`Action ${req.params.action} (use install, uninstall, reinstall, subscribe or cancel)`);
  }
  return json(200, shopView(sb, app, shop));
}

/** A shop as the sandbox sees it for one app: install, subscription, cycle and usage so far. */
function shopView(sb: Sandbox, app: ShopifyApp, shop: Shop) {
  const st = sb.state.shopify;
  const now = sb.now();
  const install: Install | undefined = findInstall(st, app.clientId, shop.id);
  const sub = activeSubscription(install, now);
  const plan = sub ? findPlan(app, sub.planHandle) : undefined;
  let subscription = null;
  if (sub && plan) {
    const cycle = cycleAt(sub, now, sb.state.settings.shopify.cycleDays);
    subscription = {
      ...sub,
      currentBillingCycle: { startTime: iso(cycle.startMs), endTime: iso(cycle.endMs) },
      recurringPrice: plan.recurringPrice,
      currency: plan.currency,
      usage: plan.meters.map((m) => {
        const quantity = st.usage[usageKey(sub.id, cycle.index, m.handle)] ?? "0";
        return { meter: m.handle, quantity, cost: formatAmount(meterCost(m, quantity, plan.currency), plan.currency) };
      }),
    };
  }
  return {
    id: shop.id,
    gid: shopGid(shop.id),
    domain: shop.domain,
    name: shop.name,
    development: shop.development,
    installed: !!install && install.uninstalledAt === null,
    installedAt: install?.installedAt ?? null,
    adminAccessToken: install?.adminAccessToken ?? null,
    uninstalledAt: install?.uninstalledAt ?? null,
    subscription,
  };
}
