// The Wix side of usage-based billing (docs/platforms/wix.md §5.4): upgrade (Get Charge Limit), raising the
// limit (Charge Limit Updated), monthly invoice runs (List Charges CREATE_INVOICE, then
// Invoice Created or Charges Rejected, retried on the next clock advance / invoice run) and
// previews (List Charges DISPLAY_ONLY).
import { randomBytes, randomUUID } from "node:crypto";
import { addMonthsUtc } from "../clock";
import type { Sandbox } from "../context";
import { isObject } from "../http";
import { Decimal, formatAmount, UNSIGNED_DECIMAL } from "../money";
import type { PendingPeriod, WixApp, WixInstance, WixRun } from "../state";
import { checkCharges, checkUsages, type UsageLine } from "./charges";
import { callProvider, type CallResult } from "./plugin";
import { emitWebhook } from "./webhooks";

const MAX_CYCLES_PER_RUN = 36;
type Period = { periodStart: string; periodEnd: string };

function appOf(sb: Sandbox, instance: WixInstance): WixApp {
  const app = sb.state.wix.apps.find((a) => a.appId === instance.appId);
  if (!app) throw new Error(`instance ${instance.instanceId} has no app`);
  return app;
}

export async function upgrade(sb: Sandbox, instance: WixInstance): Promise<{ ok: true } | { ok: false; error: string; call?: CallResult }> {
  if (!instance.installed) return { ok: false, error: "the app is not installed on this site" };
  if (instance.plan) return { ok: false, error: "the instance is already on the usage-based plan" };
  const call = await callProvider(
    sb,
    appOf(sb, instance),
    instance,
    "getChargeLimit",
    {
      subscriptionId: null,
      currency: instance.currency,
      cycle: { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } },
    },
    "site_owner",
  );
  const limit = isObject(call.body) ? call.body.chargeLimit : undefined;
  if (!call.ok) return { ok: false, error: call.error ?? "Get Charge Limit failed", call };
  if (typeof limit !== "string" || !UNSIGNED_DECIMAL.test(limit) || new Decimal(limit).lte(0)) {
    return { ok: false, error: 'Get Charge Limit must answer {"chargeLimit": "<decimal > 0>"}', call };
  }
  const now = sb.nowIso();
  instance.plan = {
    subscriptionId: randomUUID(),
    packageName: "usage_based",
    upgradedAt: now,
    cycleStart: now,
    chargeLimit: limit,
    cycle: "MONTHLY",
    autoRenewing: true,
  };
  await emitWebhook(sb, instance, "PaidPlanPurchased", {
    operationTimeStamp: now,
    vendorProductId: "usage_based",
    cycle: "MONTHLY",
    expiresOn: null,
    couponName: "",
    invoiceId: "",
  });
  return { ok: true };
}

export async function raiseLimit(
  sb: Sandbox,
  instance: WixInstance,
  chargeLimit: unknown,
): Promise<{ ok: true; call: CallResult } | { ok: false; error: string }> {
  const plan = instance.plan;
  if (!plan) return { ok: false, error: "the instance has no usage-based plan yet" };
  if (typeof chargeLimit !== "string" || !UNSIGNED_DECIMAL.test(chargeLimit)) return { ok: false, error: 'give "chargeLimit" as a decimal string' };
  if (new Decimal(chargeLimit).lte(plan.chargeLimit)) return { ok: false, error: `the site owner can only raise the limit (now ${plan.chargeLimit})` };
  plan.chargeLimit = chargeLimit;
  const call = await callProvider(
    sb,
    appOf(sb, instance),
    instance,
    "limitUpdated",
    {
      subscriptionId: plan.subscriptionId,
      currency: instance.currency,
      chargeLimit,
    },
    "site_owner",
  );
  return { ok: true, call };
}

/** List Charges with DISPLAY_ONLY: what the customer would owe now; never an invoice. */
export function previewCharges(sb: Sandbox, instance: WixInstance, period: Period, currency = instance.currency): Promise<CallResult> {
  return callProvider(
    sb,
    appOf(sb, instance),
    instance,
    "listCharges",
    {
      subscriptionId: instance.plan?.subscriptionId ?? null,
      currency,
      ...period,
      intent: "DISPLAY_ONLY",
    },
    "site_owner",
  );
}

/**
 * Invoice runs that are due on the sandbox clock: retries of rejected periods, then every
 * cycle that has ended. With `closeNow`, the current cycle also ends now ("run the invoice now").
 */
export async function runInvoices(sb: Sandbox, opts: { instanceId?: string; closeNow?: boolean } = {}): Promise<WixRun[]> {
  const runs: WixRun[] = [];
  const targets = sb.state.wix.instances.filter((i) => i.plan && i.installed && (!opts.instanceId || i.instanceId === opts.instanceId));
  for (const instance of targets) {
    await sb.withLock(`wix:${instance.instanceId}`, async () => {
      for (const pending of [...instance.pendingPeriods]) {
        const run = await invoicePeriod(sb, instance, pending, pending.attempts + 1);
        runs.push(run);
        if (run.outcome === "INVOICED" || run.outcome === "NO_CHARGES") instance.pendingPeriods.splice(instance.pendingPeriods.indexOf(pending), 1);
        else Object.assign(pending, { attempts: run.attempt, lastOutcome: run.outcome, lastReasons: run.reasons });
      }
      const plan = instance.plan;
      if (!plan) return;
      let closedEarly = false;
      for (let i = 0; i < MAX_CYCLES_PER_RUN; i++) {
        const start = Date.parse(plan.cycleStart);
        let end: number = addMonthsUtc(start, 1);
        if (end > sb.now()) {
          if (!opts.closeNow || closedEarly || sb.now() <= start) break;
          end = sb.now();
          closedEarly = true;
        }
        const period = { periodStart: plan.cycleStart, periodEnd: new Date(end).toISOString() };
        plan.cycleStart = period.periodEnd;
        const run = await invoicePeriod(sb, instance, period, 1);
        runs.push(run);
        if (run.outcome === "REJECTED" || run.outcome === "PROVIDER_ERROR") {
          instance.pendingPeriods.push({ ...period, attempts: 1, lastOutcome: run.outcome, lastReasons: run.reasons } satisfies PendingPeriod);
        }
      }
    });
  }
  return runs;
}

