// /_sandbox/shopify/*: the event log, plans export, shops (add one, generate many), site-owner
// and Shopify actions (install, uninstall, reinstall, subscribe, cancel, freeze, unfreeze,
// deactivate, reactivate: each posts its Partner API event) plus the partner account state.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { resolveTime } from "../clock";
import type { Sandbox } from "../context";
import { isObject, json, param, parseJson, type Reply, type Request, type Router } from "../http";
import { installsOf, shopOf } from "../fixture";
import { shopFixtureSchema, type ShopFixture } from "../fixture-schema";
import { formatAmount } from "../money";
import type { Install, PartnerEventType, Shop, ShopifyApp } from "../state";
import { legacyControlRoutes } from "./legacy-control";
import { listLogs, parseLogFilter, settleDue } from "./logs";
import { activeSubscription, cycleAt, findApp, findInstall, findPlan, findShop, iso, shopGid, usageKey } from "./model";
import { catchUpPartnerEvents, postPartnerEvent, postInstallHistory } from "./partner-events";
import { meterCost } from "./pricing";

const notFound = (what: string) => json(404, { error: `${what} not found` });
const badRequest = (message: string) => json(400, { error: message });

export function shopifyControlRoutes(router: Router, sb: Sandbox): void {
  const st = () => sb.state.shopify;
  const withApp = (fn: (app: ShopifyApp, req: Request) => Reply) => (req: Request) => {
    const app = findApp(st(), param(req, "clientId"));
    return app ? fn(app, req) : notFound(`Shopify app ${req.params.clientId}`);
  };

  router.on("GET", "/_sandbox/shopify/apps", () =>
    json(200, {
      apps: st().apps.map(({ clientSecret: _s, plans: _p, ...app }) => ({ ...app, partnerStatus: st().partners.find((p) => p.orgId === app.orgId)?.status })),
    }),
  );
  router.on(
    "GET",
    "/_sandbox/shopify/apps/:clientId/logs",
    withApp((app, req) => {
      settleDue(st());
      const filter = parseLogFilter(req.query);
      return typeof filter === "string" ? badRequest(filter) : json(200, listLogs(st(), app.clientId, filter));
    }),
  );
  router.on(
    "GET",
    "/_sandbox/shopify/apps/:clientId/requests",
    withApp((app) => requestCounts(sb, app.clientId)),
  );
  router.on(
    "GET",
    "/_sandbox/shopify/apps/:clientId/plans",
    withApp((app) => json(200, { app: { clientId: app.clientId, gid: app.gid, title: app.title }, plans: app.plans })),
  );
  router.on(
    "GET",
    "/_sandbox/shopify/apps/:clientId/shops",
    withApp((app) => {
      settleDue(st());
      const shops = st().shops.map((shop) => shopView(sb, app, shop));
      return json(200, { shops });
    }),
  );
  router.on("POST", "/_sandbox/shopify/shops", (req) => addShop(sb, req));
  router.on("POST", "/_sandbox/shopify/shops/generate", (req) => generateShops(sb, req));
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

/**
 * How many App Events requests arrived per idempotency key (every one, replays and refusals
 * included): `repeated` lists the keys that arrived more than once (at most 100 of them).
 */
function requestCounts(sb: Sandbox, clientId: string): Reply {
  const prefix = `${clientId}|`;
  let requests = 0;
  let keys = 0;
  let repeatedRequests = 0;
  const repeated: { idempotency_key: string; requests: number }[] = [];
  for (const [id, count] of sb.keyRequests) {
    if (!id.startsWith(prefix)) continue;
    requests += count;
    keys += 1;
    if (count > 1) {
      repeatedRequests += count - 1;
      if (repeated.length < 100) repeated.push({ idempotency_key: id.slice(prefix.length), requests: count });
    }
  }
  return json(200, { requests, keys, repeated_requests: repeatedRequests, repeated });
}

function shopAction(sb: Sandbox, req: Request): Reply {
  const st = sb.state.shopify;
  const body = parseJson(req.rawBody);
  const input = isObject(body) ? body : {};
  const shop = findShop(st, param(req, "shopId"));
  if (!shop) return notFound(`Shop ${req.params.shopId}`);
  const app = typeof input.app === "string" ? findApp(st, input.app) : st.apps[0];
  if (!app) return badRequest(`unknown app ${String(input.app)}; give "app" (a Shopify app client_id) in the body`);
  const now = sb.now();
  const install = findInstall(st, app.clientId, shop.id);
  const active = activeSubscription(install, now);
  const conflict = (message: string) => json(409, { error: message });
  const post = (type: PartnerEventType, extra: { atMs?: number; planHandle?: string | null; cancelEffectiveOn?: string | null } = {}) =>
    postPartnerEvent(sb.state, {
      app,
      shopId: shop.id,
      type,
      atMs: extra.atMs ?? now,
      planHandle: extra.planHandle,
      cancelEffectiveOn: extra.cancelEffectiveOn,
    });
  // Charges and scheduled ends up to now are in the history before this action's events.
  catchUpPartnerEvents(sb.state, now);

  switch (req.params.action) {
    case "install":
    case "reinstall": {
      if (install && install.uninstalledAt === null) return conflict(`${app.title} is already installed on ${shop.domain}`);
      if (install) {
        if (install.subscription) install.pastSubscriptions.push(install.subscription);
        Object.assign(install, { installedAt: iso(now), uninstalledAt: null, subscription: null });
      } else {
        const adminAccessToken = `shpat_${randomUUID().replace(/-/g, "")}`;
        st.installs.push({
          appClientId: app.clientId,
          shopId: shop.id,
          adminAccessToken,
          installedAt: iso(now),
          uninstalledAt: null,
          subscription: null,
          pastSubscriptions: [],
        });
      }
      post("RELATIONSHIP_INSTALLED");
      break;
    }
    case "uninstall": {
      if (!install || install.uninstalledAt !== null) return conflict(`${app.title} is not installed on ${shop.domain}`);
      install.uninstalledAt = iso(now);
      if (active) active.canceledAt = iso(now);
      for (const charge of st.legacySubscriptions) {
        if (charge.appClientId === app.clientId && charge.shopId === shop.id && ["ACTIVE", "PENDING", "FROZEN"].includes(charge.status))
          charge.status = "CANCELLED";
      }
      catchUpPartnerEvents(sb.state, now); // the subscription's end, then the uninstall
      post("RELATIONSHIP_UNINSTALLED");
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
      // A plan change replaces the subscription in force: one SUBSCRIPTION_UPDATED, no cancellation event.
      const replaces = !!previous && (previous.canceledAt === null || Date.parse(previous.canceledAt) > startedAt);
      if (previous) {
        if (replaces) {
          previous.canceledAt = iso(startedAt);
          previous.posted = { recurringCycles: 0, usageCycles: 0, ...previous.posted, ended: true };
        }
        install.pastSubscriptions.push(previous);
      }
      install.subscription = {
        id: `sub_${randomUUID().slice(0, 8)}`,
        planHandle: plan.handle,
        startedAt: iso(startedAt),
        canceledAt: null,
        cancelAtEndOfCycle: false,
      };
      post(replaces ? "SUBSCRIPTION_UPDATED" : "SUBSCRIPTION_CREATED", { atMs: startedAt, planHandle: plan.handle });
      break;
    }
    case "cancel": {
      if (!active) return conflict(`${shop.domain} has no active subscription to ${app.title}`);
      if (input.atEndOfCycle === true) {
        active.cancelAtEndOfCycle = true;
        active.canceledAt = iso(cycleAt(active, now, sb.state.settings.shopify.cycleDays).endMs);
        post("SUBSCRIPTION_CANCELLATION_SCHEDULED", { planHandle: active.planHandle, cancelEffectiveOn: active.canceledAt.slice(0, 10) });
      } else {
        active.canceledAt = iso(now);
        catchUpPartnerEvents(sb.state, now); // posts SUBSCRIPTION_CANCELED
      }
      break;
    }
    case "freeze":
    case "unfreeze": {
      if (!active) return conflict(`${shop.domain} has no active subscription to ${app.title}`);
      const frozen = req.params.action === "freeze";
      if (!!active.frozen === frozen) return conflict(`the subscription is already ${frozen ? "frozen" : "not frozen"}`);
      active.frozen = frozen;
      post(frozen ? "SUBSCRIPTION_FROZEN" : "SUBSCRIPTION_UNFROZEN", { planHandle: active.planHandle });
      break;
    }
    case "deactivate":
    case "reactivate": {
      if (!install || install.uninstalledAt !== null) return conflict(`${app.title} is not installed on ${shop.domain}`);
      const deactivate = req.params.action === "deactivate";
      if (!!install.deactivatedAt === deactivate) return conflict(`${shop.domain} is already ${deactivate ? "deactivated" : "active"}`);
      install.deactivatedAt = deactivate ? iso(now) : null;
      post(deactivate ? "RELATIONSHIP_DEACTIVATED" : "RELATIONSHIP_REACTIVATED");
      break;
    }
    default:
      return notFound(`Action ${req.params.action} (use install, uninstall, reinstall, subscribe, cancel, freeze, unfreeze, deactivate or reactivate)`);
  }
  return json(200, shopView(sb, app, shop));
}

/** POST /_sandbox/shopify/shops: one shop in the fixture's format, added to the running state with its history. */
function addShop(sb: Sandbox, req: Request): Reply {
  const body = parseJson(req.rawBody);
  const parsed = shopFixtureSchema.safeParse(isObject(body) ? body : undefined);
  if (!parsed.success) return json(400, { error: "invalid shop", issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`) });
  const added = addShops(sb, [parsed.data]);
  if (typeof added === "string") return added.startsWith("409") ? json(409, { error: added.slice(4) }) : badRequest(added);
  const shop = sb.state.shopify.shops[sb.state.shopify.shops.length - 1]!;
  const app = findApp(sb.state.shopify, parsed.data.installs[0]?.app ?? "") ?? sb.state.shopify.apps[0]!;
  return json(201, shopView(sb, app, shop));
}

const generateSchema = z.object({
  count: z.number().int().min(1).max(50_000),
  firstId: z.string().regex(/^\d+$/).default("5000000000"),
  domainPrefix: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default("bench-shop"),
  app: z.string().optional(),
  plan: z.string().nullable().default(null),
  installedAt: z.string().default("-30d"),
  /** Installs are spread evenly from installedAt over this many seconds. */
  spreadSeconds: z.number().min(0).default(0),
});

/** POST /_sandbox/shopify/shops/generate: many shops at once (benchmarks), each installed, optionally subscribed. */
function generateShops(sb: Sandbox, req: Request): Reply {
  const body = parseJson(req.rawBody);
  const parsed = generateSchema.safeParse(isObject(body) ? body : {});
  if (!parsed.success) return json(400, { error: "invalid body", issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`) });
  const g = parsed.data;
  const app = g.app ? findApp(sb.state.shopify, g.app) : sb.state.shopify.apps[0];
  if (!app) return badRequest(`unknown app ${g.app}`);
  if (g.plan !== null && !findPlan(app, g.plan)) return badRequest(`unknown plan ${g.plan}; one of: ${app.plans.map((p) => p.handle).join(", ")}`);
  let startMs: number;
  try {
    startMs = resolveTime(g.installedAt, sb.now());
  } catch (err) {
    return badRequest((err as Error).message);
  }
  const first = BigInt(g.firstId);
  const shops = Array.from({ length: g.count }, (_, i) => {
    const at = new Date(startMs + (g.count > 1 ? Math.floor((g.spreadSeconds * 1000 * i) / (g.count - 1)) : 0)).toISOString();
    return {
      id: (first + BigInt(i)).toString(),
      domain: `${g.domainPrefix}-${i + 1}.myshopify.com`,
      development: false,
      installs: [
        {
          app: app.clientId,
          installedAt: at,
          uninstalledAt: null,
          subscription: g.plan ? { plan: g.plan, startedAt: at, canceledAt: null, cancelAtEndOfCycle: false } : null,
        },
      ],
    };
  });
  const added = addShops(sb, shops);
  if (typeof added === "string") return added.startsWith("409") ? json(409, { error: added.slice(4) }) : badRequest(added);
  return json(201, { created: added, firstId: shops[0]!.id, lastId: shops[shops.length - 1]!.id });
}

/** Adds shops (new ids and domains only) with their installs and history; an error message when nothing was added. */
function addShops(sb: Sandbox, input: ShopFixture[]): number | string {
  const st = sb.state.shopify;
  const ids = new Set(st.shops.map((s) => s.id));
  const domains = new Set(st.shops.map((s) => s.domain));
  for (const shop of input) {
    if (ids.has(shop.id)) return `409 shop ${shop.id} already exists`;
    if (domains.has(shop.domain)) return `409 domain ${shop.domain} already exists`;
    ids.add(shop.id);
    domains.add(shop.domain);
  }
  const issues: string[] = [];
  const now = sb.now();
  const at = (value: string, where: string) => {
    try {
      return iso(resolveTime(value, now));
    } catch (err) {
      issues.push(`${where}: ${(err as Error).message}`);
      return iso(now);
    }
  };
  const installs = input.flatMap((shop) => installsOf(shop, st.apps, at, issues));
  if (issues.length > 0) return issues.join("; ");
  st.shops.push(...input.map(shopOf));
  st.installs.push(...installs);
  for (const install of installs) postInstallHistory(sb.state, findApp(st, install.appClientId)!, install);
  return input.length;
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
