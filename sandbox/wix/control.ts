// /_sandbox/wix/*: apps (public key, baseUri, webhook URL, price list), instances and site-owner actions
// (upgrade, raise-limit, uninstall, install, plan changes, run-invoice, view-charges), invoices and
// their payment status, reported billing events, sent webhooks and the log of calls made to the provider.
import { randomUUID } from "node:crypto";
import { addMonthsUtc } from "../clock";
import type { Sandbox } from "../context";
import { decodeCursor, encodeCursor, isObject, json, parseJson, parseLimit, text, type Reply, type Request, type Router } from "../http";
import { WIX_CURRENCIES } from "../money";
import type { UsageCounter, WixApp, WixInstance, WixInvoiceStatus, WixWebhook } from "../state";
import { previewCharges, raiseLimit, runInvoices, upgrade } from "./billing";
import { attemptWebhook, emitWebhook } from "./webhooks";

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
  router.on(
    "GET",
    "/_sandbox/wix/apps/:appId/public-key",
    withApp((app) => text(200, app.keys.publicKeyPem, "application/x-pem-file")),
  );
  router.on(
    "GET",
    "/_sandbox/wix/apps/:appId/price-list",
    withApp((app) => json(200, { appId: app.appId, priceList: app.priceList })),
  );
  router.on(
    "PUT",
    "/_sandbox/wix/apps/:appId",
    withApp((app, req) => {
      const body = parseJson(req.rawBody);
      if (!isObject(body)) return json(400, { error: "body must be a JSON object" });
      if (body.baseUri !== undefined) {
        if (body.baseUri !== null && (typeof body.baseUri !== "string" || !URL.canParse(body.baseUri)))
          return json(400, { error: "baseUri must be an absolute URL or null" });
        app.baseUri = body.baseUri as string | null;
      }
      if (body.usageCounters !== undefined) {
        const counters = parseUsageCounters(body.usageCounters);
        if (typeof counters === "string") return json(400, { error: counters });
        app.usageCounters = counters;
      }
      if (body.webhookUrl !== undefined) {
        if (body.webhookUrl !== null && (typeof body.webhookUrl !== "string" || !URL.canParse(body.webhookUrl)))
          return json(400, { error: "webhookUrl must be an absolute URL or null" });
        app.webhookUrl = body.webhookUrl as string | null;
      }
      if (body.partnerBilled !== undefined) {
        if (typeof body.partnerBilled !== "boolean") return json(400, { error: "partnerBilled must be a boolean" });
        app.partnerBilled = body.partnerBilled;
      }
      return json(200, appView(app));
    }),
  );
  router.on(
    "GET",
    "/_sandbox/wix/apps/:appId/instances",
    withApp((app) =>
      json(200, {
        instances: wix()
          .instances.filter((i) => i.appId === app.appId)
          .map(instanceView),
      }),
    ),
  );
  router.on(
    "POST",
    "/_sandbox/wix/apps/:appId/instances",
    withApp((app, req) => addInstances(sb, app, req)),
  );
  router.on(
    "POST",
    "/_sandbox/wix/instances/:instanceId/:action",
    withInstance((inst, req) => instanceAction(sb, inst, req)),
  );
  router.on(
    "GET",
    "/_sandbox/wix/instances/:instanceId/invoices",
    withInstance((inst) =>
      json(200, {
        invoices: wix()
          .invoices.filter((i) => i.instanceId === inst.instanceId)
          .map(({ seq: _s, ...i }) => i),
        runs: wix()
          .runs.filter((r) => r.instanceId === inst.instanceId)
          .map(({ seq: _s, ...r }) => r),
        pendingPeriods: inst.pendingPeriods,
      }),
    ),
  );
  router.on("GET", "/_sandbox/wix/billing-events", (req) => {
    const q = req.query;
    return json(
      200,
      page(
        wix().billingEvents,
        q,
        (e) => (!q.get("appId") || e.event.appId === q.get("appId")) && (!q.get("instanceId") || e.event.instanceId === q.get("instanceId")),
      ),
    );
  });
  router.on("POST", "/_sandbox/wix/invoices/:invoiceId/status", async (req) => {
    const invoice = wix().invoices.find((i) => i.invoiceId === req.params.invoiceId);
    if (!invoice) return notFound(`Wix invoice ${req.params.invoiceId}`);
    const body = parseJson(req.rawBody);
    const status = isObject(body) ? body.status : undefined;
    if (typeof status !== "string" || !(INVOICE_STATUSES as readonly string[]).includes(status))
      return json(400, { error: `status must be one of ${INVOICE_STATUSES.join(", ")}` });
    const inst = wix().instances.find((i) => i.instanceId === invoice.instanceId)!;
    invoice.status = status as WixInvoiceStatus;
    const webhook = await emitWebhook(
      sb,
      inst,
      "InvoiceStatusUpdated",
      { status, invoiceId: invoice.invoiceId, instanceId: inst.instanceId, recurring: true },
      "wix",
    );
    return json(200, { invoice: { invoiceId: invoice.invoiceId, status: invoice.status }, webhook: webhookView(webhook) });
  });
  router.on("GET", "/_sandbox/wix/webhooks", (req) => {
    const q = req.query;
    return json(
      200,
      page(
        wix().webhooks,
        q,
        (w) =>
          (!q.get("instanceId") || w.instanceId === q.get("instanceId")) &&
          (!q.get("eventType") || w.eventType === q.get("eventType")) &&
          (!q.get("status") || w.status === q.get("status")),
      ),
    );
  });
  router.on("POST", "/_sandbox/wix/webhooks/:id/redeliver", async (req) => {
    const hook = wix().webhooks.find((w) => w.id === req.params.id);
    if (!hook) return notFound(`Webhook ${req.params.id}`);
    if (!wix().apps.find((a) => a.appId === hook.appId)?.webhookUrl) return json(409, { error: "the app has no webhook URL" });
    // The same signed body once more, as Wix's retry would send it.
    Object.assign(hook, { status: "pending", nextAttemptAt: new Date().toISOString() });
    await attemptWebhook(sb, hook);
    return json(200, webhookView(hook));
  });
  router.on("GET", "/_sandbox/wix/plugin-calls", (req) => {
    const q = req.query;
    return json(
      200,
      page(wix().pluginCalls, q, (c) => (!q.get("instanceId") || c.instanceId === q.get("instanceId")) && (!q.get("method") || c.method === q.get("method"))),
    );
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
      await emitWebhook(sb, inst, "AppRemoved", { appId: inst.appId });
      return json(200, instanceView(inst));
    case "install":
      if (inst.installed) return json(409, { error: "the app is already installed on this site" });
      Object.assign(inst, { installed: true, installedAt: sb.nowIso(), uninstalledAt: null });
      await emitWebhook(sb, inst, "AppInstalled", { appId: inst.appId, originInstanceId: "" });
      return json(200, instanceView(inst));
    case "change-plan":
    case "cancel-auto-renewal":
    case "reactivate":
    case "convert-to-paid":
    case "transfer":
      return planAction(sb, inst, req.params.action, input);
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
      return notFound(
        `Action ${req.params.action} (use upgrade, raise-limit, uninstall, install, change-plan, cancel-auto-renewal, reactivate, convert-to-paid, transfer, run-invoice or view-charges)`,
      );
  }
}

