// Wix's own packages, unmodified, against the sandbox: @wix/sdk's AppStrategy and ApiKeyStrategy
// with the external-billing module (docs/platforms/wix.md §1–§2), and an SDK-built Custom Charges
// provider (customCharges.provideHandlers + servicePlugins.processRequest) receiving the calls the
// sandbox signs like Wix (§5). The only adaptation: fetch sends www.wixapis.com to the sandbox.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApiKeyStrategy, AppStrategy, createClient } from "@wix/sdk";
import * as externalBilling from "@wix/auto_sdk_app-management_external-billing";
import * as customCharges from "@wix/auto_sdk_app-management_custom-charges";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, WIX, type Body, type TestSandbox } from "./helpers";

let sbx: TestSandbox;
const realFetch = globalThis.fetch;
beforeAll(async () => {
  sbx = await startTestSandbox();
  const sandbox = new URL(sbx.url);
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === "www.wixapis.com") {
      url.protocol = sandbox.protocol;
      url.host = sandbox.host;
      return realFetch(input instanceof Request ? new Request(url, input) : url, init);
    }
    return realFetch(input, init);
  };
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await sbx.close();
});
beforeEach(() => sbx.api.reset());

// A fresh object each time: the SDK rewrites the event it is given (createdDate) in place.
const newEvent = () => ({
  grossRevenue: "120",
  netRevenue: "100",
  wixShare: "20",
  billingType: externalBilling.BillingType.CHARGE,
  createdDate: new Date("2026-01-27T10:00:00Z"),
});

