import { randomBytes } from "node:crypto";
import type { SessionUser } from "../../auth/auth";
import { recordAudit } from "../../audit";
import { db, type Tx } from "../../db/client";
import { Decimal } from "../../domain/money";
import { priceMeterUsage } from "../../domain/pricing";
import { AppError, expectedFailure } from "../../errors";
import type { Meter } from "../../generated/prisma/client";
import { logger } from "../../logger";
import { sandboxControl, type SandboxControl } from "../../platforms/sandbox-control";
import { requeueEvent } from "../delivery/event-actions";
import { ingestEvents } from "../ingest/ingest";
import { syncSandboxConnection } from "../connections/sync-sandbox";
import { meterPricing } from "./test-charges";

/**
 * The seed's "Build a Billing Event" tutorial in one go, on a sandbox development store: the
 * included units, paid units, a wrong-case handle, a duplicate key, and usage reported more than
 * 24 hours after an uninstall. Every event goes through the ledger's one way in (source
 * "scenario", keys unique per run); the worker delivers them and records the platform's verdicts,
 * which the run's page sets beside the expected and predicted ones.
 *
 * Step 5 changes the sandbox for a moment: it uninstalls the store, moves the sandbox clock
 * 24 h 2 min forward, sends the late event, and once it is delivered moves the clock back by
 * exactly as much, reinstalls the store on the same plan from the same start (so its cycle is
 * unchanged; the new subscription starts without usage, as after a real reinstall) and re-syncs.
 * Events other people send during those seconds are judged at the moved clock.
 */
export type ScenarioOptions = {
  /** Called while waiting for delivery and verdicts; tests run the worker's rounds here. */
  pump?: () => Promise<void>;
  timeoutMs?: number;
  pollMs?: number;
};

type Sent = { handle: string; value: number; key: string; timestamp: string };
type Expected = { verdict: "billable" | "non_billable" | "failed" | "duplicate"; code: string | null; cost: string; hint: string | null };
export type ScenarioStep = {
  n: number;
  title: string;
  about: string;
  sent: Sent | null;
  expected: Expected;
  eventId: string | null;
  ingest: "accepted" | "held" | "duplicate" | null;
  sentAnyway: boolean;
  duplicate: { ledgerEntries: number; platformEvents: number } | null;
  skipped: string | null;
};
type Usage = { quantity: string; cost: string };
export type ScenarioRun = {
  runId: string;
  connectionId: string;
  connectionName: string;
  shopId: string;
  shopDomain: string;
  planHandle: string;
  meter: string;
  currency: string;
  startedAt: string;
  finishedAt: string | null;
  usageBefore: Usage;
  usageAfter: Usage | null;
  steps: ScenarioStep[];
  sandbox: {
    uninstalledAt: string | null;
    clockAdvancedSeconds: number;
    clockRestored: boolean;
    reinstalled: boolean;
    resubscribed: string | null;
    synced: boolean;
    wixInvoiceRuns: number;
  };
  notes: string[];
};