const MAX_ADDED = 10_000;

/**
 * New sites installing the app, without replacing the fixture: one `{siteDisplayName, currency,
 * instanceId?}`, or `{count, currency?, namePrefix?}` for many (benchmarks). Each install sends AppInstalled.
 */
async function addInstances(sb: Sandbox, app: WixApp, req: Request): Promise<Reply> {
  const body = parseJson(req.rawBody);
  const input = isObject(body) ? body : {};
  const currency = input.currency ?? "USD";
  if (typeof currency !== "string" || !(WIX_CURRENCIES as readonly string[]).includes(currency))
    return json(400, { error: `currency must be one of ${WIX_CURRENCIES.join(", ")}` });
  const count = input.count ?? 1;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_ADDED)
    return json(400, { error: `count must be a whole number from 1 to ${MAX_ADDED}` });
  if (input.instanceId !== undefined && (typeof input.instanceId !== "string" || !/^[0-9a-f-]{36}$/i.test(input.instanceId) || count !== 1))
    return json(400, { error: "instanceId must be a UUID (with count 1)" });
  if (typeof input.instanceId === "string" && sb.state.wix.instances.some((i) => i.instanceId === input.instanceId))
    return json(409, { error: "that instance already exists" });
  const prefix =
    typeof input.siteDisplayName === "string" && input.siteDisplayName.trim()
      ? input.siteDisplayName.trim()
      : typeof input.namePrefix === "string"
        ? input.namePrefix
        : "Wix site";
  const added: WixInstance[] = [];
  for (let n = 0; n < count; n++) {
    const instanceId = typeof input.instanceId === "string" ? input.instanceId : randomUUID();
    const siteDisplayName = count === 1 ? prefix : `${prefix} ${n + 1}`;
    const inst: WixInstance = {
      instanceId,
      appId: app.appId,
      siteId: randomUUID(),
      siteDisplayName,
      siteUrl: `https://${siteDisplayName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.wixsite.com/site`,
      ownerUserId: randomUUID(),
      locale: "en",
      currency,
      test: input.test === true,
      installed: true,
      installedAt: sb.nowIso(),
      uninstalledAt: null,
      plan: null,
      pendingPeriods: [],
      lastInvoiceId: null,
    };
    sb.state.wix.instances.push(inst);
    added.push(inst);
    await emitWebhook(sb, inst, "AppInstalled", { appId: app.appId, originInstanceId: "" });
  }
  return json(201, { added: added.length, instances: added.slice(0, 100).map(instanceView) });
}

