// What Wix's SDK may send, the app accepts and answers rightly (docs/platforms/wix.md §5.3): every
// request field of @wix/auto_sdk_app-management_custom-charges 1.0.36 is optional and some are
// nullable. One test per such field, each a signed call through the app's route to real Postgres,
// checking the answer and what was (or was not) written. Hostile input is still refused.
import { randomUUID } from "node:crypto";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
let appKey: CryptoKey;
let appId: string;
let POST: typeof import("../../../app/api/wix/[connectionId]/v1/[method]/route").POST;
let ingestEvents: typeof import("../ingest/ingest").ingestEvents;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ POST } = await import("../../../app/api/wix/[connectionId]/v1/[method]/route"));
  ({ ingestEvents } = await import("../ingest/ingest"));
  // The app's calls are signed here with a key of the test's: the connection trusts its public key.
  const pair = await generateKeyPair("RS256", { extractable: true });
  appKey = pair.privateKey;
  const connection = await env.db.connection.update({ where: { id: env.wixConnectionId }, data: { pluginPublicKey: await exportSPKI(pair.publicKey) } });
  appId = connection.clientId;
});
afterAll(async () => {
  await env?.close();
});

type Meta = Record<string, unknown>;
async function call(method: string, request: Record<string, unknown>, metadata: Meta) {
  const token = await new SignJWT({ data: { request, metadata: { appExtensionType: "PREMIUM_CUSTOM_CHARGES", ...metadata } } })
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer("wix.com")
    .setAudience(appId)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(appKey);
  const res = await POST(
    new Request(`http://app/api/wix/${env.wixConnectionId}/v1/${method}`, { method: "POST", headers: { "content-type": "text/plain" }, body: token }),
    {
      params: Promise.resolve({ connectionId: env.wixConnectionId, method }),
    },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Everything a plugin call can write, to show a refused or no-op call wrote nothing. */
const snapshot = async () =>
  JSON.stringify(
    await Promise.all([
      env.db.wixInstance.findMany({
        orderBy: { id: "asc" },
        select: { id: true, chargeLimit: true, cycleStart: true, cycleEnd: true, subscriptionId: true, currency: true },
      }),
      env.db.wixLimitChange.count(),
      env.db.wixBillingPeriod.count(),
      env.db.wixCharge.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true } }),
      env.db.wixInvoice.count(),
      env.db.wixInvoiceLine.count(),
      env.db.wixRejection.count(),
      env.db.eventTransition.count(),
    ]),
  );

let seq = 0;
/**
 * A fresh instance id the app already knows (an instance first named by a plugin call is looked up
 * at Wix's App Instance API afterwards, which this file leaves to wix-received's tests).
 */
async function known(currency = "USD") {
  const instanceId = randomUUID();
  await env.db.wixInstance.create({ data: { connectionId: env.wixConnectionId, instanceId, siteName: `Shape test ${instanceId.slice(0, 8)}`, currency } });
  return instanceId;
}
/** A fresh instance on the usage plan: Get Charge Limit answered (50.00 USD, a monthly cycle from now). */
async function upgraded(currency = "USD") {
  const instanceId = await known(currency);
  const res = await call(
    "charge-limit",
    { subscriptionId: null, currency, cycle: { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } } },
    { instanceId, requestId: `up-${++seq}` },
  );
  expect(res).toEqual({ status: 200, body: { chargeLimit: currency === "JPY" ? "50" : "50.00" } });
  const row = await env.db.wixInstance.findUniqueOrThrow({ where: { connectionId_instanceId: { connectionId: env.wixConnectionId, instanceId } } });
  return { instanceId, row, period: { periodStart: row.cycleStart!.toISOString(), periodEnd: row.cycleEnd!.toISOString() } };
}
async function usage(instanceId: string, kind: string, quantity: string) {
  const [r] = await ingestEvents(
    [
      {
        platform: "wix",
        type: "usage",
        connection_id: env.wixConnectionId,
        instance_id: instanceId,
        kind,
        quantity,
        timestamp: new Date().toISOString(),
        idempotency_key: `shape-${++seq}`,
      },
    ],
    { source: "api" },
  );
  expect(r!.status).toBe("accepted");
}
const instanceRow = (instanceId: string) =>
  env.db.wixInstance.findUniqueOrThrow({ where: { connectionId_instanceId: { connectionId: env.wixConnectionId, instanceId } } });