describe("@wix/sdk external billing against the sandbox", () => {
  it("AppStrategy for an instance: the SDK fetches a token and reports the event; the sandbox records it once", async () => {
    const client = createClient({ auth: AppStrategy({ appId: WIX.appId, appSecret: WIX.secret, instanceId: WIX.usd }), modules: { externalBilling } });
    const res = await client.externalBilling.reportExternalBillingEvent({ event: newEvent() });
    expect(res.event).toMatchObject({ appId: WIX.appId, instanceId: WIX.usd, grossRevenue: "120", netRevenue: "100", wixShare: "20", billingType: "CHARGE" });
    const recorded = (await sbx.api.get("/_sandbox/wix/billing-events")).body.items;
    expect(recorded).toEqual([expect.objectContaining({ auth: "access_token", event: expect.objectContaining({ instanceId: WIX.usd, grossRevenue: "120" }) })]);
  });

  it("ApiKeyStrategy after an uninstall: the refund is reported with the account id", async () => {
    await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/uninstall`);
    const client = createClient({ auth: ApiKeyStrategy({ apiKey: WIX.apiKey, accountId: WIX.accountId }), modules: { externalBilling } });
    const refund = {
      ...newEvent(),
      appId: WIX.appId,
      instanceId: WIX.usd,
      grossRevenue: "-120.50",
      netRevenue: "-100.50",
      wixShare: "-20.10",
      billingType: externalBilling.BillingType.REFUND,
    };
    const res = await client.externalBilling.reportExternalBillingEvent({ event: refund });
    expect(res.event).toMatchObject({ grossRevenue: "-120.50", billingType: "REFUND", instanceId: WIX.usd });
    expect((await sbx.api.get("/_sandbox/wix/billing-events")).body.items).toEqual([expect.objectContaining({ auth: "api_key", accountId: WIX.accountId })]);
  });

  it("a refused event comes back as the SDK's error with Wix's details, and nothing is recorded", async () => {
    const client = createClient({ auth: AppStrategy({ appId: WIX.appId, appSecret: WIX.secret, instanceId: WIX.usd }), modules: { externalBilling } });
    const { wixShare: _omitted, ...missing } = newEvent();
    await expect(client.externalBilling.reportExternalBillingEvent({ event: missing })).rejects.toMatchObject({
      details: { validationError: expect.anything() },
    });
    expect((await sbx.api.get("/_sandbox/wix/billing-events")).body.items).toEqual([]);
  });
});

/** Every method any SDK-built provider of this file was called with, decoded by the SDK. */
const everyMethodReceived = new Set<string>();

/** A Custom Charges provider built with Wix's SDK only, served over HTTP for the sandbox to call. */
class SdkProvider {
  readonly received: { method: string; request: Body; metadata: Body }[] = [];
  /** What listCharges answers. */
  charges: { id: string; amount: string; description: string }[] = [{ id: "c1", amount: "12.50", description: "1,250 SMS" }];
  /** What listUsages answers. */
  usages: { counterId: string; quantity: number; description: string }[] = [];
  private server!: http.Server;
  url = "";

  async start(publicKey: string): Promise<this> {
    const note = (method: string) => (payload: { request: Body; metadata: Body }) => {
      this.received.push({ method, request: payload.request, metadata: payload.metadata });
      everyMethodReceived.add(method);
    };
    const client = createClient({ auth: AppStrategy({ appId: WIX.appId, publicKey }), modules: { customCharges } });
    client.customCharges.provideHandlers({
      getChargeLimit: async (p) => (note("getChargeLimit")(p), { chargeLimit: "75.00" }),
      listCharges: async (p) => (note("listCharges")(p), { charges: this.charges.map((c) => ({ ...c })) }),
      listUsages: async (p) => (note("listUsages")(p), { usages: this.usages }),
      chargesRejectedEvent: async (p) => (note("chargesRejected")(p), {}),
      usagesRejectedEvent: async (p) => (note("usagesRejected")(p), {}),
      invoiceCreatedEvent: async (p) => (note("invoiceCreated")(p), {}),
      chargeLimitUpdatedEvent: async (p) => (note("chargeLimitUpdated")(p), {}),
    });
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const request = new Request(`http://127.0.0.1${req.url}`, {
          method: "POST",
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        });
        try {
          const answer = await client.servicePlugins.processRequest(request);
          res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
          res.end(await answer.text());
        } catch (err) {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end((err as Error).message);
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  methods(): string[] {
    return this.received.map((r) => r.method);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

describe("an SDK-built Custom Charges provider receives the sandbox's signed calls", () => {
  let provider: SdkProvider;
  beforeEach(async () => {
    provider = await new SdkProvider().start((await sbx.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text);
    await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { baseUri: provider.url } });
  });
  afterAll(() => provider?.close());

  it("verifies and decodes the upgrade's charge-limit call, and the sandbox takes its answer", async () => {
    const res = await sbx.api.post(`/_sandbox/wix/instances/${WIX.notUpgraded}/upgrade`, {});
    expect(res.status).toBe(200);
    expect(res.body.plan).toMatchObject({ chargeLimit: "75.00" });
    expect(provider.received).toEqual([
      expect.objectContaining({
        method: "getChargeLimit",
        request: expect.objectContaining({ currency: "USD" }),
        metadata: expect.objectContaining({ instanceId: WIX.notUpgraded }),
      }),
    ]);
    await provider.close();
  });

  it("verifies and decodes an invoice run: list charges, then invoice-created with the charge as a line", async () => {
    const run = await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/run-invoice`, {});
    expect(run.status).toBe(200);
    expect(run.body.runs[0]).toMatchObject({ outcome: "INVOICED", chargeIds: ["c1"] });
    // Wix tells the provider about the invoice after the run (asynchronously).
    await expect.poll(() => provider.methods(), { timeout: 5000 }).toEqual(expect.arrayContaining(["listCharges", "invoiceCreated"]));
    const list = provider.received.find((r) => r.method === "listCharges")!;
    expect(list.request).toMatchObject({ currency: "USD", intent: "CREATE_INVOICE" });
    const created = provider.received.find((r) => r.method === "invoiceCreated")!;
    expect(JSON.stringify(created.request)).toContain("c1");
    await provider.close();
  });

  it("a preview: listCharges decodes DISPLAY_ONLY with the period as Dates, and the sandbox shows the answer", async () => {
    const res = await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/view-charges`, {});
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({ charges: [{ id: "c1", amount: "12.50", description: "1,250 SMS" }] });
    const list = provider.received.find((r) => r.method === "listCharges")!;
    expect(list.request).toMatchObject({ currency: "USD", intent: "DISPLAY_ONLY", periodStart: expect.any(Date), periodEnd: expect.any(Date) });
    expect(list.metadata).toMatchObject({ instanceId: WIX.usd, identity: { identityType: "WIX_USER" } });
    expect((await sbx.api.get(`/_sandbox/wix/instances/${WIX.usd}/invoices`)).body.invoices).toEqual([]);
    await provider.close();
  });

  it("charges over the limit: chargesRejectedEvent decodes the ids, the limit and the reason; no invoice", async () => {
    provider.charges = [
      { id: "big-1", amount: "40.00", description: "4,000 SMS" },
      { id: "big-2", amount: "20.00", description: "400 MMS" },
    ];
    const run = await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/run-invoice`, {});
    expect(run.body.runs[0]).toMatchObject({ outcome: "REJECTED", reasons: ["CHARGE_LIMIT_EXCEEDED"], chargeIds: ["big-1", "big-2"] });
    const rejected = provider.received.find((r) => r.method === "chargesRejected")!;
    expect(rejected.request).toEqual({
      subscriptionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      currency: "USD",
      chargeIds: ["big-1", "big-2"],
      chargeLimit: "50.00",
      reasons: ["CHARGE_LIMIT_EXCEEDED"],
    });
    expect(rejected.metadata).toMatchObject({ instanceId: WIX.usd, currency: "USD", identity: { identityType: "APP", appId: WIX.appId } });
    expect((await sbx.api.get(`/_sandbox/wix/instances/${WIX.usd}/invoices`)).body.invoices).toEqual([]);
    await provider.close();
  });

  it("a raised limit: chargeLimitUpdatedEvent decodes the new limit for the instance's subscription", async () => {
    const up = await sbx.api.post(`/_sandbox/wix/instances/${WIX.notUpgraded}/upgrade`, {});
    expect(up.status).toBe(200);
    const raise = await sbx.api.post(`/_sandbox/wix/instances/${WIX.notUpgraded}/raise-limit`, { chargeLimit: "120.00" });
    expect(raise.status).toBe(200);
    const updated = provider.received.find((r) => r.method === "chargeLimitUpdated")!;
    expect(updated.request).toEqual({ subscriptionId: up.body.plan.subscriptionId, currency: "USD", chargeLimit: "120.00" });
    expect(updated.metadata).toMatchObject({ instanceId: WIX.notUpgraded, identity: { identityType: "WIX_USER" } });
    await provider.close();
  });
});

describe("List Usages and Usages Rejected, where Wix calls them (listUsagesEnabled)", () => {
  let provider: SdkProvider;
  beforeEach(async () => {
    provider = await new SdkProvider().start((await sbx.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text);
    const counters = [
      { counterId: "sms_sent", unitPrice: "0.01" },
      { counterId: "mms_sent", unitPrice: "0.05" },
    ];
    const put = await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { baseUri: provider.url, usageCounters: counters } });
    expect(put.status).toBe(200);
  });
  afterAll(() => provider?.close());

  it("an invoice run asks for the counters; Wix prices them and invoices them beside the charges", async () => {
    provider.usages = [
      { counterId: "sms_sent", quantity: 1250, description: "SMS sent this cycle" },
      { counterId: "mms_sent", quantity: 0, description: "MMS" },
    ];
    const run = await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/run-invoice`, {});
    expect(run.body.runs[0]).toMatchObject({ outcome: "INVOICED" });
    const ask = provider.received.find((r) => r.method === "listUsages")!;
    expect(ask.request).toMatchObject({
      counterIds: ["sms_sent", "mms_sent"],
      intent: "CREATE_INVOICE",
      periodStart: expect.any(Date),
      periodEnd: expect.any(Date),
    });
    const [invoice] = (await sbx.api.get(`/_sandbox/wix/instances/${WIX.usd}/invoices`)).body.invoices;
    // 12.50 charged + 1,250 × 0.01 counted = 25.00; a zero counter makes no line.
    expect(invoice.total).toBe("25.00");
    expect(invoice.lines.map((l: Body) => [l.chargeId, l.amount])).toEqual([
      ["c1", "12.50"],
      ["usage:sms_sent", "12.50"],
    ]);
    await provider.close();
  });

  it("usages that take the invoice over the limit: usages-rejected with the priced lines, and no invoice", async () => {
    provider.usages = [{ counterId: "sms_sent", quantity: 4000, description: "SMS sent this cycle" }];
    const run = await sbx.api.post(`/_sandbox/wix/instances/${WIX.usd}/run-invoice`, {});
    expect(run.body.runs[0]).toMatchObject({ outcome: "REJECTED", reasons: ["CHARGE_LIMIT_EXCEEDED"] });
    const rejected = provider.received.find((r) => r.method === "usagesRejected")!;
    expect(rejected.request).toMatchObject({
      currency: "USD",
      chargeLimit: "50.00",
      reasons: ["CHARGE_LIMIT_EXCEEDED"],
      usageLineItems: [{ counterId: "sms_sent", quantity: 4000, unitPrice: "0.01", amount: "40.00" }],
    });
    expect((await sbx.api.get(`/_sandbox/wix/instances/${WIX.usd}/invoices`)).body.invoices).toEqual([]);
    await provider.close();
  });

  it("refuses counters that are not Wix's shape", async () => {
    const bad = await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { usageCounters: [{ counterId: "", unitPrice: "0.001" }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/usageCounters/);
  });
});

describe("every call the sandbox makes", () => {
  it("reached an SDK-built provider in this file: all seven Custom Charges methods", () => {
    expect([...everyMethodReceived].sort()).toEqual([
      "chargeLimitUpdated",
      "chargesRejected",
      "getChargeLimit",
      "invoiceCreated",
      "listCharges",
      "listUsages",
      "usagesRejected",
    ]);
  });
});
