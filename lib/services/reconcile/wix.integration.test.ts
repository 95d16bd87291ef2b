import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

/**
 * The Wix side on the cycle model: an instance's billing period is a cycle beside Shopify's,
 * with our ledger, our List Charges answers, what Wix rejected and invoiced, and the invoice's
 * status; each disagreement is a difference with its money, and the cycle signs off like a shop's.
 * Through the services Wix's calls reach (List Charges, Charges Rejected, Invoice Created).
 */
let env: LedgerEnv;
beforeAll(async () => {
  env = await startLedgerEnv();
});
afterAll(async () => env?.close());

const USD = "7dd21ebc-a097-43ac-8763-2806daee84a1";

describe("a Wix instance's billing period, reconciled", () => {
  it("lists a rejected charge with its reasons, then an invoiced amount that differs, a line that is not ours and a refunded invoice, each with its money; closes with a known gap", async () => {
    const { ingestEvents } = await import("../ingest/ingest");
    const { proposeInvoiceCharges } = await import("../wix/charges");
    const { recordChargesRejected, recordInvoiceCreated } = await import("../wix/notifications");
    const { reconcileConnection } = await import("./detect");
    const { resolveDifferences, closeCycle } = await import("./resolve");
    const { cyclesPage, differencesPage } = await import("../../db/reconcile");
    const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
    const user = { id: admin.id, email: admin.email, name: admin.name, role: admin.role };
    const conn = env.wixConnectionId;
    const inst = await env.db.wixInstance.findUniqueOrThrow({ where: { connectionId_instanceId: { connectionId: conn, instanceId: USD } } });
    await env.db.wixPriceItem.upsert({
      where: { connectionId_kind_currency: { connectionId: conn, kind: "sms_sent", currency: "USD" } },
      update: { unitPrice: "0.01" },
      create: { connectionId: conn, kind: "sms_sent", currency: "USD", unitPrice: "0.01", description: "SMS" },
    });
    await env.db.wixInstance.update({ where: { id: inst.id }, data: { chargeLimit: "500" } });
    const [r] = await ingestEvents(
      [
        {
          platform: "wix",
          type: "usage",
          connection_id: conn,
          instance_id: USD,
          kind: "sms_sent",
          quantity: "1250",
          timestamp: new Date().toISOString(),
          idempotency_key: "wix-rec-1",
        },
      ],
      { source: "api" },
    );
    expect(r!.status).toBe("accepted");
    const period = { start: inst.cycleStart!, end: new Date(Date.now() + 60_000) };
    const open = async () =>
      (await differencesPage({ connectionId: conn, subjectId: inst.id, state: "open" }, null)).rows.map((d) => [
        d.kind,
        d.key,
        d.amount,
        d.platform_verdict,
        d.subject,
      ]);

    // Wix refuses our answer: the charge is missing there, with Wix's reasons and its money, until Wix retries.
    const first = await proposeInvoiceCharges(inst.id, { currency: "USD", period });
    const [charge] = first.result.charges;
    expect(charge!.amount).toBe("12.50");
    await recordChargesRejected(inst.id, { currency: "USD", chargeIds: [charge!.id], reasons: ["CHARGE_LIMIT_EXCEEDED"] }, { requestId: "rej-1" });
    await reconcileConnection(conn);
    expect(await open()).toEqual([["missing_there", `charge:${charge!.id}`, "12.5", "rejected: CHARGE_LIMIT_EXCEEDED", inst.siteName]]);
    // The instance is in the cycles list like a shop, with our ledger beside what we proposed.
    const cycles = await cyclesPage(conn, undefined, null);
    const cycle = cycles.rows.find((c) => c.subjectId === inst.id)!;
    expect(cycle).toMatchObject({ subjectLabel: inst.siteName, state: "open", openCount: 1 });
    expect(cycle.meters).toMatchObject([{ handle: "usage", ourAmount: "12.5", platformAmount: "12.5", chargedAmount: null }]);

    // The retry is invoiced, but at 12.00, with a line that is none of our charges; then Wix reports the invoice refunded.
    const retry = await proposeInvoiceCharges(inst.id, { currency: "USD", period });
    const [again] = retry.result.charges;
    expect(again!.id).not.toBe(charge!.id);
    await recordInvoiceCreated(
      inst.id,
      {
        currency: "USD",
        invoiceId: "inv-rec-1",
        lineItems: [
          { chargeId: again!.id, amount: "12.00", id: "l1" },
          { chargeId: "not-ours", amount: "1.00", id: "l2" },
        ],
      },
      { requestId: "inv-1" },
    );
    await env.db.wixInvoiceStatus.create({ data: { wixInstanceId: inst.id, invoiceId: "inv-rec-1", status: "REFUNDED", statusAt: new Date() } });
    await reconcileConnection(conn);
    expect((await open()).sort()).toEqual([
      ["charge_differs", `charge:${again!.id}`, "0.5", null, inst.siteName],
      ["missing_here", "line:inv-rec-1:l2", "-1", "invoiced as not-ours", inst.siteName],
      ["verdict_differs", "invoice:inv-rec-1", "13", "REFUNDED", inst.siteName],
    ]);
    // The rejected charge is settled by the invoiced retry: no longer open, and the ledger is all on an invoiced charge.
    expect(await env.db.reconcileDifference.findFirstOrThrow({ where: { key: `charge:${charge!.id}` } })).toMatchObject({ state: "cleared" });
    const invoiced = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect(invoiced.meters).toMatchObject([{ ourAmount: "12.5", platformAmount: "12.5", chargedAmount: "12" }]);

    // Usage recorded after Wix's read (the answer it invoiced read the ledger up to then): in flight, never a difference.
    const before = (await open()).sort();
    await ingestEvents(
      [
        {
          platform: "wix",
          type: "usage",
          connection_id: conn,
          instance_id: USD,
          kind: "sms_sent",
          quantity: "100",
          timestamp: new Date().toISOString(),
          idempotency_key: "wix-rec-late",
        },
      ],
      { source: "api" },
    );
    await reconcileConnection(conn);
    expect((await open()).sort()).toEqual(before);
    const late = await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } });
    expect(late.meters).toMatchObject([{ ourUnits: "1", ourAmount: "12.5", inFlight: { count: 1, amount: "1" } }]);
    expect((late.meters as { inFlight: { readAt: string } }[])[0]!.inFlight.readAt).toBe(late.platformReadAt!.toISOString());

    // Accepting "the platform's verdict" needs one of our events: refused whole, with what to do instead.
    const refund = (await differencesPage({ connectionId: conn, subjectId: inst.id, state: "open", kind: "verdict_differs" }, null)).rows[0]!;
    await expect(resolveDifferences([BigInt(refund.id)], "accept_platform", "refunded", user)).rejects.toThrow(/mark it explained/);
    await resolveDifferences([BigInt(refund.id)], "mark_explained", "refunded by support, case 12", user);

    // Signed off like a shop's cycle: refused before it ends, then with a known gap of 0.50 − 1.00.
    await expect(closeCycle(cycle.id, { knownGap: true, note: "checked" }, user)).rejects.toThrow(/once it has ended/);
    // Ended, but Wix's last word on the period came before its end: not signed on that.
    await expect(closeCycle(cycle.id, { knownGap: true, note: "checked" }, user, new Date(period.end.getTime() + 1000))).rejects.toThrow(
      /^Wix's charges for this cycle have not been read since it ended .* \(they were last read at .*\): refresh now/,
    );
    await env.db.$executeRaw`UPDATE wix_billing_periods SET updated_at = ${new Date(period.end.getTime() + 500)} WHERE wix_instance_id = ${inst.id}::uuid`;
    const closed = await closeCycle(cycle.id, { knownGap: true, note: "Wix support case 7 for the foreign line" }, user, new Date(period.end.getTime() + 1000));
    expect(closed).toEqual({ state: "closed_with_gap", gap: [{ currency: "USD", amount: "-0.5" }] });
    expect((await env.db.reconcileCycle.findUniqueOrThrow({ where: { id: cycle.id } })).snapshot).toMatchObject({
      charges: [
        { chargeId: charge!.id, handle: "rejected" },
        { chargeId: again!.id, handle: "invoiced", amount: "12" },
      ],
    });
  });
});