describe("Get Charge Limit, as the SDK may send it", () => {
  it("currency absent: the context's currency is used (metadata.currency)", async () => {
    const instanceId = await known();
    const res = await call(
      "charge-limit",
      { subscriptionId: null, cycle: { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } } },
      { instanceId, currency: "EUR" },
    );
    expect(res).toEqual({ status: 200, body: { chargeLimit: "50.00" } });
    expect(await instanceRow(instanceId)).toMatchObject({ currency: "EUR" });
    expect((await env.db.wixLimitChange.findFirstOrThrow({ where: { wixInstance: { instanceId } } })).currency).toBe("EUR");
  });

  it("currency absent here and in the context: refused as a field error, nothing written", async () => {
    const before = await snapshot();
    const res = await call("charge-limit", { subscriptionId: null }, { instanceId: randomUUID() });
    expect(res).toMatchObject({
      status: 400,
      body: { applicationError: { code: "INVALID_ARGUMENT", data: { fieldErrors: { currency: [expect.stringContaining("missing")] } } } },
    });
    expect(await snapshot()).toBe(before);
  });

  it("cycle absent: the limit is answered and a monthly cycle starts", async () => {
    const instanceId = await known();
    expect(await call("charge-limit", { subscriptionId: null, currency: "USD" }, { instanceId })).toEqual({ status: 200, body: { chargeLimit: "50.00" } });
    const row = await instanceRow(instanceId);
    expect(row.chargeLimit?.toFixed(2)).toBe("50.00");
    const months = (row.cycleEnd!.getUTCFullYear() - row.cycleStart!.getUTCFullYear()) * 12 + row.cycleEnd!.getUTCMonth() - row.cycleStart!.getUTCMonth();
    expect(months).toBe(1);
  });

  it("cycle.cycleDuration absent (a ONE_TIME cycle): answered like the monthly one", async () => {
    const instanceId = await known();
    expect(await call("charge-limit", { currency: "USD", cycle: { cycleType: "ONE_TIME" } }, { instanceId })).toEqual({
      status: 200,
      body: { chargeLimit: "50.00" },
    });
    expect((await instanceRow(instanceId)).cycleEnd).not.toBeNull();
  });
});

