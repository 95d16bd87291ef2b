// App Instance and Billing webhooks (docs/platforms/wix.md §4) as the sandbox sends them: one per state change,
// an RS256 JWT verified here with the published public key, whose `data` claim is a JSON string
// holding another JSON string; retried with the same body until a 2xx, listed in the control API.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { importSPKI, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, WIX, type Body, type TestSandbox } from "./helpers";

let sbx: TestSandbox;
let receiver: http.Server;
let url: string;
let received: string[] = [];
/** Status codes the receiver answers, one per request; 200 once they run out. */
let answers: number[] = [];
let publicKeyPem: string;

beforeAll(async () => {
  sbx = await startTestSandbox();
  publicKeyPem = (await sbx.api.get(`/_sandbox/wix/apps/${WIX.appId}/public-key`)).text;
  receiver = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    // It also plays the app's Custom Charges plugin, so upgrades and invoices go through.
    if (req.url === "/v1/charge-limit") return void res.writeHead(200).end(JSON.stringify({ chargeLimit: "50.00" }));
    if (req.url === "/v1/charges") return void res.writeHead(200).end(JSON.stringify({ charges: [{ id: "c-1", description: "SMS", amount: "5.00" }] }));
    if (req.url !== "/webhooks") return void res.writeHead(200).end("{}");
    received.push(Buffer.concat(chunks).toString());
    res.writeHead(answers.shift() ?? 200).end("{}");
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
});
afterAll(async () => {
  receiver.close();
  await sbx.close();
});
beforeEach(async () => {
  await sbx.api.reset();
  await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { webhookUrl: url, baseUri: url.replace(/webhooks$/, "") } });
  await sbx.api.settings({ wix: { webhookRetryDelaysMs: [20, 20] } });
  received = [];
  answers = [];
});

const action = (instanceId: string, name: string, body: unknown = {}) => sbx.api.post(`/_sandbox/wix/instances/${instanceId}/${name}`, body);
const webhooks = async (query = "") => (await sbx.api.get(`/_sandbox/wix/webhooks${query}`)).body.items as Body[];