const INVOICE_STATUSES = ["PAID", "PAYMENT_FAILED", "REFUNDED", "CHARGEDBACK"] as const;
const CYCLES = ["NO_CYCLE", "MONTHLY", "YEARLY", "ONE_TIME", "TWO_YEARS", "THREE_YEARS", "FOUR_YEARS", "FIVE_YEARS"];
const CANCEL_REASONS = ["USER_CANCEL", "FAILED_PAYMENT", "TRANSFER_CANCELLATION_REASON", "UNKNOWN_CANCELLATION_TYPE_ERROR_STATE"];

/** Plan changes a site owner (or Wix) makes; each sends its App Instance webhook (docs/platforms/wix.md §4). */
async function planAction(sb: Sandbox, inst: WixInstance, action: string, input: Record<string, unknown>): Promise<Reply> {
  const plan = inst.plan;
  if (!plan) return json(409, { error: "the instance has no paid plan" });
  const at = sb.nowIso();
  const cycle = plan.cycle ?? "MONTHLY";
  const base = { operationTimeStamp: at, vendorProductId: plan.packageName, cycle };
  switch (action) {
    case "change-plan": {
      const packageName = input.packageName ?? plan.packageName;
      const nextCycle = input.cycle ?? cycle;
      if (typeof packageName !== "string" || packageName.length === 0 || packageName.length > 100)
        return json(400, { error: "packageName must be a string of 1-100 characters" });
      if (typeof nextCycle !== "string" || !CYCLES.includes(nextCycle)) return json(400, { error: `cycle must be one of ${CYCLES.join(", ")}` });
      if (packageName === plan.packageName && nextCycle === cycle) return json(409, { error: "that is the current plan and cycle" });
      Object.assign(plan, { packageName, cycle: nextCycle, autoRenewing: true });
      await emitWebhook(sb, inst, "PaidPlanChanged", {
        ...base,
        vendorProductId: packageName,
        cycle: nextCycle,
        previousVendorProductId: base.vendorProductId,
        previousCycle: cycle,
        couponName: "",
        invoiceId: "",
      });
      break;
    }
    case "cancel-auto-renewal": {
      const reason = input.cancelReason ?? "USER_CANCEL";
      if (typeof reason !== "string" || !CANCEL_REASONS.includes(reason))
        return json(400, { error: `cancelReason must be one of ${CANCEL_REASONS.join(", ")}` });
      if (plan.autoRenewing === false) return json(409, { error: "auto-renewal is already cancelled" });
      plan.autoRenewing = false;
      await emitWebhook(sb, inst, "PaidPlanAutoRenewalCancelled", {
        ...base,
        cancelReason: reason,
        userReason: typeof input.userReason === "string" ? input.userReason : "",
        subscriptionCancellationType: "AT_END_OF_PERIOD",
        cancelledDuringFreeTrial: "NOT_DURING_FREE_TRIAL",
      });
      break;
    }
    case "reactivate":
      if (plan.autoRenewing !== false) return json(409, { error: "auto-renewal is on: nothing to reactivate" });
      plan.autoRenewing = true;
      await emitWebhook(sb, inst, "PlanReactivated", { ...base, expiresOn: null, invoiceId: inst.lastInvoiceId ?? "", reason: "AUTO_RENEW_TURNED_ON" });
      break;
    case "convert-to-paid":
      await emitWebhook(sb, inst, "PlanConvertedToPaid", { ...base, expiresOn: null }, "wix");
      break;
    case "transfer":
      await emitWebhook(sb, inst, "PlanTransferred", { ...base, invoiceId: inst.lastInvoiceId ?? "" });
      break;
  }
  return json(200, instanceView(inst));
}

function webhookView({ seq: _s, ...hook }: WixWebhook) {
  return hook;
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
  return { items: out.map(({ seq: _s, ...rest }) => rest), next_cursor: rows.length > limit ? encodeCursor(out.at(-1)?.seq ?? 0) : null };
}

/** `usageCounters`: at most 5 of {counterId (1–100 chars), unitPrice (a decimal ≥ 0, 2 decimals at most)}. */
function parseUsageCounters(value: unknown): UsageCounter[] | string {
  const problem = "usageCounters must be an array of at most 5 {counterId: 1-100 characters, unitPrice: decimal string with at most 2 decimals}";
  if (!Array.isArray(value) || value.length > 5) return problem;
  const counters: UsageCounter[] = [];
  for (const c of value) {
    if (!isObject(c) || typeof c.counterId !== "string" || c.counterId.length < 1 || c.counterId.length > 100) return problem;
    if (typeof c.unitPrice !== "string" || !/^\d+(\.\d{1,2})?$/.test(c.unitPrice)) return problem;
    if (counters.some((k) => k.counterId === c.counterId)) return `usageCounters: ${c.counterId} is repeated`;
    counters.push({ counterId: c.counterId, unitPrice: c.unitPrice });
  }
  return counters;
}
