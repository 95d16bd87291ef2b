import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CycleMeter } from "../../domain/reconcile";
import { insertAcceptedUsage, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

/**
 * The Dev Dashboard log's reads: every read counts, one with no rows too; an imported file is
 * compared as of its export, not its upload; and a later read that restates a row (from another
 * source) is no change to a signed-off cycle, while one that says something else reopens it and
 * names the source.
 */
const fakeLog = vi.hoisted(() => ({ rows: null as unknown[] | null }));
vi.mock("../../platforms/sandbox-control", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../platforms/sandbox-control")>();
  return {
    ...real,
    fetchSandboxLogPage: (conn: Parameters<typeof real.fetchSandboxLogPage>[0], after: string | null) =>
      fakeLog.rows ? Promise.resolve({ rows: fakeLog.rows, next_cursor: null }) : real.fetchSandboxLogPage(conn, after),
  };
});

const MIN = 60_000,
  DAY = 86_400_000;
let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
  // No Partner API here: the log is the platform's only read (no usage figures, no charges).
  await env.db.connection.update({ where: { id: env.shopifyConnectionId }, data: { appGid: null } });
});
afterAll(async () => env?.close());

async function setup() {
  const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
  const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
  const conn = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
  const shop = await env.db.shop.findFirstOrThrow({ where: { connectionId: conn.id, shopId: "23423423" } });
  const event = (key: string, quantity: string, occurredAt: Date, acceptedAt: Date) =>
    insertAcceptedUsage(env, {
      shopId: shop.id,
      quantity,
      occurredAt,
      idempotencyKey: key,
      acceptedAt,
    });
  const open = async () =>
    (await env.db.reconcileDifference.findMany({ where: { connectionId: conn.id, state: "open" }, orderBy: { id: "asc" } })).map((d) => `${d.kind}:${d.key}`);
  // Each test starts from a connection whose log was never read.
  const forget = async () => {
    await env.db.platformLogRead.deleteMany({ where: { connectionId: conn.id } });
    await env.db.platformLogEntry.deleteMany({ where: { connectionId: conn.id } });
    await env.db.reconcileDifference.deleteMany({ where: { connectionId: conn.id } });
    await env.db.$executeRaw`DELETE FROM event_transitions WHERE event_id IN (SELECT id FROM billing_events WHERE connection_id = ${conn.id}::uuid)`;
    await env.db.billingEvent.deleteMany({ where: { connectionId: conn.id } });
  };
  return { user, conn, shop, event, open, forget };
}

