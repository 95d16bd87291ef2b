import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../auth/auth";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
let scenario: typeof import("./scenario");
let operator: SessionUser;
let pump: () => Promise<void>;

beforeAll(async () => {
  env = await startLedgerEnv();
  scenario = await import("./scenario");
  const { deliveryRound } = await import("../../worker/delivery");
  const { collectSandboxVerdicts } = await import("../delivery/verdicts");
  // The worker's rounds, as the delivery worker runs them: send, let the sandbox publish its verdicts, collect them.
  pump = async () => {
    await deliveryRound("scenario-test");
    await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
    await collectSandboxVerdicts("scenario-test");
  };
  const u = await env.db.user.findUniqueOrThrow({ where: { email: "operator@example.com" } });
  operator = { id: u.id, email: u.email, name: u.name, role: u.role };
});
afterAll(async () => env?.close());

type SandboxShop = {
  id: string;
  installed: boolean;
  uninstalledAt: string | null;
  subscription: { planHandle: string; startedAt: string; currentBillingCycle: { startTime: string; endTime: string } } | null;
};
const devStore = async () =>
  (await sandboxJson<{ shops: SandboxShop[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/shops")).shops.find((s) => s.id === "23423423")!;

async function settledView(runId: string) {
  for (let i = 0; i < 20; i++) {
    const view = await scenario.getScenarioRunView(runId);
    if (view?.status === "finished" && !view.waiting) return view;
    await pump();
  }
  throw new Error("the run's verdicts never all arrived");
}

describe("tutorial scenario", () => {
  it("runs the seed's tutorial on the sandbox dev store, and every expected verdict is the platform's", async () => {
    const before = await devStore();
    const run = await scenario.runTutorialScenario({ connectionId: env.shopifyConnectionId, shopId: "23423423" }, operator, { pump, pollMs: 20 });
    expect(run.notes).toEqual([]);

    // The tutorial's numbers: 100 included SMS at $0.00, then 5 paid ones at sms-pro's $0.01.
    expect(run.steps.map((s) => s.sent?.value ?? null)).toEqual([100, 5, 1, 5, 1]);
    expect(run.steps.map((s) => s.sent?.handle ?? null)).toEqual(["sms_sent", "sms_sent", "SMS_SENT", "sms_sent", "sms_sent"]);
    expect(run.steps.map((s) => s.expected.cost)).toEqual(["0", "0.05", "0", "0", "0"]);
    expect(run.usageBefore).toEqual({ quantity: "0", cost: "0.00" });
    expect(run.usageAfter).toEqual({ quantity: "105", cost: "0.05" });

    const view = await settledView(run.runId);
    if (view.status !== "finished") throw new Error("not finished");
    const outcome = (v: { verdict: string; code: string | null } | null) => (v ? (v.verdict === "failed" ? v.code : v.verdict) : null);
    const expected = ["billable", "billable", "non_billable", "duplicate", "PERIOD_CLOSED"];
    expect(view.steps.map((s) => outcome(s.expected))).toEqual(expected);
    expect(view.steps.map((s) => outcome(s.actual))).toEqual(expected);
    expect(view.steps.map((s) => outcome(s.predicted))).toEqual(expected);
    expect(view.steps.every((s) => s.match)).toBe(true);
    expect(view.matched).toBe(5);
    expect(view.steps[2]!.predicted?.hint).toBe("did you mean sms_sent?");
    expect(view.steps[2]!.actual?.details).toContain('Did you mean "sms_sent"?');
    expect(view.steps[2]!.sentAnyway).toBe(true);
    expect(view.steps[4]!.sentAnyway).toBe(true);

    // The duplicate: one ledger entry and one platform event for step 2's key; keys unique per run otherwise.
    expect(view.steps[3]!.eventId).toBe(view.steps[1]!.eventId);
    expect(view.steps[3]!.duplicate).toEqual({ ledgerEntries: 1, platformEvents: 1 });
    const keys = (await env.db.billingEvent.findMany({ where: { idempotencyKey: { startsWith: `tut-${run.runId}-` } }, orderBy: { id: "asc" } })).map(
      (e) => e.idempotencyKey,
    );
    expect(keys).toEqual([1, 2, 3, 5].map((n) => `tut-${run.runId}-${n}`));
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: `tut-${run.runId}-` }, source: "scenario" } })).toBe(4);

    // The sandbox is as it was: clock back (within a few seconds of real time), store reinstalled on its plan, same cycle.
    const clock = await sandboxJson<{ now: string }>(env, "/_sandbox/clock");
    expect(Math.abs(Date.parse(clock.now) - Date.now())).toBeLessThan(5000);
    expect(run.sandbox).toMatchObject({
      clockAdvancedSeconds: scenario.CLOCK_ADVANCE_SECONDS,
      clockRestored: true,
      reinstalled: true,
      resubscribed: "sms-pro",
      synced: true,
    });
    const after = await devStore();
    expect(after.installed).toBe(true);
    expect(after.subscription?.planHandle).toBe("sms-pro");
    expect(after.subscription?.startedAt).toBe(before.subscription?.startedAt);
    expect(after.subscription?.currentBillingCycle).toEqual(before.subscription?.currentBillingCycle);
    const row = await env.db.shop.findFirstOrThrow({ where: { connectionId: env.shopifyConnectionId, shopId: "23423423" } });
    expect(row).toMatchObject({ installState: "installed", uninstalledAt: null, planHandle: "sms-pro" });

    const audit = await env.db.auditLog.findMany({ where: { entityType: "scenario_run", entityId: run.runId } });
    expect(audit.map((a) => a.action).sort()).toEqual(["scenario.finish", "scenario.start"]);
  });

  it("runs again with fresh keys on the reinstalled store", async () => {
    const run = await scenario.runTutorialScenario({ connectionId: env.shopifyConnectionId, shopId: "23423423" }, operator, { pump, pollMs: 20 });
    const view = await settledView(run.runId);
    expect(view.status === "finished" && view.matched).toBe(5);
    expect(run.steps[0]!.sent?.key).toBe(`tut-${run.runId}-1`);
  });

  it("refuses live connections and stores that are not development stores", async () => {
    await expect(scenario.runTutorialScenario({ connectionId: env.shopifyConnectionId, shopId: "1002003004" }, operator)).rejects.toThrow(
      /not a development store/,
    );
    const sandboxRow = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    const live = await env.db.connection.create({
      data: {
        name: "SMS Blaster (live)",
        platform: "shopify",
        environment: "live",
        apiBaseUrl: sandboxRow.apiBaseUrl,
        clientId: "live-sms-blaster",
        clientSecretEnc: sandboxRow.clientSecretEnc,
      },
    });
    await env.db.shop.create({
      data: { connectionId: live.id, shopId: "23423423", domain: "dev-sms-store.myshopify.com", name: "Dev", isDevStore: true, planHandle: "sms-pro" },
    });
    await expect(scenario.runTutorialScenario({ connectionId: live.id, shopId: "23423423" }, operator)).rejects.toThrow(
      /is a live connection.*only the sandbox allows/,
    );
    expect(await env.db.auditLog.count({ where: { action: "scenario.start" } })).toBe(2);
  });

  it("refuses to start while another run is in progress on the connection", async () => {
    const other = await env.db.auditLog.create({
      data: {
        actorEmail: "operator@example.com",
        action: "scenario.start",
        entityType: "scenario_run",
        entityId: "0badc0de",
        after: { connectionId: env.shopifyConnectionId },
      },
    });
    await expect(scenario.runTutorialScenario({ connectionId: env.shopifyConnectionId, shopId: "23423423" }, operator)).rejects.toThrow(
      /Another tutorial scenario \(run 0badc0de\) is running/,
    );
    // A start with no finish for 5 minutes is a run that died: it no longer blocks.
    await env.db.auditLog.update({ where: { id: other.id }, data: { at: new Date(Date.now() - 6 * 60_000) } });
    const run = await scenario.runTutorialScenario({ connectionId: env.shopifyConnectionId, shopId: "23423423" }, operator, { pump, pollMs: 20 });
    expect((await settledView(run.runId)).status).toBe("finished");
  });
});
