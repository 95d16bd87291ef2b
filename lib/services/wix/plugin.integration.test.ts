// The Wix Custom Charges provider against the sandbox playing Wix: the sandbox signs and sends the
// service-plugin calls to the app's route handler (served here by a tiny node:http server that
// forwards to the exported POST), checks our answers and creates the invoices.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";
import { SDK_METHOD_OF, throughSdk } from "../../testing/wix-sdk-answers";

const APP_ID = "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96";
const I = {
  usd: "7dd21ebc-a097-43ac-8763-2806daee84a1",
  eur: "3b9f1c2e-5d4a-4e6b-9c8d-7e6f5a4b3c21",
  jpy: "9a7e5c3b-1d2f-4a6b-8c9d-0e1f2a3b4c5d",
  test: "5c4d3e2f-0a1b-4c2d-9e8f-7a6b5c4d3e2f",
  notUpgraded: "e1d2c3b4-a596-4788-9a0b-1c2d3e4f5a6b",
};

let env: LedgerEnv;
let server: http.Server;
let ingestEvents: typeof import("../ingest/ingest").ingestEvents;
let checkWixLimitAlerts: typeof import("./limit-alerts").checkWixLimitAlerts;
let POST: typeof import("../../../app/api/wix/[connectionId]/v1/[method]/route").POST;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ ingestEvents } = await import("../ingest/ingest"));
  ({ checkWixLimitAlerts } = await import("./limit-alerts"));
  ({ POST } = await import("../../../app/api/wix/[connectionId]/v1/[method]/route"));
  // The app's route handler behind a real HTTP port, so the sandbox reaches it like Wix would.
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const match = /^\/api\/wix\/([^/]+)\/v1\/([^/?]+)$/.exec(req.url ?? "");
    if (!match || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: "POST",
      headers: { "content-type": req.headers["content-type"] ?? "text/plain" },
      body: Buffer.concat(chunks),
    });
    const response = await POST(request, { params: Promise.resolve({ connectionId: match[1]!, method: match[2]! }) });
    res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/wix/${env.wixConnectionId}/`;
  await sandboxJson(env, `/_sandbox/wix/apps/${APP_ID}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ baseUri }) });
  // Usage is stamped with real time: the sandbox's clock runs at real time with no offset (its fixture
  // starts it at "now"; setting it from here would leave it behind by the request's latency, and the
  // last usage before an invoice run outside the period).
  expect(Math.abs(Date.parse((await sandboxJson<{ now: string }>(env, "/_sandbox/clock")).now) - Date.now())).toBeLessThan(1000);
});
afterAll(async () => {
  server?.close();
  await env?.close();
});

type Run = { outcome: string; reasons: string[]; chargeIds: string[]; invoiceId: string | null; error: string | null };
type SandboxInvoice = { invoiceId: string; total: string; lines: { chargeId: string; amount: string; description: string }[] };
const post = (path: string, body: unknown = {}) =>
  sandboxJson<Record<string, unknown>>(env, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const runInvoice = async (instanceId: string, retryOnly = false) =>
  ((await post(`/_sandbox/wix/instances/${instanceId}/run-invoice`, { retryOnly })).runs as Run[]).at(-1)!;
const preview = async (instanceId: string) =>
  ((await post(`/_sandbox/wix/instances/${instanceId}/view-charges`)) as { body: { charges: { id: string; amount: string }[] } }).body.charges;
const invoices = async (instanceId: string) =>
  (await sandboxJson<{ invoices: SandboxInvoice[] }>(env, `/_sandbox/wix/instances/${instanceId}/invoices`)).invoices;
const instanceRow = (instanceId: string) =>
  env.db.wixInstance.findUniqueOrThrow({ where: { connectionId_instanceId: { connectionId: env.wixConnectionId, instanceId } } });
const sum = (amounts: string[]) => amounts.reduce((s, a) => s + Math.round(Number(a) * 100), 0) / 100;

let seq = 0;
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
        idempotency_key: `wix-it-${++seq}`,
      },
    ],
    { source: "api" },
  );
  expect(r!.status).toBe("accepted");
  return BigInt(r!.status === "rejected" ? 0 : r!.eventId);
}
async function price(kind: string, currency: string, unitPrice: string) {
  await env.db.wixPriceItem.upsert({
    where: { connectionId_kind_currency: { connectionId: env.wixConnectionId, kind, currency } },
    update: { unitPrice },
    create: { connectionId: env.wixConnectionId, kind, currency, unitPrice, description: `${kind} units` },
  });
}