/** Past the 24-hour uninstall grace, with two minutes to spare. */
export const CLOCK_ADVANCE_SECONDS = 24 * 3600 + 120;
const STALE_RUN_MS = 5 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTutorialScenario(
  input: { connectionId: string; shopId: string },
  user: SessionUser,
  opts: ScenarioOptions = {},
): Promise<ScenarioRun> {
  const connection = await db().connection.findUnique({ where: { id: input.connectionId } });
  if (!connection) throw new AppError("NOT_FOUND", "No such connection.");
  if (connection.platform !== "shopify") throw new AppError("INVALID_INPUT", "The tutorial is Shopify's: choose a Shopify development store.");
  if (connection.environment !== "sandbox") {
    throw new AppError(
      "FORBIDDEN",
      `${connection.name} is a live connection. The tutorial scenario uninstalls the store and moves the platform's clock, which only the sandbox allows: choose a store of a sandbox connection.`,
    );
  }
  const shop = await db().shop.findUnique({ where: { connectionId_shopId: { connectionId: connection.id, shopId: input.shopId } } });
  if (!shop) throw new AppError("NOT_FOUND", "That store is not known for this connection.");
  if (!shop.isDevStore) throw new AppError("FORBIDDEN", `${shop.domain} is not a development store; the tutorial runs on one.`);
  await refuseIfRunning(db(), connection.id, connection.name); // checked again under a lock below; this one explains an uninstalled store
  const sb = sandboxControl(connection);
  const view = await sb.shop(shop.shopId);
  const sub = view?.installed ? view.subscription : null;
  if (!sub)
    throw new AppError(
      "CONFLICT",
      `${shop.domain} must be installed and on a plan for the tutorial; the sandbox says it is ${view?.installed ? "on no plan" : "not installed"}.`,
    );
  await syncSandboxConnection(connection.id);
  const plan = await db().plan.findUnique({
    where: { connectionId_handle: { connectionId: connection.id, handle: sub.planHandle } },
    include: { meters: true },
  });
  const meter = plan?.meters.find((m) => m.handle === "sms_sent") ?? plan?.meters.find((m) => m.handle !== m.handle.toUpperCase());
  if (!plan || !meter)
    throw new AppError("CONFLICT", `${shop.domain} is on ${sub.planHandle}, which has no usage meter; subscribe it to a metered plan first.`);

  const clock0 = new Date((await sb.clock()).now);
  const usageBefore = usageOf(sub.usage, meter.handle) ?? { quantity: "0", cost: "0.00" };
  const run: ScenarioRun = {
    runId: randomBytes(4).toString("hex"),
    connectionId: connection.id,
    connectionName: connection.name,
    shopId: shop.shopId,
    shopDomain: shop.domain,
    planHandle: plan.handle,
    meter: meter.handle,
    currency: plan.currency,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    usageBefore,
    usageAfter: null,
    steps: planSteps(meter, clock0, usageBefore.quantity),
    sandbox: { uninstalledAt: null, clockAdvancedSeconds: 0, clockRestored: false, reinstalled: false, resubscribed: null, synced: false, wixInvoiceRuns: 0 },
    notes: [],
  };
  for (const s of run.steps) if (s.sent) s.sent.key = `tut-${run.runId}-${s.n === 4 ? 2 : s.n}`;
  await claimRun(run, user);

  const timeoutMs = opts.timeoutMs ?? 20_000;
  const send = async (steps: ScenarioStep[], now: Date) => {
    const results = await ingestEvents(
      steps.map((s) => ({
        platform: "shopify",
        connection_id: connection.id,
        shop_id: shop.shopId,
        event_handle: s.sent!.handle,
        timestamp: s.sent!.timestamp,
        idempotency_key: s.sent!.key,
        attributes: { value: s.sent!.value },
      })),
      { source: "scenario", userId: user.id, now },
    );
    for (const [i, r] of results.entries()) {
      const s = steps[i]!;
      if (r.status === "rejected") {
        s.skipped = `Refused before sending: ${Object.entries(r.fieldErrors)
          .map(([k, v]) => `${k} ${v.join(", ")}`)
          .join("; ")}`;
        continue;
      }
      if (r.status === "conflict") {
        s.skipped = `Refused: key ${r.idempotencyKey} is already event #${r.eventId}, with different details.`;
        continue;
      }
      s.eventId = r.eventId;
      s.ingest = r.status;
      if (r.status === "held") {
        await requeueEvent(BigInt(r.eventId), "held", user, `tutorial scenario ${run.runId}, step ${s.n}: sent anyway to compare with the platform's verdict`);
        s.sentAnyway = true;
      }
    }
  };
  const [s1, s2, s3, s4, s5] = run.steps as [ScenarioStep, ScenarioStep, ScenarioStep, ScenarioStep, ScenarioStep];
  try {
    // Steps 1-4 while the store is installed.
    await send([s1, s2, s3], clock0);
    await send([s4], clock0);
    const firstIds = [s1, s2, s3].flatMap((s) => (s.eventId ? [BigInt(s.eventId)] : []));
    if (!(await waitForEvents(firstIds, "delivered", { ...opts, timeoutMs }))) {
      s5.skipped = `Steps 1–3 were not delivered within ${timeoutMs / 1000} s (is the delivery worker running?), so the store was not uninstalled.`;
      return run;
    }
    const judged = await waitForEvents(firstIds, "judged", { ...opts, timeoutMs });
    s4.duplicate = {
      ledgerEntries: await db().billingEvent.count({ where: { connectionId: connection.id, idempotencyKey: s4.sent!.key } }),
      platformEvents: await sb.acceptedEvents(shop.shopId, s4.sent!.key, new Date(clock0.getTime() - 60_000)),
    };
    if (judged) run.usageAfter = usageOf((await sb.shop(shop.shopId))?.subscription?.usage ?? [], meter.handle);
    else run.notes.push("The verdicts of steps 1–3 had not arrived before the uninstall, so the platform's usage after them was not read.");

    // Step 5: uninstall, report more than 24 hours later, then put everything back.
    const due = await sb.wixCyclesEnding(clock0.getTime(), clock0.getTime() + CLOCK_ADVANCE_SECONDS * 1000 + timeoutMs).catch(() => []);
    if (due.length) {
      s5.skipped = `Moving the sandbox clock 24 hours would end the Wix billing cycle of ${due.join(", ")} and run its invoice, so step 5 was skipped to leave the sandbox as it was.`;
      return run;
    }
    try {
      const uninstalled = await sb.shopAction(shop.shopId, "uninstall");
      run.sandbox.uninstalledAt = uninstalled.uninstalledAt;
      const moved = await sb.advanceClock(CLOCK_ADVANCE_SECONDS);
      run.sandbox.clockAdvancedSeconds = CLOCK_ADVANCE_SECONDS;
      run.sandbox.wixInvoiceRuns += moved.invoiceRuns?.length ?? 0;
      await syncSandboxConnection(connection.id);
      s5.sent = {
        handle: meter.handle,
        value: 1,
        key: `tut-${run.runId}-5`,
        timestamp: new Date(Date.parse(uninstalled.uninstalledAt!) - 60_000).toISOString(),
      };
      await send([s5], new Date(moved.now));
      if (s5.eventId && !(await waitForEvents([BigInt(s5.eventId)], "delivered", { ...opts, timeoutMs }))) {
        run.notes.push("Step 5 was not delivered while the store was uninstalled; the platform will judge it against the reinstalled store.");
      }
    } finally {
      await restoreSandbox(run, sb, { plan: sub.planHandle, startedAt: sub.startedAt });
    }
  } catch (err) {
    logger.error({ err, runId: run.runId }, "tutorial scenario stopped");
    run.notes.push(`Stopped early: ${expectedFailure(err)?.body.error ?? "something went wrong (see the server log)"}.`);
    for (const s of run.steps) if (!s.eventId && !s.skipped) s.skipped = "Not sent: the run stopped early.";
  } finally {
    run.finishedAt = new Date().toISOString();
    await db().$transaction((tx) => recordAudit(tx, user, { action: "scenario.finish", entityType: "scenario_run", entityId: run.runId, after: run }));
  }
  return run;
}