async function settled(count = 1, query = ""): Promise<Body[]> {
  for (let i = 0; i < 200; i++) {
    const list = await webhooks(query);
    if (list.length >= count && list.every((w) => w.status !== "pending")) return list;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("webhooks did not settle");
}

/** The three layers of one delivery, each checked as Wix's SDK would read it. */
async function decode(token: string) {
  const { payload, protectedHeader } = await jwtVerify(token, await importSPKI(publicKeyPem, "RS256"));
  expect(protectedHeader.alg).toBe("RS256");
  expect(typeof payload.data).toBe("string");
  const envelope = JSON.parse(payload.data as string);
  expect(typeof envelope.data).toBe("string");
  expect(typeof envelope.identity).toBe("string");
  return { payload, envelope, data: JSON.parse(envelope.data), identity: JSON.parse(envelope.identity) };
}

describe("each webhook type, signed and double-encoded like Wix", () => {
  const cases: [string, () => Promise<unknown>, string, Record<string, unknown>][] = [
    ["AppRemoved", () => action(WIX.usd, "uninstall"), WIX.usd, { appId: WIX.appId }],
    [
      "AppInstalled",
      async () => {
        await action(WIX.usd, "uninstall");
        return action(WIX.usd, "install");
      },
      WIX.usd,
      { appId: WIX.appId, originInstanceId: "" },
    ],
    ["PaidPlanPurchased", () => action(WIX.notUpgraded, "upgrade"), WIX.notUpgraded, { vendorProductId: "usage_based", cycle: "MONTHLY" }],
    [
      "PaidPlanChanged",
      () => action(WIX.usd, "change-plan", { cycle: "YEARLY" }),
      WIX.usd,
      { vendorProductId: "usage_based", cycle: "YEARLY", previousCycle: "MONTHLY", previousVendorProductId: "usage_based" },
    ],
    [
      "PaidPlanAutoRenewalCancelled",
      () => action(WIX.usd, "cancel-auto-renewal", { cancelReason: "FAILED_PAYMENT" }),
      WIX.usd,
      { cancelReason: "FAILED_PAYMENT", cancelledDuringFreeTrial: "NOT_DURING_FREE_TRIAL" },
    ],
    [
      "PlanReactivated",
      async () => {
        await action(WIX.usd, "cancel-auto-renewal");
        return action(WIX.usd, "reactivate");
      },
      WIX.usd,
      { reason: "AUTO_RENEW_TURNED_ON" },
    ],
    ["PlanConvertedToPaid", () => action(WIX.usd, "convert-to-paid"), WIX.usd, { vendorProductId: "usage_based" }],
    ["PlanTransferred", () => action(WIX.usd, "transfer"), WIX.usd, { vendorProductId: "usage_based" }],
  ];
  for (const [type, trigger, instanceId, fields] of cases) {
    it(`${type}`, async () => {
      // Some start with another change; the webhook under test is the last one sent.
      const res = (await trigger()) as { status: number };
      expect(res.status).toBe(200);
      const list = await settled(1, `?eventType=${type}`);
      expect(list[0]).toMatchObject({ eventType: type, instanceId, status: "delivered", url });
      const { payload, envelope, data, identity } = await decode(list[0].body);
      expect(received).toContain(list[0].body);
      expect(envelope).toMatchObject({ eventType: type, instanceId, accountInfo: { accountId: WIX.accountId, siteId: expect.any(String) } });
      expect(data).toMatchObject(fields);
      // Trials end on Wix's side; everything else is the site owner's doing.
      expect(identity).toMatchObject(
        type === "PlanConvertedToPaid" ? { identityType: "APP", appId: WIX.appId } : { identityType: "WIX_USER", wixUserId: expect.any(String) },
      );
      expect(payload.exp! - payload.iat!).toBe(300);
      if (type !== "AppInstalled" && type !== "AppRemoved") expect(Date.parse(data.operationTimeStamp)).not.toBeNaN();
    });
  }

  it("InvoiceStatusUpdated when the site owner pays an invoice (or the payment fails)", async () => {
    const run = (await action(WIX.usd, "run-invoice")).body.runs.at(-1);
    expect(run.outcome).toBe("INVOICED");
    const paid = await sbx.api.post(`/_sandbox/wix/invoices/${run.invoiceId}/status`, { status: "PAYMENT_FAILED" });
    expect(paid.status).toBe(200);
    expect((await sbx.api.post(`/_sandbox/wix/invoices/${run.invoiceId}/status`, { status: "LOST" })).status).toBe(400);
    const [hook] = await settled(1, "?eventType=InvoiceStatusUpdated");
    const { data, identity } = await decode(hook.body);
    expect(data).toEqual({ status: "PAYMENT_FAILED", invoiceId: run.invoiceId, instanceId: WIX.usd, recurring: true });
    expect(identity).toMatchObject({ identityType: "APP", appId: WIX.appId });
    const [invoice] = (await sbx.api.get(`/_sandbox/wix/instances/${WIX.usd}/invoices`)).body.invoices;
    expect(invoice.status).toBe("PAYMENT_FAILED");
  });
});

describe("delivery", () => {
  it("retries with the same signed body until the endpoint answers 2xx", async () => {
    answers = [500, 503];
    await action(WIX.usd, "uninstall");
    const [hook] = await settled();
    expect(hook.status).toBe("delivered");
    expect(hook.attempts.map((a: Body) => a.httpStatus)).toEqual([500, 503, 200]);
    expect(received).toHaveLength(3);
    expect(new Set(received).size).toBe(1);
  });

  it("gives up after the last retry, and says so", async () => {
    answers = [500, 500, 500];
    await action(WIX.usd, "uninstall");
    const [hook] = await settled();
    expect(hook).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(hook.attempts).toHaveLength(3);
  });

  it("an unreachable endpoint counts as a failed attempt", async () => {
    await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { webhookUrl: "http://127.0.0.1:9/nothing" } });
    await sbx.api.settings({ wix: { webhookRetryDelaysMs: [] } });
    await action(WIX.usd, "uninstall");
    const [hook] = await settled();
    expect(hook.status).toBe("failed");
    expect(hook.attempts[0].error).toMatch(/unreachable/);
  });

  it("redeliver sends the same body again (what a receiver must record once)", async () => {
    await action(WIX.usd, "uninstall");
    const [hook] = await settled();
    const again = await sbx.api.post(`/_sandbox/wix/webhooks/${hook.id}/redeliver`);
    expect(again.body).toMatchObject({ status: "delivered" });
    expect(again.body.attempts).toHaveLength(2);
    expect(received).toEqual([hook.body, hook.body]);
  });

  it("an app without a webhook URL gets the record but nothing is sent", async () => {
    await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { webhookUrl: null } });
    await action(WIX.usd, "uninstall");
    expect(await webhooks()).toMatchObject([{ eventType: "AppRemoved", status: "no_url", attempts: [] }]);
    expect(received).toHaveLength(0);
    expect((await sbx.api.call("PUT", `/_sandbox/wix/apps/${WIX.appId}`, { body: { webhookUrl: "not a url" } })).status).toBe(400);
  });

  it("new sites install without a fixture change, each with AppInstalled", async () => {
    const res = await sbx.api.post(`/_sandbox/wix/apps/${WIX.appId}/instances`, { count: 3, currency: "EUR", namePrefix: "Bakery" });
    expect(res.status).toBe(201);
    expect(res.body.instances.map((i: Body) => i.siteDisplayName)).toEqual(["Bakery 1", "Bakery 2", "Bakery 3"]);
    const list = await settled(3);
    expect(list.map((w) => w.eventType)).toEqual(["AppInstalled", "AppInstalled", "AppInstalled"]);
    expect((await sbx.api.post(`/_sandbox/wix/apps/${WIX.appId}/instances`, { count: 0 })).status).toBe(400);
    expect((await sbx.api.post(`/_sandbox/wix/apps/${WIX.appId}/instances`, { currency: "XXX" })).status).toBe(400);
  });
});