describe("the Wix Custom Charges provider, with the sandbox playing Wix", () => {
  it("answers the charge limit on upgrade, bills usage at the cycle's end and matches the invoice to the ledger", async () => {
    const upgraded = await post(`/_sandbox/wix/instances/${I.notUpgraded}/upgrade`);
    expect(upgraded.plan).toMatchObject({ chargeLimit: "50.00" });
    const inst = await instanceRow(I.notUpgraded);
    expect(inst.chargeLimit?.toFixed(2)).toBe("50.00");
    expect(inst.cycleStart).not.toBeNull();
    expect(await env.db.wixLimitChange.findMany({ where: { wixInstanceId: inst.id } })).toMatchObject([{ source: "initial", chargeLimit: expect.anything() }]);

    const smsId = await usage(I.notUpgraded, "sms_sent", "1250");
    const mmsId = await usage(I.notUpgraded, "mms_sent", "40");
    const run = await runInvoice(I.notUpgraded);
    expect(run).toMatchObject({ outcome: "INVOICED", error: null });
    const [invoice] = await invoices(I.notUpgraded);
    expect(invoice!.lines.map((l) => [l.description, l.amount])).toEqual([
      ["1,250 × SMS messages sent", "12.50"],
      ["40 × MMS messages sent", "2.00"],
    ]);

    const period = await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstanceId: inst.id }, include: { charges: true } });
    expect(period).toMatchObject({ status: "invoiced" });
    expect(period.invoicedAmount?.toFixed(2)).toBe("14.50");
    expect(period.charges.every((c) => c.status === "invoiced" && c.invoiceId)).toBe(true);
    const stored = await env.db.wixInvoice.findFirstOrThrow({ where: { invoiceId: invoice!.invoiceId }, include: { lines: true } });
    expect(stored.lines.every((l) => l.wixChargeRowId)).toBe(true);
    const events = await env.db.billingEvent.findMany({ where: { id: { in: [smsId, mmsId] } }, include: { transitions: true } });
    for (const e of events) {
      expect(e).toMatchObject({ platformVerdict: "billable", verdictSource: "wix_invoice" });
      expect(e.platformDetails).toContain(invoice!.invoiceId);
      expect(e.transitions.some((t) => t.reason === "verdict: billable (wix_invoice)")).toBe(true);
    }
    // The next cycle started where the invoiced period ended.
    expect((await instanceRow(I.notUpgraded)).cycleStart!.getTime()).toBe(period.periodEnd.getTime());
  });

  it("never proposes more than the limit; a raise before the cycle ends bills the carried usage", async () => {
    const inst = await instanceRow(I.notUpgraded);
    await usage(I.notUpgraded, "sms_sent", "7000"); // 70.00 against a 50.00 limit
    const shown = await preview(I.notUpgraded);
    expect(sum(shown.map((c) => c.amount))).toBe(49.99);
    expect(await env.db.wixBillingPeriod.count({ where: { wixInstanceId: inst.id } })).toBe(1); // DISPLAY_ONLY wrote nothing

    const alerts = await checkWixLimitAlerts([inst.id]);
    expect(alerts).toHaveLength(2);
    expect(await checkWixLimitAlerts([inst.id])).toHaveLength(0); // once per threshold, cycle and limit
    expect((await env.db.alert.findMany({ where: { subjectId: inst.id }, orderBy: { kind: "asc" } })).map((a) => [a.kind, a.severity])).toEqual([
      ["wix_limit_100", "critical"],
      ["wix_limit_80", "warning"],
    ]);

    await post(`/_sandbox/wix/instances/${I.notUpgraded}/raise-limit`, { chargeLimit: "100.00" });
    expect((await instanceRow(I.notUpgraded)).chargeLimit?.toFixed(2)).toBe("100.00");
    expect((await env.db.wixLimitChange.findMany({ where: { wixInstanceId: inst.id }, orderBy: { at: "asc" } })).map((c) => c.source)).toEqual([
      "initial",
      "raised",
    ]);

    expect(await runInvoice(I.notUpgraded)).toMatchObject({ outcome: "INVOICED" });
    expect((await invoices(I.notUpgraded)).at(-1)!.total).toBe("70.00");
  });

  it("over the limit at the invoice: bills up to it, records the rest as not billed, and never moves it to a later period", async () => {
    const inst = await instanceRow(I.notUpgraded);
    const first = await usage(I.notUpgraded, "sms_sent", "8000"); // 80.00
    const straddler = await usage(I.notUpgraded, "sms_sent", "4000"); // 40.00: 19.99 of it fits under 100.00
    const over = await usage(I.notUpgraded, "sms_sent", "100");
    expect(await runInvoice(I.notUpgraded)).toMatchObject({ outcome: "INVOICED" });
    expect((await invoices(I.notUpgraded)).at(-1)!.total).toBe("99.99");
    const period = await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstanceId: inst.id }, orderBy: { periodStart: "desc" } });
    expect(period.carriedAmount.toFixed(2)).toBe("21.01");
    expect(period.carried).toEqual([{ kind: "sms_sent", amount: "21.01", reason: "charge_limit" }]);
    const byId = new Map((await env.db.billingEvent.findMany({ where: { id: { in: [first, straddler, over] } } })).map((e) => [e.id, e]));
    expect(byId.get(first)).toMatchObject({ platformVerdict: "billable", verdictSource: "wix_invoice" });
    expect(byId.get(straddler)).toMatchObject({ platformVerdict: "billable" });
    expect(byId.get(straddler)!.platformDetails).toContain("19.99 of 40 USD");
    expect(byId.get(over)).toMatchObject({ platformVerdict: "non_billable", platformCode: "OVER_CHARGE_LIMIT", verdictSource: "wix_invoice" });

    await post(`/_sandbox/wix/instances/${I.notUpgraded}/raise-limit`, { chargeLimit: "200.00" });
    expect(await runInvoice(I.notUpgraded)).toMatchObject({ outcome: "NO_CHARGES" });
  });

  it("after Charges Rejected, adopts Wix's limit and answers the retry within it, with new charge ids", async () => {
    const inst = await instanceRow(I.notUpgraded);
    // Our copy of the limit is stale (Wix has 200.00): the first answer goes over it.
    await env.db.wixInstance.update({ where: { id: inst.id }, data: { chargeLimit: "500" } });
    await usage(I.notUpgraded, "sms_sent", "30000"); // 300.00
    const rejected = await runInvoice(I.notUpgraded);
    expect(rejected).toMatchObject({ outcome: "REJECTED", reasons: ["CHARGE_LIMIT_EXCEEDED"] });
    const rejection = await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: inst.id } });
    expect(rejection).toMatchObject({ kind: "charges", reasons: ["CHARGE_LIMIT_EXCEEDED"], chargeIds: rejected.chargeIds });
    expect((await instanceRow(I.notUpgraded)).chargeLimit?.toFixed(2)).toBe("200.00");
    expect(await env.db.wixCharge.findMany({ where: { chargeId: { in: rejected.chargeIds } } })).toMatchObject([
      { status: "rejected", rejectionReasons: ["CHARGE_LIMIT_EXCEEDED"] },
    ]);

    const retry = await runInvoice(I.notUpgraded, true);
    expect(retry).toMatchObject({ outcome: "INVOICED" });
    expect(retry.chargeIds).toEqual([`${rejected.chargeIds[0]}-r2`]);
    expect((await invoices(I.notUpgraded)).at(-1)!.total).toBe("199.99");
  });

  it("merges seven kinds into at most 5 charges, exact to the cent", async () => {
    // Units at 0.001 USD: 9.999, 8.50, 7.25, 6.125, 0.30, 0.30 and 0.255 USD.
    const kinds = { k1: "9999", k2: "8500", k3: "7250", k4: "6125", k5: "300", k6: "300", k7: "255" };
    for (const kind of Object.keys(kinds)) await price(kind, "USD", "0.001");
    for (const [kind, quantity] of Object.entries(kinds)) await usage(I.usd, kind, quantity);
    expect(await runInvoice(I.usd)).toMatchObject({ outcome: "INVOICED" });
    const invoice = (await invoices(I.usd)).at(-1)!;
    expect(invoice.lines.map((l) => l.amount)).toEqual(["9.99", "8.50", "7.25", "6.12", "0.85"]);
    expect(invoice.total).toBe("32.71");
    const period = await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstance: { instanceId: I.usd } } });
    // 32.729 of usage = 32.71 charged + 0.019 carried (fractions of a cent Wix would truncate).
    expect(period.usageAmount.toFixed(3)).toBe("32.729");
    expect(period.carriedAmount.toFixed(3)).toBe("0.019");
  });

  it("answers yen without decimals", async () => {
    await price("sms_sent", "JPY", "1.5");
    await usage(I.jpy, "sms_sent", "1001"); // 1501.5 yen
    expect(await runInvoice(I.jpy)).toMatchObject({ outcome: "INVOICED" });
    expect((await invoices(I.jpy)).at(-1)!.lines.map((l) => l.amount)).toEqual(["1501"]);
  });

  it("carries 0.49 of usage instead of proposing a charge Wix would refuse", async () => {
    await price("sms_sent", "EUR", "0.01");
    await usage(I.eur, "sms_sent", "49");
    expect(await preview(I.eur)).toEqual([]);
    expect(await runInvoice(I.eur)).toMatchObject({ outcome: "NO_CHARGES" });
    const period = await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstance: { instanceId: I.eur } } });
    expect(period).toMatchObject({ status: "no_charges", carried: [{ kind: "sms_sent", amount: "0.49", reason: "below_minimum" }] });
  });

  describe("an app with both List Charges and usage counters (listUsagesEnabled): each unit is billed once", () => {
    const app = `/_sandbox/wix/apps/${APP_ID}`;
    const put = (body: unknown) => sandboxJson(env, app, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    type Call = { method: string; httpStatus: number; response: unknown };
    /** The instance's plugin calls, newest first: `find` gives the latest of a method. */
    const latestCalls = async () => (await sandboxJson<{ items: Call[] }>(env, `/_sandbox/wix/plugin-calls?instanceId=${I.eur}&limit=20`)).items;
    afterAll(() => put({ usageCounters: [] }));

    it("priced usage is billed as a charge and its counter answers 0; unpriced usage is counted, and Wix prices it", async () => {
      await price("usage-counter-sms", "EUR", "0.01");
      await usage(I.eur, "usage-counter-sms", "300"); // 3.00 EUR as a charge
      await usage(I.eur, "push_counted", "120"); // no price of ours: Wix's counter prices it
      // Wix would price the same 300 SMS again at 0.20 (60.00) if the counter reported them too.
      await put({
        usageCounters: [
          { counterId: "usage-counter-sms", unitPrice: "0.20" },
          { counterId: "push_counted", unitPrice: "0.05" },
          { counterId: "never-used", unitPrice: "1.00" },
        ],
      });
      expect(await runInvoice(I.eur)).toMatchObject({ outcome: "INVOICED" });
      const calls = await latestCalls();
      expect(calls.find((c) => c.method === "listCharges")!.response).toEqual({
        charges: [expect.objectContaining({ amount: "3.00", description: "300 × usage-counter-sms units" })],
      });
      expect(calls.find((c) => c.method === "listUsages")!.response).toEqual({
        usages: [
          {
            counterId: "usage-counter-sms",
            quantity: 0,
            description: "Billed as charges on this invoice (List Charges), not by this counter: 300 × usage-counter-sms units",
          },
          { counterId: "push_counted", quantity: 120, description: "push_counted in this period" },
          { counterId: "never-used", quantity: 0, description: "No usage in this period" },
        ],
      });
      const invoice = (await invoices(I.eur)).at(-1)!;
      // 3.00 charged + 120 × 0.05 counted: the SMS appear once.
      expect(invoice.lines.map((l) => [l.chargeId.startsWith("usage:") ? l.chargeId : "charge", l.amount])).toEqual([
        ["charge", "3.00"],
        ["usage:push_counted", "6.00"],
      ]);
      expect(invoice.total).toBe("9.00");
      // The ledger's verdicts say how each was billed: the SMS as a charge, the pushes by Wix's counter.
      const row = await instanceRow(I.eur);
      const events = await env.db.billingEvent.findMany({ where: { wixInstanceId: row.id, handle: { in: ["usage-counter-sms", "push_counted"] } } });
      expect(events.map((e) => [e.handle, e.platformVerdict, e.platformCode, e.verdictSource])).toEqual(
        expect.arrayContaining([
          ["usage-counter-sms", "billable", null, "wix_invoice"],
          ["push_counted", "billable", null, "wix_invoice"],
        ]),
      );
      expect(events.find((e) => e.handle === "push_counted")!.platformDetails).toBe(
        `Billed on Wix invoice ${invoice.invoiceId} through its usage counter push_counted (Wix priced the count)`,
      );
      expect((await env.db.wixBillingPeriod.findFirstOrThrow({ where: { wixInstanceId: row.id }, orderBy: { periodStart: "desc" } })).carried).toEqual([
        { kind: "push_counted", amount: "0", quantity: "120", reason: "counter" },
      ]);
    });

    it("counted usage over the limit: Usages Rejected is recorded with Wix's priced lines, and no invoice", async () => {
      await usage(I.eur, "push_counted", "2000"); // 2,000 × 0.05 = 100.00 against the 40.00 limit
      const before = (await invoices(I.eur)).length;
      expect(await runInvoice(I.eur)).toMatchObject({ outcome: "REJECTED", reasons: ["CHARGE_LIMIT_EXCEEDED"] });
      const calls = await latestCalls();
      expect(calls.find((c) => c.method === "listUsages")).toMatchObject({
        httpStatus: 200,
        response: { usages: expect.arrayContaining([{ counterId: "push_counted", quantity: 2000, description: "push_counted in this period" }]) },
      });
      expect(calls.find((c) => c.method === "usagesRejected")).toMatchObject({ httpStatus: 200, response: {} });
      const row = await instanceRow(I.eur);
      const rejection = await env.db.wixRejection.findFirstOrThrow({ where: { wixInstanceId: row.id, kind: "usages" }, orderBy: { id: "desc" } });
      expect(rejection).toMatchObject({
        reasons: ["CHARGE_LIMIT_EXCEEDED"],
        usageLines: [
          { counterId: "usage-counter-sms", quantity: 0, unitPrice: "0.20", amount: "0.00" },
          { counterId: "push_counted", quantity: 2000, unitPrice: "0.05", amount: "100.00" },
          { counterId: "never-used", quantity: 0, unitPrice: "1.00", amount: "0.00" },
        ],
      });
      expect(rejection.chargeLimit?.toFixed(2)).toBe("40.00"); // the EUR site's limit at Wix
      expect(await invoices(I.eur)).toHaveLength(before);
    });
  });
});