function usageOf(usage: { meter: string; quantity: string; cost: string }[], meter: string): Usage | null {
  const u = usage.find((x) => x.meter === meter);
  return u ? { quantity: u.quantity, cost: u.cost } : null;
}

function planSteps(meter: Meter, clock0: Date, usedText: string): ScenarioStep[] {
  const pricing = meterPricing(meter);
  const used = new Decimal(usedText);
  const included = new Decimal(meter.includedUnits.toFixed());
  const remaining = included.minus(used);
  const first = remaining.gt(0) ? remaining : new Decimal(100);
  const cost = (from: Decimal, q: Decimal | number) => priceMeterUsage(pricing, from.plus(q)).minus(priceMeterUsage(pricing, from)).toFixed();
  const at = (msBefore: number) => new Date(clock0.getTime() - msBefore).toISOString();
  const h = meter.handle;
  const sent = (handle: string, value: number, msBefore: number): Sent => ({ handle, value, key: "", timestamp: at(msBefore) });
  const step = (n: number, title: string, about: string, s: Sent | null, expected: Expected): ScenarioStep => ({
    n,
    title,
    about,
    sent: s,
    expected,
    eventId: null,
    ingest: null,
    sentAnyway: false,
    duplicate: null,
    skipped: null,
  });
  const second = sent(h, 5, 2000);
  return [
    step(
      1,
      remaining.gt(0) ? "The included units" : "100 units, none included left",
      remaining.gt(0)
        ? `${first.toFixed()} × ${h} uses up the plan's ${included.toFixed()} included units (${used.toFixed()} already used this cycle): billable, at no cost.`
        : `The plan's ${included.toFixed()} included units are already used this cycle, so these are priced.`,
      sent(h, first.toNumber(), 3000),
      { verdict: "billable", code: null, cost: cost(used, first), hint: null },
    ),
    step(2, "Paid units", `5 × ${h} past the included units, at the meter's price.`, second, {
      verdict: "billable",
      code: null,
      cost: cost(used.plus(first), 5),
      hint: null,
    }),
    step(
      3,
      "Wrong-case handle",
      `${h.toUpperCase()} matches no meter: handles are case-sensitive. Pre-validation holds it; the scenario sends it anyway.`,
      sent(h.toUpperCase(), 1, 1000),
      { verdict: "non_billable", code: null, cost: "0", hint: `did you mean ${h}?` },
    ),
    step(
      4,
      "Duplicate key",
      "Step 2 again with its idempotency key: the ledger returns the first entry and sends nothing.",
      { ...second },
      { verdict: "duplicate", code: null, cost: "0", hint: null },
    ),
    step(5, "After an uninstall", "The store uninstalls the app; usage from before the uninstall, reported more than 24 hours later, is refused.", null, {
      verdict: "failed",
      code: "PERIOD_CLOSED",
      cost: "0",
      hint: null,
    }),
  ];
}

