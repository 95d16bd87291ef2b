// /_sandbox/wix/*: apps (public key, baseUri, price list), instances and site-owner actions
// (upgrade, raise-limit, uninstall, install, run-invoice, view-charges), invoices, reported
// billing events and the log of calls made to the provider.
import { addMonthsUtc } from "../clock";
import type { Sandbox } from "../context";
import { decodeCursor, encodeCursor, isObject, json, parseJson, parseLimit, text, type Reply, type Request, type Router } from "../http";
import type { WixApp, WixInstance } from "../state";
import { previewCharges, raiseLimit, runInvoices, upgrade } from "./billing";

const notFound = (what: string) => json(404, { error: `${what} not found` });

export function wixControlRoutes(router: Router, sb: Sandbox): void {
  const wix = () => sb.state.wix;
  const withApp = (fn: (app: WixApp, req: Request) => Reply | Promise<Reply>) => (req: Request) => {
    const app = wix().apps.find((a) => a.appId === req.params.appId);
    return app ? fn(app, req) : notFound(`Wix app ${req.params.appId}`);
  };
  const withInstance = (fn: (inst: WixInstance, req: Request) => Reply | Promise<Reply>) => (req: Request) => {
    const inst = wix().instances.find((i) => i.instanceId === req.params.instanceId);
    return inst ? fn(inst, req) : notFound(`Wix instance ${req.params.instanceId}`);
  };

  router.on("GET", "/_sandbox/wix/apps", () => json(200, { apps: wix().apps.map(appView) }));
  router.on("GET", "/_sandbox/wix/apps/:appId/public-key", withApp((app) => text(200, app.keys.publicKeyPem, "application/x-pem-file")));
  router.on("GET", "/_sandbox/wix/apps/:appId/price-list", withApp((app) => json(200, { appId: app.appId, priceList: app.priceList })));
  router.on("PUT", "/_sandbox/wix/apps/:appId", withApp((app, req) => {
    const body = parseJson(req.rawBody);
    if (!isObject(body)) return json(400, { error: "body must be a JSON object" });
    if (body.baseUri !== undefined) {
      if (body.baseUri !== null && (typeof body.baseUri !== "string" || !URL.canParse(body.baseUri))) return json(400, { error: "baseUri must be an absolute URL or null" });
      app.baseUri = body.baseUri as string | null;
    }
    if (body.partnerBilled !== undefined) {
      if (typeof body.partnerBilled !== "boolean") return json(400, { error: "partnerBilled must be a boolean" });
      app.partnerBilled = body.partnerBilled;
    }
    return json(200, appView(app));
  }));
  router.on("GET", "/_sandbox/wix/apps/:appId/instances", withApp((app) =>
    json(200, { instances: wix().instances.filter((i) => i.appId === app.appId).map(instanceView) }),
  ));
  router.on("POST", "/_sandbox/wix/instances/:instanceId/:action", withInstance((inst, req) => instanceAction(sb, inst, req)));
  router.on("GET", "/_sandbox/wix/instances/:instanceId/invoices", withInstance((inst) =>
    json(200, {
      invoices: wix().invoices.filter((i) => i.instanceId === inst.instanceId).map(({ seq: _s, ...i }) => i),
      runs: wix().runs.filter((r) => r.instanceId === inst.instanceId).map(({ seq: _s, ...r }) => r),
      pendingPeriods: inst.pendingPeriods,
    }),
  ));
  router.on("GET", "/_sandbox/wix/billing-events", (req) => {
    const q = req.query;
    return json(200, page(wix().billingEvents, q, (e) =>
      (!q.get("appId") || e.event.appId === q.get("appId")) && (!q.get("instanceId") || e.event.instanceId === q.get("instanceId")),
    ));
  });
  router.on("GET", "/_sandbox/wix/plugin-calls", (req) => {
    const q = req.query;
    return json(200, page(wix().pluginCalls, q, (c) =>
      (!q.get("instanceId") || c.instanceId === q.get("instanceId")) && (!q.get("method") || c.method === q.get("method")),
    ));
  });
}

async function instanceAction(sb: Sandbox, inst: WixInstance, req: Request): Promise<Reply> {
  const body = parseJson(req.rawBody);
  const input = isObject(body) ? body : {};
  switch (req.params.action) {
    case "upgrade": {
      const result = await upgrade(sb, inst);
      return result.ok ? json(200, instanceView(inst)) : json(result.call ? 502 : 409, { error: result.error, call: result.call ?? null });
    }
    case "raise-limit": {
      const result = await raiseLimit(sb, inst, input.chargeLimit);
      return result.ok ? json(200, { instance: instanceView(inst), notification: result.call }) : json(400, { error: result.error });
    }
    case "uninstall":
      if (!inst.installed) return json(409, { error: "the app is already uninstalled from this site" });
      Object.assign(inst, { installed: false, uninstalledAt: sb.nowIso(), plan: null, pendingPeriods: [] });
      return json(200, instanceView(inst));
    case "install":
      if (inst.installed) return json(409, { error: "the app is already installed on this site" });
      Object.assign(inst, { installed: true, installedAt: sb.nowIso(), uninstalledAt: null });
      return json(200, instanceView(inst));
    case "run-invoice": {
      if (!inst.plan) return json(409, { error: "the instance has no usage-based plan" });
      const runs = await runInvoices(sb, { instanceId: inst.instanceId, closeNow: input.retryOnly !== true });
      return json(200, { runs: runs.map(({ seq: _s, ...r }) => r), instance: instanceView(inst) });
    }
    case "view-charges": {
      if (!inst.plan) return json(409, { error: "the instance has no usage-based plan" });
      const call = await previewCharges(sb, inst, { periodStart: inst.plan.cycleStart, periodEnd: sb.nowIso() });
      return json(call.ok ? 200 : 502, call);
    }
    default:
      return notFound(`Action ${req.params.action} (use upgrade, raise-limit, uninstall, install, run-invoice or view-charges)`);
  }
}

function appView(app: WixApp) {
  const { keys, secret: _secret, ...rest } = app;
  return { ...rest, publicKeyPem: keys.publicKeyPem };
}

function instanceView(inst: WixInstance) {
  const plan = inst.plan;
  return {
    ...inst,
    plan: plan ? { ...plan, currentCycle: { start: plan.cycleStart, end: new Date(addMonthsUtc(Date.parse(plan.cycleStart), 1)).toISOString() } } : null,
  };
}

function page<T extends { seq: number }>(items: T[], q: URLSearchParams, keep: (item: T) => boolean) {
  const after = decodeCursor(q.get("after"));
  const limit = parseLimit(q.get("limit"), 50, 250);
  const rows = items.filter((i) => keep(i) && (after === null || i.seq < after)).sort((a, b) => b.seq - a.seq);
  const out = rows.slice(0, limit);
  return { items: out.map(({ seq: _s, ...rest }) => rest), next_cursor: rows.length > limit ? encodeCursor(out[out.length - 1].seq) : null };
}