describe("List Charges, as the SDK may send it", () => {
  it("currency absent: charged in the context's currency, the same answer as with it", async () => {
    const { instanceId, period } = await upgraded();
    await usage(instanceId, "sms_sent", "1250");
    const withCurrency = await call("charges", { currency: "USD", ...period, intent: "DISPLAY_ONLY" }, { instanceId });
    const without = await call("charges", { ...period, intent: "DISPLAY_ONLY" }, { instanceId, currency: "USD" });
    expect(withCurrency.status).toBe(200);
    expect(without).toEqual(withCurrency);
    expect((without.body.charges as { amount: string }[]).map((c) => c.amount)).toEqual(["12.50"]);
  });

  it("intent absent or null: a preview (DISPLAY_ONLY), which writes nothing", async () => {
    const { instanceId, period } = await upgraded();
    await usage(instanceId, "sms_sent", "300");
    const before = await snapshot();
    for (const intent of [undefined, null]) {
      const res = await call("charges", { currency: "USD", ...period, ...(intent === null ? { intent } : {}) }, { instanceId });
      expect(res.status).toBe(200);
      expect((res.body.charges as { amount: string }[]).map((c) => c.amount)).toEqual(["3.00"]);
    }
    expect(await snapshot()).toBe(before);
  });

  it("periodStart and periodEnd null on a preview: the instance's current cycle is shown", async () => {
    const { instanceId, period } = await upgraded();
    await usage(instanceId, "sms_sent", "700");
    const named = await call("charges", { currency: "USD", ...period, intent: "DISPLAY_ONLY" }, { instanceId });
    const unnamed = await call("charges", { currency: "USD", periodStart: null, periodEnd: null, intent: "DISPLAY_ONLY" }, { instanceId });
    expect(unnamed).toEqual(named);
    expect((unnamed.body.charges as { amount: string }[]).map((c) => c.amount)).toEqual(["7.00"]);
    // An instance not on the plan yet has no cycle: nothing to show.
    expect(await call("charges", { currency: "USD", intent: "DISPLAY_ONLY" }, { instanceId: await known() })).toEqual({ status: 200, body: { charges: [] } });
  });

  it("periodStart or periodEnd absent on CREATE_INVOICE: refused (Wix names the period it bills), nothing written", async () => {
    const { instanceId, period } = await upgraded();
    await usage(instanceId, "sms_sent", "900");
    const before = await snapshot();
    const res = await call("charges", { currency: "USD", periodStart: period.periodStart, intent: "CREATE_INVOICE" }, { instanceId });
    expect(res).toMatchObject({
      status: 400,
      body: { applicationError: { code: "INVALID_ARGUMENT", data: { fieldErrors: { periodEnd: [expect.stringContaining("period it bills")] } } } },
    });
    expect(Object.keys((res.body.applicationError as { data: { fieldErrors: object } }).data.fieldErrors)).toEqual(["periodEnd"]);
    expect(await snapshot()).toBe(before);
  });

  it("subscriptionId absent on CREATE_INVOICE: the period is invoiced under the instance's subscription", async () => {
    const { instanceId, row, period } = await upgraded();
    await env.db.wixInstance.update({ where: { id: row.id }, data: { subscriptionId: "2f6a9e10-3c4d-4b5e-8f70-112233445566" } });
    await usage(instanceId, "sms_sent", "1000");
    const res = await call("charges", { currency: "USD", ...period, intent: "CREATE_INVOICE" }, { instanceId });
    expect((res.body.charges as { amount: string }[]).map((c) => c.amount)).toEqual(["10.00"]);
    expect(await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({
      subscriptionId: "2f6a9e10-3c4d-4b5e-8f70-112233445566",
      status: "proposed",
    });
  });
});

describe("List Usages, as the SDK may send it", () => {
  it("counterIds absent or null: no usages asked, none answered, nothing written", async () => {
    const { instanceId, period } = await upgraded();
    const before = await snapshot();
    for (const counterIds of [undefined, null]) {
      const res = await call("usages", { ...period, intent: "CREATE_INVOICE", ...(counterIds === null ? { counterIds } : {}) }, { instanceId });
      expect(res).toEqual({ status: 200, body: { usages: [] } });
    }
    expect(await snapshot()).toBe(before);
  });

  it("intent absent: a preview, which writes nothing (an invoice's call would mark the counted kinds)", async () => {
    const { instanceId, period } = await upgraded();
    await usage(instanceId, "push_unpriced", "5");
    await call("charges", { currency: "USD", ...period, intent: "CREATE_INVOICE" }, { instanceId });
    const before = await snapshot();
    const carried = JSON.stringify((await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstance: { instanceId } } })).carried);
    expect(await call("usages", { counterIds: ["push_unpriced"], ...period }, { instanceId })).toEqual({
      status: 200,
      body: { usages: [expect.objectContaining({ counterId: "push_unpriced", quantity: 5 })] },
    });
    expect(await snapshot()).toBe(before);
    expect(JSON.stringify((await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstance: { instanceId } } })).carried)).toBe(carried);
    expect(carried).toContain("no_price");
  });

  it("periodStart and periodEnd null on a preview: the current cycle's counts", async () => {
    const { instanceId } = await upgraded();
    await usage(instanceId, "push_unpriced", "42");
    const res = await call("usages", { counterIds: ["push_unpriced"], periodStart: null, periodEnd: null }, { instanceId });
    expect(res).toEqual({
      status: 200,
      body: { usages: [{ counterId: "push_unpriced", quantity: 42, description: expect.stringContaining("in this period") }] },
    });
  });
});