/** One run per connection at a time: a start without a finish in the last 5 minutes blocks another. */
async function claimRun(run: ScenarioRun, user: SessionUser) {
  await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`tutorial-scenario:${run.connectionId}`}))`;
    await refuseIfRunning(tx, run.connectionId, run.connectionName);
    await recordAudit(tx, user, {
      action: "scenario.start",
      entityType: "scenario_run",
      entityId: run.runId,
      after: { connectionId: run.connectionId, shopId: run.shopId, shopDomain: run.shopDomain },
    });
  });
}

async function refuseIfRunning(tx: Pick<Tx, "auditLog">, connectionId: string, connectionName: string) {
  const recent = await tx.auditLog.findMany({
    where: { entityType: "scenario_run", action: { in: ["scenario.start", "scenario.finish"] }, at: { gte: new Date(Date.now() - STALE_RUN_MS) } },
    select: { action: true, entityId: true, after: true },
  });
  const finished = new Set(recent.filter((r) => r.action === "scenario.finish").map((r) => r.entityId));
  const running = recent.find(
    (r) => r.action === "scenario.start" && !finished.has(r.entityId) && (r.after as { connectionId?: string } | null)?.connectionId === connectionId,
  );
  if (running) throw new AppError("CONFLICT", `Another tutorial scenario (run ${running.entityId}) is running on ${connectionName}; wait for it to finish.`);
}

/** Each part on its own, so one failure does not leave the rest undone. */
async function restoreSandbox(run: ScenarioRun, sb: SandboxControl, subscription: { plan: string; startedAt: string }) {
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      logger.error({ err, runId: run.runId }, `tutorial scenario: could not ${what}`);
      run.notes.push(`Could not ${what}: ${(err as Error).message}`);
    }
  };
  if (run.sandbox.clockAdvancedSeconds) {
    await attempt("move the sandbox clock back", async () => {
      const back = await sb.advanceClock(-run.sandbox.clockAdvancedSeconds);
      run.sandbox.wixInvoiceRuns += back.invoiceRuns?.length ?? 0;
      run.sandbox.clockRestored = true;
    });
  }
  if (run.sandbox.uninstalledAt) {
    await attempt(`reinstall ${run.shopDomain}`, async () => {
      await sb.shopAction(run.shopId, "reinstall");
      run.sandbox.reinstalled = true;
      await sb.shopAction(run.shopId, "subscribe", { plan: subscription.plan, startedAt: subscription.startedAt });
      run.sandbox.resubscribed = subscription.plan;
    });
  }
  await attempt("re-sync the connection", async () => {
    await syncSandboxConnection(run.connectionId);
    run.sandbox.synced = true;
  });
  if (run.sandbox.wixInvoiceRuns)
    run.notes.push(`Moving the clock ran ${run.sandbox.wixInvoiceRuns} Wix invoice run(s) that were already due or pending a retry.`);
}

const PENDING_STATES = ["received", "held", "queued", "sending", "retrying"];

async function waitForEvents(ids: bigint[], until: "delivered" | "judged", opts: ScenarioOptions & { timeoutMs: number }): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    await opts.pump?.();
    const events = await db().billingEvent.findMany({ where: { id: { in: ids } }, select: { state: true, platformVerdict: true } });
    const done = events.every((e) => (until === "delivered" ? !PENDING_STATES.includes(e.state) : e.state === "failed" || e.platformVerdict !== null));
    if (done) return true;
    if (Date.now() > deadline) return false;
    await sleep(opts.pollMs ?? 250);
  }
}

type Verdictish = { verdict: string; code: string | null; details: string | null; hint?: string | null };
export type ScenarioStepView = ScenarioStep & {
  predicted: Verdictish | null;
  actual: Verdictish | null;
  match: boolean | null;
  predictedMatches: boolean | null;
};
export type ScenarioRunView =
  | { status: "running"; runId: string; shopDomain: string }
  | { status: "finished"; run: ScenarioRun; steps: ScenarioStepView[]; waiting: boolean; matched: number };

const same = (expected: Expected, got: Verdictish | null) =>
  !!got && got.verdict === expected.verdict && (expected.verdict !== "failed" || got.code === expected.code);

/** A run as its page shows it: the record kept in the audit log, with the verdicts as they stand now. */
export async function getScenarioRunView(runId: string): Promise<ScenarioRunView | null> {
  const entries = await db().auditLog.findMany({ where: { entityType: "scenario_run", entityId: runId }, orderBy: { at: "desc" } });
  const finish = entries.find((e) => e.action === "scenario.finish");
  if (!finish) {
    const start = entries.find((e) => e.action === "scenario.start");
    return start ? { status: "running", runId, shopDomain: (start.after as { shopDomain?: string } | null)?.shopDomain ?? "the store" } : null;
  }
  const run = finish.after as unknown as ScenarioRun;
  const ids = run.steps.flatMap((s) => (s.eventId ? [BigInt(s.eventId)] : []));
  const events = new Map((await db().billingEvent.findMany({ where: { id: { in: ids } } })).map((e) => [e.id.toString(), e]));
  const steps = run.steps.map((s): ScenarioStepView => {
    const e = s.eventId ? events.get(s.eventId) : undefined;
    let predicted: Verdictish | null = null;
    let actual: Verdictish | null = null;
    if (s.expected.verdict === "duplicate") {
      predicted = s.ingest
        ? { verdict: s.ingest, code: null, details: s.ingest === "duplicate" ? `the ledger already has this key (event #${s.eventId})` : null }
        : null;
      if (s.duplicate) {
        const ok = s.ingest === "duplicate" && s.duplicate.ledgerEntries === 1 && s.duplicate.platformEvents === 1;
        actual = {
          verdict: ok ? "duplicate" : "failed",
          code: ok ? null : "NOT_A_DUPLICATE",
          details: `${s.duplicate.ledgerEntries} ledger ${s.duplicate.ledgerEntries === 1 ? "entry" : "entries"}, ${s.duplicate.platformEvents} platform ${s.duplicate.platformEvents === 1 ? "event" : "events"} for this key`,
        };
      }
    } else if (e) {
      predicted = { verdict: e.predictedVerdict, code: e.predictedCode, details: e.predictedDetails, hint: e.predictedHint };
      if (e.state === "failed") actual = { verdict: "failed", code: "NOT_DELIVERED", details: e.lastError };
      else if (e.platformVerdict) actual = { verdict: e.platformVerdict, code: e.platformCode, details: e.platformDetails };
    }
    const settled = !!actual || !!s.skipped;
    return { ...s, predicted, actual, match: settled ? same(s.expected, actual) : null, predictedMatches: predicted ? same(s.expected, predicted) : null };
  });
  const waiting = steps.some((s) => s.match === null) && Date.now() - Date.parse(run.finishedAt ?? run.startedAt) < STALE_RUN_MS;
  return { status: "finished", run, steps, waiting, matched: steps.filter((s) => s.match).length };
}