async function invoicePeriod(sb: Sandbox, instance: WixInstance, period: Period, attempt: number): Promise<WixRun> {
  const plan = instance.plan!;
  const app = appOf(sb, instance);
  const base = { subscriptionId: plan.subscriptionId, currency: instance.currency };
  const seq = sb.seq();
  const run: WixRun = {
    id: `run_${String(seq).padStart(8, "0")}`,
    seq,
    instanceId: instance.instanceId,
    at: sb.nowIso(),
    ...period,
    attempt,
    outcome: "PROVIDER_ERROR",
    reasons: [],
    chargeIds: [],
    invoiceId: null,
    error: null,
  };
  sb.state.wix.runs.push(run);
  const call = await callProvider(sb, app, instance, "listCharges", { ...base, ...period, intent: "CREATE_INVOICE" }, "wix");
  if (!call.ok) return Object.assign(run, { error: call.error });

  const check = checkCharges(call.body, {
    currency: instance.currency,
    chargeLimit: plan.chargeLimit,
    acceptEqual: sb.state.settings.wix.acceptSumEqualToLimit,
  });
  if (!check.ok) {
    await callProvider(
      sb,
      app,
      instance,
      "chargesRejected",
      { ...base, chargeIds: check.chargeIds, chargeLimit: plan.chargeLimit, reasons: check.reasons },
      "wix",
    );
    return Object.assign(run, { outcome: "REJECTED", reasons: check.reasons, chargeIds: check.chargeIds, error: check.problems.join("; ") });
  }

  // With usage counters on the plan (listUsagesEnabled), Wix also asks for counter quantities and
  // prices them itself; over the limit, it tells the provider with Usages Rejected.
  let usages: UsageLine[] = [];
  const counters = app.usageCounters ?? [];
  if (counters.length > 0) {
    const usageCall = await callProvider(
      sb,
      app,
      instance,
      "listUsages",
      {
        subscriptionId: plan.subscriptionId,
        counterIds: counters.map((c) => c.counterId),
        ...period,
        intent: "CREATE_INVOICE",
      },
      "wix",
    );
    if (!usageCall.ok) return Object.assign(run, { error: usageCall.error });
    const usageCheck = checkUsages(usageCall.body, {
      counters,
      currency: instance.currency,
      chargeLimit: plan.chargeLimit,
      chargesTotal: check.total,
      acceptEqual: sb.state.settings.wix.acceptSumEqualToLimit,
    });
    if (!usageCheck.ok) {
      await callProvider(
        sb,
        app,
        instance,
        "usagesRejected",
        {
          ...base,
          usageLineItems: usageCheck.lines.map(({ counterId, quantity, unitPrice, amount }) => ({ counterId, quantity, unitPrice, amount })),
          chargeLimit: plan.chargeLimit,
          reasons: usageCheck.reasons,
        },
        "wix",
      );
      return Object.assign(run, { outcome: "REJECTED", reasons: usageCheck.reasons, error: usageCheck.problems.join("; ") });
    }
    usages = usageCheck.lines.filter((l) => l.quantity > 0);
  }
  if (check.charges.length === 0 && usages.length === 0) return Object.assign(run, { outcome: "NO_CHARGES" });

  const invoiceId = randomBytes(4).toString("hex");
  const lines = check.charges.map((c) => ({ id: randomUUID(), ...c }));
  // Usage lines have no charge id of the provider's: Invoice Created lists the charges only (INFERRED).
  const usageLines = usages.map((u) => ({
    id: randomUUID(),
    chargeId: `usage:${u.counterId}`,
    description: u.description || `${u.quantity} × ${u.counterId}`,
    amount: u.amount,
    usagePeriod: null,
  }));
  const total = [...lines, ...usageLines].reduce((sum, l) => sum.plus(l.amount), new Decimal(0));
  const notify = await callProvider(
    sb,
    app,
    instance,
    "invoiceCreated",
    {
      ...base,
      invoiceId,
      lineItems: lines.map((l) => ({ chargeId: l.chargeId, amount: l.amount, id: l.id })),
    },
    "wix",
  );
  sb.state.wix.invoices.push({
    invoiceId,
    seq: sb.seq(),
    instanceId: instance.instanceId,
    appId: app.appId,
    subscriptionId: plan.subscriptionId,
    currency: instance.currency,
    ...period,
    createdAt: sb.nowIso(),
    status: "ISSUED",
    test: instance.test,
    total: usageLines.length ? formatAmount(total, instance.currency) : check.total,
    lines: [...lines, ...usageLines],
    notification: { httpStatus: notify.httpStatus, error: notify.error },
  });
  instance.lastInvoiceId = invoiceId;
  return Object.assign(run, { outcome: "INVOICED", chargeIds: lines.map((l) => l.chargeId), invoiceId });
}