describe("the app's answers, read by Wix's SDK", () => {
  it("every answer the sandbox got in this file parses with the SDK's response type of its method and serialises back unchanged", async () => {
    type Logged = { method: keyof typeof SDK_METHOD_OF; httpStatus: number | null; response: unknown };
    const calls: Logged[] = [];
    for (let after: string | null = null, first = true; first || after; first = false) {
      const page: { items: Logged[]; next_cursor: string | null } = await sandboxJson(
        env,
        `/_sandbox/wix/plugin-calls?limit=250${after ? `&after=${after}` : ""}`,
      );
      calls.push(...page.items);
      after = page.next_cursor;
    }
    const answered = calls.filter((c) => c.httpStatus === 200);
    expect(answered.length).toBe(calls.length);
    // All seven methods were called by the sandbox and answered by the app.
    expect(new Set(answered.map((c) => c.method))).toEqual(new Set(Object.keys(SDK_METHOD_OF)));
    for (const c of answered) {
      const { sdk, serialised } = throughSdk(SDK_METHOD_OF[c.method], c.response);
      expect(serialised, `${c.method}: ${JSON.stringify(c.response)}`).toEqual(c.response);
      if (c.method === "listCharges") {
        for (const charge of (sdk as { charges?: { _id?: string | null; usagePeriod?: { startDate?: Date | null; endDate?: Date | null } }[] }).charges ?? []) {
          expect(charge._id).toEqual(expect.any(String));
          expect(charge.usagePeriod?.startDate).toBeInstanceOf(Date);
          expect(charge.usagePeriod!.startDate!.getTime()).toBeLessThanOrEqual(charge.usagePeriod!.endDate!.getTime());
        }
      }
    }
  });

  it("an answer outside the SDK's types is caught, field by field", () => {
    expect(() => throughSdk("listUsages", { usages: [{ counterId: "sms", quantity: 1.5, description: "x" }] })).toThrow(/whole number/);
    expect(() => throughSdk("listCharges", { charges: [{ id: "c1", amount: "0.49", description: "x" }] })).toThrow(/0\.50/);
    expect(() => throughSdk("listCharges", { charges: [{ id: "c1", amount: "1.00", currency: "USD" }] })).toThrow(/currency/);
    expect(() => throughSdk("getChargeLimit", { chargeLimit: 50 })).toThrow();
    expect(() => throughSdk("invoiceCreatedEvent", { ok: true })).toThrow();
  });
});