describe("Charges Rejected, as the SDK may send it", () => {
  it("chargeIds null: the charges still proposed are the rejected ones; the retry proposes new ids", async () => {
    const { instanceId, row, period } = await upgraded();
    await usage(instanceId, "sms_sent", "2000");
    const first = await call("charges", { currency: "USD", ...period, intent: "CREATE_INVOICE" }, { instanceId });
    const [proposed] = first.body.charges as { id: string; amount: string }[];
    expect(proposed!.amount).toBe("20.00");
    const res = await call(
      "charges-rejected",
      { currency: "USD", chargeIds: null, chargeLimit: "50.00", reasons: ["UNKNOWN"] },
      { instanceId, requestId: "rej-null-ids" },
    );
    expect(res).toEqual({ status: 200, body: {} });
    expect(await env.db.wixCharge.findMany({ where: { wixInstanceId: row.id }, select: { chargeId: true, status: true } })).toEqual([
      { chargeId: proposed!.id, status: "rejected" },
    ]);
    expect(await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({
      kind: "charges",
      chargeIds: [],
      reasons: ["UNKNOWN"],
    });
    const retry = await call("charges", { currency: "USD", ...period, intent: "CREATE_INVOICE" }, { instanceId });
    expect(retry.body.charges).toEqual([expect.objectContaining({ id: `${proposed!.id}-r2`, amount: "20.00" })]);
  });

  it("chargeLimit null: the limit stays as it is, no limit change is recorded", async () => {
    const { instanceId, row } = await upgraded();
    const changes = await env.db.wixLimitChange.count({ where: { wixInstanceId: row.id } });
    expect(await call("charges-rejected", { currency: "USD", chargeIds: ["x"], chargeLimit: null, reasons: ["TOO_MANY_CHARGES"] }, { instanceId })).toEqual({
      status: 200,
      body: {},
    });
    expect((await instanceRow(instanceId)).chargeLimit?.toFixed(2)).toBe("50.00");
    expect(await env.db.wixLimitChange.count({ where: { wixInstanceId: row.id } })).toBe(changes);
    expect(await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({
      chargeLimit: null,
      reasons: ["TOO_MANY_CHARGES"],
    });
  });

  it("reasons absent: recorded with no reasons", async () => {
    const { instanceId, row } = await upgraded();
    expect(await call("charges-rejected", { currency: "USD", chargeIds: ["y"] }, { instanceId })).toEqual({ status: 200, body: {} });
    expect(await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({ reasons: [], currency: "USD", chargeIds: ["y"] });
  });

  it("currency absent here and in the context, for a known instance: the instance's currency", async () => {
    const { instanceId, row } = await upgraded("EUR");
    expect(await call("charges-rejected", { chargeIds: ["z"], reasons: ["UNKNOWN"] }, { instanceId })).toEqual({ status: 200, body: {} });
    expect(await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({ currency: "EUR" });
  });
});

describe("Usages Rejected, as the SDK may send it", () => {
  it("usageLineItems null: recorded with no lines", async () => {
    const { instanceId, row } = await upgraded();
    expect(
      await call(
        "usages-rejected",
        { currency: "USD", usageLineItems: null, chargeLimit: "50.00", reasons: ["CHARGE_LIMIT_EXCEEDED"] },
        { instanceId, requestId: "ur-1" },
      ),
    ).toEqual({ status: 200, body: {} });
    expect(await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({
      kind: "usages",
      usageLines: [],
      reasons: ["CHARGE_LIMIT_EXCEEDED"],
    });
  });

  it("chargeLimit null: recorded without a limit; the instance's limit stays, no limit change", async () => {
    const { instanceId, row } = await upgraded();
    const changes = await env.db.wixLimitChange.count({ where: { wixInstanceId: row.id } });
    const line = { counterId: "sms_sent", quantity: 10, unitPrice: "1.00", amount: "10.00" };
    expect(
      await call("usages-rejected", { currency: "USD", usageLineItems: [line], chargeLimit: null, reasons: ["UNKNOWN"] }, { instanceId, requestId: "ur-3" }),
    ).toEqual({ status: 200, body: {} });
    expect(await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({ usageLines: [line], chargeLimit: null });
    expect((await instanceRow(instanceId)).chargeLimit?.toFixed(2)).toBe("50.00");
    expect(await env.db.wixLimitChange.count({ where: { wixInstanceId: row.id } })).toBe(changes);
  });

  it("a line item's fields absent: the line is kept as Wix sent it", async () => {
    const { instanceId, row } = await upgraded();
    expect(
      await call("usages-rejected", { currency: "USD", usageLineItems: [{ counterId: "sms_sent" }], reasons: null }, { instanceId, requestId: "ur-2" }),
    ).toEqual({ status: 200, body: {} });
    expect(await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id } })).toMatchObject({
      usageLines: [{ counterId: "sms_sent" }],
      reasons: [],
    });
  });
});

describe("Invoice Created, as the SDK may send it", () => {
  async function proposed() {
    const up = await upgraded();
    await usage(up.instanceId, "sms_sent", "1500");
    const res = await call("charges", { currency: "USD", ...up.period, intent: "CREATE_INVOICE" }, { instanceId: up.instanceId });
    return { ...up, charge: (res.body.charges as { id: string; amount: string }[])[0]! };
  }

  it("a line's chargeId null: kept on the invoice, matched to no charge; the other line bills its charge", async () => {
    const { instanceId, row, charge } = await proposed();
    const res = await call(
      "invoice-created",
      {
        currency: "USD",
        invoiceId: "inv-null-line",
        lineItems: [
          { chargeId: charge.id, amount: "15.00", id: "5b6c7d8e-0000-4000-8000-000000000001" },
          { chargeId: null, amount: "3.00", id: "5b6c7d8e-0000-4000-8000-000000000002" },
        ],
      },
      { instanceId },
    );
    expect(res).toEqual({ status: 200, body: {} });
    const invoice = await env.db.wixInvoice.findFirstOrThrow({ where: { wixInstanceId: row.id }, include: { lines: { orderBy: { id: "asc" } } } });
    expect(invoice.total.toFixed(2)).toBe("18.00");
    expect(invoice.lines.map((l) => [l.chargeId, l.amount.toFixed(2), l.wixChargeRowId !== null])).toEqual([
      [charge.id, "15.00", true],
      [null, "3.00", false],
    ]);
    expect(await env.db.wixCharge.findMany({ where: { wixInstanceId: row.id }, select: { status: true, invoicedAmount: true } })).toEqual([
      { status: "invoiced", invoicedAmount: expect.anything() },
    ]);
    expect((await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstanceId: row.id } })).invoicedAmount?.toFixed(2)).toBe("15.00");
  });

  it("a line's id absent: the lines are numbered, and bill their charges", async () => {
    const { instanceId, row, charge } = await proposed();
    expect(
      await call("invoice-created", { currency: "USD", invoiceId: "inv-no-line-id", lineItems: [{ chargeId: charge.id, amount: "15.00" }] }, { instanceId }),
    ).toEqual({ status: 200, body: {} });
    const invoice = await env.db.wixInvoice.findFirstOrThrow({ where: { wixInstanceId: row.id }, include: { lines: true } });
    expect(invoice.lines.map((l) => [l.lineId, l.wixChargeRowId !== null])).toEqual([["line-1", true]]);
    expect((await env.db.wixCharge.findFirstOrThrow({ where: { wixInstanceId: row.id } })).status).toBe("invoiced");
  });

  it("lineItems absent: an invoice with no lines of ours; no charge changes", async () => {
    const { instanceId, row } = await proposed();
    expect(await call("invoice-created", { currency: "USD", invoiceId: "inv-no-lines" }, { instanceId })).toEqual({ status: 200, body: {} });
    const invoice = await env.db.wixInvoice.findFirstOrThrow({ where: { wixInstanceId: row.id }, include: { lines: true } });
    expect(invoice.lines).toEqual([]);
    expect(invoice.total.toFixed(2)).toBe("0.00");
    expect((await env.db.wixCharge.findFirstOrThrow({ where: { wixInstanceId: row.id } })).status).toBe("proposed");
  });

  it("invoiceId absent: refused as a field error (the invoice could not be recorded once), nothing written", async () => {
    const { instanceId, charge } = await proposed();
    const before = await snapshot();
    const noId = await call("invoice-created", { currency: "USD", lineItems: [{ chargeId: charge.id, amount: "15.00" }] }, { instanceId });
    expect(noId).toMatchObject({
      status: 400,
      body: { applicationError: { code: "INVALID_ARGUMENT", data: { fieldErrors: { invoiceId: [expect.any(String)] } } } },
    });
    expect(await snapshot()).toBe(before);
  });

  it("a line's amount absent: refused as a field error (money is never guessed), nothing written", async () => {
    const { instanceId, charge } = await proposed();
    const before = await snapshot();
    const noAmount = await call("invoice-created", { currency: "USD", invoiceId: "inv-x", lineItems: [{ chargeId: charge.id }] }, { instanceId });
    expect(noAmount).toMatchObject({ status: 400, body: { applicationError: { data: { fieldErrors: { "lineItems.0.amount": [expect.any(String)] } } } } });
    expect(await snapshot()).toBe(before);
  });
});

