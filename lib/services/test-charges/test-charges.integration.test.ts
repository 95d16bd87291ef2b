import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../auth/auth";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
let charges: typeof import("./test-charges");
let pump: () => Promise<void>;
const users: Record<"admin" | "operator", SessionUser> = {} as never;

beforeAll(async () => {
  env = await startLedgerEnv();
  charges = await import("./test-charges");
  const { deliveryRound } = await import("../../worker/delivery");
  const { collectSandboxVerdicts } = await import("../delivery/verdicts");
  pump = async () => {
    await deliveryRound("test-charges");
    await sandboxJson(env, "/_sandbox/shopify/verdicts/settle", { method: "POST" });
    await collectSandboxVerdicts("test-charges");
  };
  for (const role of ["admin", "operator"] as const) {
    const u = await env.db.user.findUniqueOrThrow({ where: { email: `${role}@example.com` } });
    users[role] = { id: u.id, email: u.email, name: u.name, role: u.role };
  }
});
afterAll(async () => env?.close());

let n = 0;
const fire = (over: Partial<Parameters<typeof charges.fireTestCharge>[0]>, who: SessionUser = users.operator) =>
  charges.fireTestCharge(
    {
      connectionId: env.shopifyConnectionId,
      targetId: "23423423",
      meter: "sms_sent",
      quantity: "1",
      nonce: `nonce-${++n}-0000000000`,
      confirmNonDev: false,
      ...over,
    },
    who,
  );

describe("test charges", () => {
  it("charges the dev store once per form, and projects the cycle's charge from the ledger in exact decimals", async () => {
    const first = await fire({ quantity: "150", nonce: "form-a-000000000000" });
    expect(first).toMatchObject({ status: "accepted", state: "queued", idempotencyKey: "tc-form-a-000000000000" });
    // A double submit of the same form: the same ledger entry, nothing new.
    const again = await fire({ quantity: "150", nonce: "form-a-000000000000" });
    expect(again).toMatchObject({ status: "duplicate", eventId: first.eventId });
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: "tc-form-a-000000000000" } })).toBe(1);

    // Before the verdict the charge counts as awaiting one.
    const pending = await charges.getTestChargeView(BigInt(first.eventId));
    expect(pending?.projection?.lines.find((l) => l.handle === "sms_sent")).toMatchObject({
      quantity: "150",
      pending: "150",
      included: "100",
      billable: "50",
      charge: "0.5",
    });

    await pump();
    const view = await charges.getTestChargeView(BigInt(first.eventId));
    expect(view?.event.platformVerdict).toBe("billable");
    expect(view?.event.attempts.map((a) => a.status)).toEqual([202]);
    expect(view?.projection).toMatchObject({
      currency: "USD",
      monthlyFee: "9.99",
      usageCharge: "0.5",
      total: "10.49",
      thisCharge: { handle: "sms_sent", quantity: "150", charge: "0.5" },
    });
    expect(view?.projection?.lines.map((l) => [l.handle, l.quantity, l.pending, l.charge])).toEqual([
      ["mms_sent", "0", "0", "0"],
      ["sms_sent", "150", "0", "0.5"],
    ]);

    const second = await fire({ quantity: "3" });
    await pump();
    const next = await charges.getTestChargeView(BigInt(second.eventId));
    expect(next?.projection).toMatchObject({ total: "10.52", thisCharge: { quantity: "3", charge: "0.03" } });
    const audit = await env.db.auditLog.findFirstOrThrow({ where: { action: "test_charge.fire", entityId: second.eventId } });
    expect(audit.actorEmail).toBe("operator@example.com");
  });

  it("refuses a store that is not a development store unless an admin confirms it, and audits the confirmation", async () => {
    const sunrise = { targetId: "1002003004", nonce: "form-b-000000000000" };
    await expect(fire({ ...sunrise, confirmNonDev: true })).rejects.toThrow(
      "sunrise-texts.myshopify.com is not a development store: only an admin can confirm a test charge to it.",
    );
    await expect(fire(sunrise, users.admin)).rejects.toThrow(/tick the confirmation/);
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: "tc-form-b-000000000000" } })).toBe(0);

    const confirmed = await fire({ ...sunrise, confirmNonDev: true }, users.admin);
    expect(confirmed.status).toBe("accepted");
    const audit = await env.db.auditLog.findFirstOrThrow({ where: { action: "test_charge.fire", entityId: confirmed.eventId } });
    expect(audit).toMatchObject({
      actorEmail: "admin@example.com",
      note: "Admin confirmed a test charge to sunrise-texts.myshopify.com, which is not a development store.",
    });
    expect(audit.after).toMatchObject({ confirmedNonDev: true });
  });

  it("refuses a meter the store's plan lacks", async () => {
    await expect(fire({ meter: "SMS_SENT" })).rejects.toMatchObject({
      fieldErrors: { meter: ["Not a meter of dev-sms-store.myshopify.com: mms_sent, sms_sent."] },
    });
  });

  it("charges a Wix test instance by price-list kind and projects it against the instance's cycle and limit", async () => {
    const r = await charges.fireTestCharge(
      {
        connectionId: env.wixConnectionId,
        targetId: "5c4d3e2f-0a1b-4c2d-9e8f-7a6b5c4d3e2f",
        meter: "mms_sent",
        quantity: "7",
        nonce: "form-c-000000000000",
        confirmNonDev: false,
      },
      users.operator,
    );
    expect(r).toMatchObject({ status: "accepted", state: "accepted" });
    const view = await charges.getTestChargeView(BigInt(r.eventId));
    expect(view?.event.amount?.toFixed()).toBe("0.35");
    expect(view?.projection).toMatchObject({
      currency: "USD",
      monthlyFee: "0",
      total: "0.35",
      limit: "20",
      thisCharge: { handle: "mms_sent", quantity: "7", charge: "0.35" },
    });
    await expect(
      charges.fireTestCharge(
        {
          connectionId: env.wixConnectionId,
          targetId: "7dd21ebc-a097-43ac-8763-2806daee84a1",
          meter: "sms_sent",
          quantity: "1",
          nonce: "form-d-000000000000",
          confirmNonDev: false,
        },
        users.operator,
      ),
    ).rejects.toThrow("Acme Bakery is not a test instance: only an admin can confirm a test charge to it.");
  });
});