describe("service-plugin authentication", () => {
  const METHODS = ["charge-limit", "charges", "usages", "charges-rejected", "usages-rejected", "invoice-created", "limit-updated"];
  const CONNECTION = "5e3d0b1a-0000-4000-8000-0000000000aa";
  const TEST_APP = "0a1b2c3d-0000-4000-8000-000000000099";
  const requests: Record<string, unknown> = {
    "charge-limit": { subscriptionId: null, currency: "USD", cycle: { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } } },
    charges: { currency: "USD", periodStart: "2026-01-01T00:00:00.000Z", periodEnd: new Date().toISOString(), intent: "CREATE_INVOICE" },
    usages: { counterIds: ["sms_sent"], periodStart: "2026-01-01T00:00:00.000Z", periodEnd: new Date().toISOString(), intent: "CREATE_INVOICE" },
    "charges-rejected": { currency: "USD", chargeIds: ["x"], chargeLimit: "1.00", reasons: ["CHARGE_LIMIT_EXCEEDED"] },
    "usages-rejected": { currency: "USD", usageLineItems: [], chargeLimit: "1.00", reasons: ["CHARGE_LIMIT_EXCEEDED"] },
    "invoice-created": { currency: "USD", invoiceId: "inv-1", lineItems: [{ chargeId: "x", amount: "1.00", id: "l1" }] },
    "limit-updated": { currency: "USD", chargeLimit: "999.00" },
  };
  let appKey: CryptoKey;
  let otherKey: CryptoKey;

  beforeAll(async () => {
    const app = await generateKeyPair("RS256", { extractable: true });
    appKey = app.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    await env.db.connection.create({
      data: {
        id: CONNECTION,
        name: "Auth test app",
        platform: "wix",
        environment: "sandbox",
        apiBaseUrl: env.sandboxUrl,
        clientId: TEST_APP,
        clientSecretEnc: "unused",
        pluginPublicKey: await exportSPKI(app.publicKey),
        defaultChargeLimit: "10",
      },
    });
  });

  const sign = (method: string, o: { key?: CryptoKey; iss?: string; aud?: string; expired?: boolean } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ data: { request: requests[method], metadata: { instanceId: "a0e1b2c3-0000-4000-8000-00000000a17e", requestId: "r1" } } })
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(o.iss ?? "wix.com")
      .setAudience(o.aud ?? TEST_APP)
      .setIssuedAt(o.expired ? now - 900 : now)
      .setExpirationTime(o.expired ? now - 600 : now + 300)
      .sign(o.key ?? appKey);
  };
  const call = (method: string, body: string, connection = CONNECTION) =>
    POST(new Request(`http://app/api/wix/${connection}/v1/${method}`, { method: "POST", headers: { "content-type": "text/plain" }, body }), {
      params: Promise.resolve({ connectionId: connection, method }),
    });
  const counts = async () =>
    Promise.all([
      env.db.wixInstance.count(),
      env.db.wixLimitChange.count(),
      env.db.wixBillingPeriod.count(),
      env.db.wixCharge.count(),
      env.db.wixInvoice.count(),
      env.db.wixInvoiceLine.count(),
      env.db.wixRejection.count(),
      env.db.alert.count(),
      env.db.eventTransition.count(),
      env.db.wixInstance.findMany({ select: { chargeLimit: true, cycleStart: true } }).then((r) => JSON.stringify(r)),
    ]);

  it("refuses forged, expired, wrong-audience and wrong-issuer tokens on every endpoint with 401, writing nothing", async () => {
    const before = await counts();
    for (const method of METHODS) {
      for (const [name, token] of [
        ["forged", await sign(method, { key: otherKey })],
        ["expired", await sign(method, { expired: true })],
        ["wrong audience", await sign(method, { aud: APP_ID })],
        ["wrong issuer", await sign(method, { iss: "wix.example" })],
        ["not a JWT", "hello"],
      ] as const) {
        const res = await call(method, token);
        expect(res.status, `${method}: ${name}`).toBe(401);
        expect(await res.json()).toMatchObject({ applicationError: { code: "UNAUTHENTICATED" } });
      }
      // A token for another connection's app, and an unknown connection, are refused too.
      expect((await call(method, await sign(method), env.wixConnectionId)).status).toBe(401);
      expect((await call(method, await sign(method), "5e3d0b1a-0000-4000-8000-0000000000ff")).status).toBe(401);
    }
    expect(await counts()).toEqual(before);
    expect((await call("no-such-method", await sign("charges"))).status).toBe(404);
  });

  it("answers the same calls once they are signed by the app's key", async () => {
    const res = await call("charge-limit", await sign("charge-limit"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ chargeLimit: "10.00" });
    const bad = await call(
      "charges",
      await new SignJWT({
        data: { request: { ...(requests.charges as object), currency: "CHF" }, metadata: { instanceId: "a0e1b2c3-0000-4000-8000-00000000a17e" } },
      })
        .setProtectedHeader({ alg: "RS256" })
        .setIssuer("wix.com")
        .setAudience(TEST_APP)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(appKey),
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      applicationError: { code: "INVALID_ARGUMENT", data: { fieldErrors: { currency: [expect.stringContaining("AUD, BRL, CAD")] } } },
    });
  });
});