describe("Dev Dashboard log reads", () => {
  it("a read that returns no rows still counts: an event the platform could have seen is missing there", async () => {
    const { reconcileConnection } = await import("./detect");
    const { pullSandboxLog, importLogFile } = await import("./reconcile");
    const { user, conn, shop, event, open, forget } = await setup();
    await forget();
    const now = Date.now();
    await event("never-arrived", "5", new Date(Math.max(shop.cycleStart!.getTime() + MIN, now - 60 * MIN)), new Date(now - 60 * MIN));

    // Never read: nothing can be missing at the platform yet.
    await reconcileConnection(conn.id);
    expect(await open()).toEqual([]);

    // The sandbox's log, read: no rows. That is an answer, "nothing there".
    fakeLog.rows = [];
    const before = new Date();
    expect(await pullSandboxLog(conn, "t")).toEqual({ imported: 0, verdictsApplied: 0 });
    fakeLog.rows = null;
    const [read] = await env.db.platformLogRead.findMany({ where: { connectionId: conn.id } });
    expect(read).toMatchObject({ source: "sandbox_log", rowCount: 0, rowsFrom: null, rowsTo: null, readBy: "t" });
    expect(read!.asOf.getTime()).toBeGreaterThanOrEqual(before.getTime());
    await reconcileConnection(conn.id);
    expect(await open()).toEqual(["missing_there:never-arrived"]);

    // An empty export counts too, when it says when it was made; one that does not is refused.
    await expect(importLogFile(conn.id, JSON.stringify({ rows: [] }), "json", user)).rejects.toThrow(/does not say when it was exported/);
    const exportedAt = new Date(now - 2 * MIN);
    await importLogFile(conn.id, JSON.stringify({ exported_at: exportedAt.toISOString(), rows: [] }), "json", user);
    const file = await env.db.platformLogRead.findFirstOrThrow({ where: { connectionId: conn.id, source: "imported_file" } });
    expect([file.rowCount, file.asOf.toISOString()]).toEqual([0, exportedAt.toISOString()]);
  });

  it("an imported file is compared as of its latest row (or its export time), not its upload: what was sent after it is in flight", async () => {
    const { importLogFile } = await import("./reconcile");
    const { latestLogRead } = await import("../../db/reconcile");
    const { user, conn, shop, event, open, forget } = await setup();
    await forget();
    const now = Date.now();
    const occurred = new Date(Math.max(shop.cycleStart!.getTime() + MIN, now - 90 * MIN));
    // Shopify had the first when the partner exported the log (its row, 30 minutes ago); the second was sent
    // 10 minutes ago, after the export and before the upload; the third was sent before it and is not in it.
    await event("in-the-file", "3", occurred, new Date(now - 40 * MIN));
    await event("after-the-export", "7", occurred, new Date(now - 10 * MIN));
    await event("lost-before-it", "2", occurred, new Date(now - 50 * MIN));
    const lastRow = new Date(now - 30 * MIN);
    const csv = [
      "status,event_handle,shop,timestamp,billable,billing_result_code,result_details,idempotency_key,value",
      `200,sms_sent,23423423,${new Date(now - 45 * MIN).toISOString()},true,SUCCESS,,other-app-row,1`,
      `200,sms_sent,23423423,${lastRow.toISOString()},true,SUCCESS,,in-the-file,3`,
    ].join("\n");
    const result = await importLogFile(conn.id, csv, "csv", user);
    expect(result.asOf).toBe(lastRow.toISOString());
    expect((await open()).filter((d) => d.startsWith("missing_there"))).toEqual(["missing_there:lost-before-it"]);
    const cycle = await env.db.reconcileCycle.findFirstOrThrow({ where: { connectionId: conn.id, subjectId: shop.id, cycleStart: shop.cycleStart! } });
    const sms = (cycle.meters as CycleMeter[]).find((m) => m.handle === "sms_sent")!;
    expect(sms.inFlight).toMatchObject({ count: 1, units: "7", readAt: lastRow.toISOString() });
    // What the page says the file covers.
    expect(await latestLogRead(conn.id)).toMatchObject({ source: "imported_file", rowCount: 2, rowsTo: lastRow, asOf: lastRow });

    // A JSON export that says when it was made is compared as of then: the later event is compared, and is missing there.
    const exportedAt = new Date(now - 5 * MIN);
    await importLogFile(
      conn.id,
      JSON.stringify({
        exported_at: exportedAt.toISOString(),
        rows: [{ idempotency_key: "in-the-file", event_handle: "sms_sent", shop: "23423423", timestamp: lastRow.toISOString(), billable: true, value: 3 }],
      }),
      "json",
      user,
    );
    expect(await latestLogRead(conn.id)).toMatchObject({ rowCount: 1, rowsTo: lastRow, asOf: exportedAt });
    expect((await open()).filter((d) => d.startsWith("missing_there"))).toEqual(["missing_there:lost-before-it", "missing_there:after-the-export"]);
  });

  it("a signed-off cycle: a later sandbox read that restates an imported file's row is no change; one with another verdict reopens it, naming the source", async () => {
    const { reconcileConnection } = await import("./detect");
    const { pullSandboxLog, importLogFile } = await import("./reconcile");
    const { closeCycle } = await import("./resolve");
    const { user, conn, shop, event, forget } = await setup();
    await forget();
    // A past cycle of the shop, back to back with the current one.
    const cs = shop.cycleStart!.getTime(),
      length = shop.cycleEnd!.getTime() - cs;
    await env.db.shop.update({ where: { id: shop.id }, data: { subscriptionStartedAt: new Date(cs - 3 * length) } });
    const occurred = new Date(cs - length + DAY);
    await event("past-1", "4", occurred, new Date(occurred.getTime() + MIN));
    const row = { idempotency_key: "past-1", event_handle: "sms_sent", shop: "23423423", timestamp: occurred.toISOString(), value: 4 };
    await importLogFile(conn.id, JSON.stringify({ exported_at: new Date(Date.now() - MIN).toISOString(), rows: [{ ...row, billable: true }] }), "json", user);
    const cycle = await env.db.reconcileCycle.findFirstOrThrow({ where: { connectionId: conn.id, subjectId: shop.id, cycleStart: new Date(cs - length) } });
    expect(await closeCycle(cycle.id, { knownGap: false, note: "matches the Dev Dashboard export" }, user)).toMatchObject({ state: "closed" });

    // The worker's sandbox read has the same row, billable: the row is the sandbox's now, and the cycle stays signed off.
    const sandboxRow = { ...row, type: "app_billing_event", status: 200, shop: shop.domain, shop_id: "23423423" };
    fakeLog.rows = [{ ...sandboxRow, billable: true, billing_result_code: "SUCCESS" }];
    await pullSandboxLog(conn, "worker");
    await reconcileConnection(conn.id, "worker");
    const entry = await env.db.platformLogEntry.findUniqueOrThrow({
      where: { connectionId_idempotencyKey: { connectionId: conn.id, idempotencyKey: "past-1" } },
    });
    expect([entry.source, entry.changedAt]).toEqual(["sandbox_log", null]);
    const kept = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect([kept.state, kept.reopenedAt, kept.reopenReason]).toEqual(["closed", null, null]);

    // A later read rules it otherwise: the cycle reopens, and says which source changed what.
    fakeLog.rows = [{ ...sandboxRow, billable: false, billing_result_code: "PERIOD_CLOSED" }];
    await pullSandboxLog(conn, "worker");
    fakeLog.rows = null;
    await reconcileConnection(conn.id, "worker");
    const reopened = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    const reason = "The sandbox's log now says failed PERIOD_CLOSED × 4 for past-1, where the sandbox's log said billable × 4.";
    expect([reopened.state, reopened.reopenReason]).toEqual(["open", reason]);
    expect(reopened.reopenedAt).not.toBeNull();
    const audit = await env.db.auditLog.findFirstOrThrow({ where: { action: "reconcile.cycle_reopened", entityId: cycle.id } });
    expect([audit.actorEmail, (audit.after as { reason: string }).reason]).toEqual(["system", reason]);

    // Signed off again (with the difference as a known gap), the same answer is no change any more.
    await closeCycle(cycle.id, { knownGap: true, note: "PERIOD_CLOSED: the event was sent late" }, user);
    fakeLog.rows = [{ ...sandboxRow, billable: false, billing_result_code: "PERIOD_CLOSED" }];
    await pullSandboxLog(conn, "worker");
    fakeLog.rows = null;
    await reconcileConnection(conn.id, "worker");
    expect((await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } })).state).toBe("closed_with_gap");
    // A later export that says billable again is a change too, named as the file's.
    await importLogFile(conn.id, JSON.stringify({ exported_at: new Date().toISOString(), rows: [{ ...row, billable: true }] }), "json", user);
    const again = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect([again.state, again.reopenReason]).toEqual([
      "balanced",
      "An imported log file now says billable × 4 for past-1, where the sandbox's log said failed PERIOD_CLOSED × 4.",
    ]);
  });
});