describe("Charge Limit Updated, as the SDK may send it", () => {
  it("chargeLimit null: answered, and nothing changes", async () => {
    const { instanceId } = await upgraded();
    const before = await snapshot();
    expect(await call("limit-updated", { currency: "USD", chargeLimit: null }, { instanceId })).toEqual({ status: 200, body: {} });
    expect(await snapshot()).toBe(before);
  });

  it("a raise with every optional field but the limit absent: recorded", async () => {
    const { instanceId, row } = await upgraded();
    expect(await call("limit-updated", { chargeLimit: "80.00" }, { instanceId, currency: "USD" })).toEqual({ status: 200, body: {} });
    expect((await instanceRow(instanceId)).chargeLimit?.toFixed(2)).toBe("80.00");
    expect(await env.db.wixLimitChange.findFirstOrThrow({ where: { wixInstanceId: row.id, source: "raised" } })).toMatchObject({
      currency: "USD",
      subscriptionId: null,
    });
  });
});

describe("the context (metadata), as the SDK may send it", () => {
  it("requestId, currency, identity and languages null or absent: still answered", async () => {
    const { instanceId, period } = await upgraded();
    await usage(instanceId, "sms_sent", "100");
    const res = await call("charges", { currency: "USD", ...period }, { instanceId, requestId: null, currency: null, identity: null, languages: null });
    expect(res).toEqual({ status: 200, body: { charges: [expect.objectContaining({ amount: "1.00" })] } });
  });

  it("instanceId null: refused (the call names no instance), nothing written", async () => {
    const before = await snapshot();
    const res = await call("limit-updated", { currency: "USD", chargeLimit: "99.00" }, { instanceId: null });
    expect(res).toMatchObject({
      status: 400,
      body: { applicationError: { code: "INVALID_ARGUMENT", data: { fieldErrors: { "metadata.instanceId": [expect.any(String)] } } } },
    });
    expect(await snapshot()).toBe(before);
  });
});

describe("hostile input is still refused, with nothing written", () => {
  it("NUL, unpaired surrogates, 5,000-character ids, currency XXX (in the request or the context)", async () => {
    const { instanceId } = await upgraded();
    const before = await snapshot();
    const cases: [string, Record<string, unknown>, Meta, string][] = [
      ["charges-rejected", { currency: "USD", chargeIds: ["a\u0000b"] }, { instanceId }, "chargeIds.0"],
      ["invoice-created", { currency: "USD", invoiceId: "inv-\ud800", lineItems: [] }, { instanceId }, "request.invoiceId"],
      ["invoice-created", { currency: "USD", invoiceId: "x".repeat(5000), lineItems: [] }, { instanceId }, "invoiceId"],
      [
        "invoice-created",
        { currency: "USD", invoiceId: "inv-long-line", lineItems: [{ chargeId: "c".repeat(5000), amount: "1.00" }] },
        { instanceId },
        "lineItems.0.chargeId",
      ],
      ["limit-updated", { currency: "XXX", chargeLimit: "60.00" }, { instanceId }, "currency"],
      ["limit-updated", { chargeLimit: "60.00" }, { instanceId, currency: "XXX" }, "metadata.currency"],
      ["charges", { intent: "DISPLAY_ONLY" }, { instanceId, currency: "XXX" }, "metadata.currency"],
    ];
    for (const [method, request, metadata, field] of cases) {
      const res = await call(method, request, metadata);
      expect(res.status, `${method} ${field}`).toBe(400);
      expect(JSON.stringify(res.body), `${method} ${field}`).toContain(field.split(".").pop()!);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("fields every request may leave out, method by method", () => {
  const SUBSCRIPTION = "2f6a9e10-3c4d-4b5e-8f70-112233445566";
  const requests: Record<string, (period: { periodStart: string; periodEnd: string }) => Record<string, unknown>> = {
    "charge-limit": () => ({ currency: "EUR", cycle: { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } } }),
    charges: (p) => ({ currency: "EUR", ...p, intent: "DISPLAY_ONLY" }),
    usages: (p) => ({ counterIds: ["sms_sent"], ...p, intent: "DISPLAY_ONLY" }),
    "charges-rejected": () => ({ currency: "EUR", chargeIds: ["q1"], chargeLimit: "50.00", reasons: ["UNKNOWN"] }),
    "usages-rejected": () => ({ currency: "EUR", usageLineItems: [], chargeLimit: "50.00", reasons: ["UNKNOWN"] }),
    "invoice-created": () => ({ currency: "EUR", invoiceId: `inv-${randomUUID().slice(0, 8)}`, lineItems: [] }),
    "limit-updated": () => ({ currency: "EUR", chargeLimit: "90.00" }),
  };

  it.each(Object.keys(requests))("%s without subscriptionId: answered, and the instance keeps its subscription", async (method) => {
    const { instanceId, row, period } = await upgraded("EUR");
    await env.db.wixInstance.update({ where: { id: row.id }, data: { subscriptionId: SUBSCRIPTION } });
    const res = await call(method, requests[method]!(period), { instanceId, requestId: randomUUID() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await instanceRow(instanceId)).subscriptionId).toBe(SUBSCRIPTION);
  });

  it.each(Object.keys(requests).filter((m) => m !== "usages"))("%s without currency: recorded and answered in the context's currency", async (method) => {
    const { instanceId, row, period } = await upgraded("EUR");
    const { currency: _omitted, ...request } = requests[method]!(period);
    const res = await call(method, request, { instanceId, currency: "EUR", requestId: randomUUID() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (method === "charge-limit") expect(res.body).toEqual({ chargeLimit: "50.00" });
    if (method === "charges") expect(res.body).toEqual({ charges: [] });
    const rejection = await env.db.wixRejection.findFirst({ where: { wixInstanceId: row.id } });
    const invoice = await env.db.wixInvoice.findFirst({ where: { wixInstanceId: row.id } });
    const raised = await env.db.wixLimitChange.findFirst({ where: { wixInstanceId: row.id, source: "raised" } });
    const recorded = { "charges-rejected": rejection, "usages-rejected": rejection, "invoice-created": invoice, "limit-updated": raised }[method];
    if (recorded !== undefined) expect(recorded).toMatchObject({ currency: "EUR" });
    expect((await instanceRow(instanceId)).currency).toBe("EUR");
  });
});
