// Wix App Instance and Billing webhooks, end to end: the sandbox plays Wix and POSTs its signed
// webhooks to the app's route handler (behind a tiny node:http server), which records each delivery
// once and updates the instance, its plan and its invoices' status.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

const APP_ID = "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96";
const USD = "7dd21ebc-a097-43ac-8763-2806daee84a1";
const NOT_UPGRADED = "e1d2c3b4-a596-4788-9a0b-1c2d3e4f5a6b";
const EUR = "3b9f1c2e-5d4a-4e6b-9c8d-7e6f5a4b3c21";
const JPY = "9a7e5c3b-1d2f-4a6b-8c9d-0e1f2a3b4c5d";

let env: LedgerEnv;
let server: http.Server;
let appUrl: string;
let webhookPOST: typeof import("../../../app/api/wix/[connectionId]/webhooks/route").POST;
let pluginPOST: typeof import("../../../app/api/wix/[connectionId]/v1/[method]/route").POST;

type Hook = { id: string; eventType: string; instanceId: string; status: string; body: string; attempts: { httpStatus: number | null }[] };

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ POST: webhookPOST } = await import("../../../app/api/wix/[connectionId]/webhooks/route"));
  ({ POST: pluginPOST } = await import("../../../app/api/wix/[connectionId]/v1/[method]/route"));
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers: { "content-type": "text/plain" }, body: Buffer.concat(chunks) });
    const hook = /^\/api\/wix\/([^/]+)\/webhooks$/.exec(req.url ?? "");
    const plugin = /^\/api\/wix\/([^/]+)\/v1\/([^/?]+)$/.exec(req.url ?? "");
    const response = hook
      ? await webhookPOST(request, { params: Promise.resolve({ connectionId: hook[1]! }) })
      : plugin
        ? await pluginPOST(request, { params: Promise.resolve({ connectionId: plugin[1]!, method: plugin[2]! }) })
        : new Response("", { status: 404 });
    res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `${appUrl}/api/wix/${env.wixConnectionId}/`;
  await put({ baseUri: base, webhookUrl: `${base}webhooks` });
  await sandboxJson(env, "/_sandbox/settings", {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ wix: { webhookRetryDelaysMs: [30, 30, 30] } }),
  });
  await sandboxJson(env, "/_sandbox/clock", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ set: new Date().toISOString() }),
  });
});
afterAll(async () => {
  server?.close();
  await env?.close();
});

const put = (body: unknown) =>
  sandboxJson(env, `/_sandbox/wix/apps/${APP_ID}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const post = (path: string, body: unknown = {}) =>
  sandboxJson<Record<string, unknown>>(env, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const instanceRow = (instanceId: string) =>
  env.db.wixInstance.findUniqueOrThrow({ where: { connectionId_instanceId: { connectionId: env.wixConnectionId, instanceId } } });
const deliveries = (instanceId: string) =>
  env.db.wixWebhookDelivery.findMany({ where: { connectionId: env.wixConnectionId, instanceId }, orderBy: { id: "asc" } });
const sendRaw = (body: string, connectionId = env.wixConnectionId) =>
  fetch(`${appUrl}/api/wix/${connectionId}/webhooks`, { method: "POST", headers: { "content-type": "text/plain" }, body });

/** The sandbox's webhooks of one type for one instance, once none is pending. */
async function sent(instanceId: string, eventType: string, count = 1): Promise<Hook[]> {
  for (let i = 0; i < 300; i++) {
    const { items } = await sandboxJson<{ items: Hook[] }>(env, `/_sandbox/wix/webhooks?instanceId=${instanceId}&eventType=${eventType}`);
    if (items.length >= count && items.every((h) => h.status !== "pending")) return items;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${eventType} for ${instanceId}`);
}

describe("Wix webhooks from the sandbox", () => {
  beforeEach(async () => {
    await put({ webhookUrl: `${appUrl}/api/wix/${env.wixConnectionId}/webhooks` });
  });

  it("uninstall and reinstall reach the instance; a delivery sent twice is recorded once", async () => {
    await post(`/_sandbox/wix/instances/${USD}/uninstall`);
    const [removed] = await sent(USD, "AppRemoved");
    expect(removed).toMatchObject({ status: "delivered" });
    expect(await instanceRow(USD)).toMatchObject({ installState: "uninstalled", planPackage: null });
    expect((await instanceRow(USD)).uninstalledAt).not.toBeNull();

    const again = await post(`/_sandbox/wix/webhooks/${removed!.id}/redeliver`);
    expect(again).toMatchObject({ status: "delivered" });
    expect(await deliveries(USD)).toMatchObject([{ eventType: "AppRemoved", outcome: "applied", summary: "uninstalled" }]);

    await post(`/_sandbox/wix/instances/${USD}/install`);
    await sent(USD, "AppInstalled");
    expect(await instanceRow(USD)).toMatchObject({ installState: "installed", uninstalledAt: null });
    expect((await deliveries(USD)).map((d) => d.eventType)).toEqual(["AppRemoved", "AppInstalled"]);
  });

  it("a disabled connection still records webhooks and applies them (only delivery and discovery pause)", async () => {
    const added = (await post(`/_sandbox/wix/apps/${APP_ID}/instances`, { siteDisplayName: "Night Owl Cafe" })) as { instances: { instanceId: string }[] };
    const site = added.instances[0]!.instanceId;
    await sent(site, "AppInstalled");
    await env.db.connection.update({ where: { id: env.wixConnectionId }, data: { disabledAt: new Date() } });
    try {
      await post(`/_sandbox/wix/instances/${site}/uninstall`);
      const [removed] = await sent(site, "AppRemoved");
      expect(removed).toMatchObject({ status: "delivered" });
      expect(await instanceRow(site)).toMatchObject({ installState: "uninstalled" });
      expect((await deliveries(site)).map((d) => [d.eventType, d.outcome])).toEqual([
        ["AppInstalled", "applied"],
        ["AppRemoved", "applied"],
      ]);
    } finally {
      await env.db.connection.update({ where: { id: env.wixConnectionId }, data: { disabledAt: null } });
    }
  });

  it("a delivery that failed at first is retried and recorded once", async () => {
    // The app's route answers 503 for the first attempts: point the sandbox at a closed port, then back.
    await put({ webhookUrl: "http://127.0.0.1:9/closed" });
    await post(`/_sandbox/wix/instances/${EUR}/change-plan`, { cycle: "YEARLY" });
    const [failed] = await sent(EUR, "PaidPlanChanged");
    expect(failed).toMatchObject({ status: "failed" });
    expect((await instanceRow(EUR)).planCycle).not.toBe("YEARLY");
    await put({ webhookUrl: `${appUrl}/api/wix/${env.wixConnectionId}/webhooks` });
    await post(`/_sandbox/wix/webhooks/${failed!.id}/redeliver`);
    await post(`/_sandbox/wix/webhooks/${failed!.id}/redeliver`);
    expect(await instanceRow(EUR)).toMatchObject({ planPackage: "usage_based", planCycle: "YEARLY", planAutoRenewing: true });
    expect((await deliveries(EUR)).filter((d) => d.eventType === "PaidPlanChanged")).toHaveLength(1);
  });

  it("upgrade, auto-renewal cancelled and reactivated keep the plan current", async () => {
    await post(`/_sandbox/wix/instances/${NOT_UPGRADED}/upgrade`);
    await sent(NOT_UPGRADED, "PaidPlanPurchased");
    expect(await instanceRow(NOT_UPGRADED)).toMatchObject({ planPackage: "usage_based", planCycle: "MONTHLY", planAutoRenewing: true });
    await post(`/_sandbox/wix/instances/${NOT_UPGRADED}/cancel-auto-renewal`, { cancelReason: "USER_CANCEL" });
    await sent(NOT_UPGRADED, "PaidPlanAutoRenewalCancelled");
    expect((await instanceRow(NOT_UPGRADED)).planAutoRenewing).toBe(false);
    await post(`/_sandbox/wix/instances/${NOT_UPGRADED}/reactivate`);
    await sent(NOT_UPGRADED, "PlanReactivated");
    expect((await instanceRow(NOT_UPGRADED)).planAutoRenewing).toBe(true);
  });

  it("an invoice paid, then refunded: its status is kept per invoice, the latest report wins", async () => {
    const inst = await instanceRow(NOT_UPGRADED);
    await env.db.wixPriceItem.upsert({
      where: { connectionId_kind_currency: { connectionId: env.wixConnectionId, kind: "sms_sent", currency: "USD" } },
      update: {},
      create: { connectionId: env.wixConnectionId, kind: "sms_sent", currency: "USD", unitPrice: "0.01", description: "SMS" },
    });
    const { ingestEvents } = await import("../ingest/ingest");
    const [r] = await ingestEvents(
      [
        {
          platform: "wix",
          type: "usage",
          connection_id: env.wixConnectionId,
          instance_id: NOT_UPGRADED,
          kind: "sms_sent",
          quantity: "500",
          timestamp: new Date().toISOString(),
          idempotency_key: "whk-usage-1",
        },
      ],
      { source: "api" },
    );
    expect(r!.status).toBe("accepted");
    const runs = (await post(`/_sandbox/wix/instances/${NOT_UPGRADED}/run-invoice`)).runs as { outcome: string; invoiceId: string }[];
    const invoiceId = runs.at(-1)!.invoiceId;
    expect(runs.at(-1)!.outcome).toBe("INVOICED");
    await post(`/_sandbox/wix/invoices/${invoiceId}/status`, { status: "PAID" });
    await sent(NOT_UPGRADED, "InvoiceStatusUpdated");
    expect(await env.db.wixInvoiceStatus.findMany({ where: { wixInstanceId: inst.id } })).toMatchObject([{ invoiceId, status: "PAID", recurring: true }]);
    await post(`/_sandbox/wix/invoices/${invoiceId}/status`, { status: "REFUNDED" });
    await sent(NOT_UPGRADED, "InvoiceStatusUpdated", 2);
    expect(await env.db.wixInvoiceStatus.findMany({ where: { wixInstanceId: inst.id } })).toMatchObject([{ invoiceId, status: "REFUNDED" }]);
    // The custom-charges invoice it is about, for reconciliation.
    expect(await env.db.wixInvoice.count({ where: { wixInstanceId: inst.id, invoiceId } })).toBe(1);
  });

  it("a site first seen in a webhook is created and read from the App Instance API", async () => {
    const added = (await post(`/_sandbox/wix/apps/${APP_ID}/instances`, { siteDisplayName: "Corner Florist", currency: "EUR" })) as {
      instances: { instanceId: string }[];
    };
    const instanceId = added.instances[0]!.instanceId;
    await sent(instanceId, "AppInstalled");
    for (let i = 0; i < 100 && !(await env.db.wixInstance.findFirst({ where: { instanceId, lookedUpAt: { not: null } } })); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await instanceRow(instanceId)).toMatchObject({ siteName: "Corner Florist", currency: "EUR", installState: "installed", lookupError: null });
  });

  it("a site first named in a service-plugin call (its webhooks lost) is taken in, answered, and read from the App Instance API", async () => {
    await put({ webhookUrl: null });
    try {
      const added = (await post(`/_sandbox/wix/apps/${APP_ID}/instances`, { siteDisplayName: "Quiet Tailor", currency: "USD" })) as {
        instances: { instanceId: string }[];
      };
      const instanceId = added.instances[0]!.instanceId;
      expect(await env.db.wixInstance.count({ where: { instanceId } })).toBe(0);
      // Upgrading makes Wix call Get Charge Limit for a site the dashboard never heard of: it is answered, not refused.
      const upgraded = (await post(`/_sandbox/wix/instances/${instanceId}/upgrade`)) as { plan: { chargeLimit: string } | null };
      expect(upgraded.plan?.chargeLimit).toEqual(expect.any(String));
      for (let i = 0; i < 200 && (await instanceRow(instanceId)).lookupState === "pending"; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await instanceRow(instanceId)).toMatchObject({
        siteName: "Quiet Tailor",
        lookupState: "found",
        lookupError: null,
        chargeLimit: expect.anything(),
      });
    } finally {
      await put({ webhookUrl: `${appUrl}/api/wix/${env.wixConnectionId}/webhooks` });
    }
  });
});

describe("refused webhooks write nothing", () => {
  const counts = async () => ({
    deliveries: await env.db.wixWebhookDelivery.count(),
    instances: await env.db.wixInstance.count(),
    statuses: await env.db.wixInvoiceStatus.count(),
  });

  it("signed with another key, tampered, or not a JWT: 401 and no row", async () => {
    const before = await counts();
    const beforeUsd = await instanceRow(USD);
    const other = await generateKeyPair("RS256");
    const envelope = JSON.stringify({ eventType: "AppRemoved", instanceId: USD, data: JSON.stringify({ appId: APP_ID }), identity: "{}" });
    const forged = await new SignJWT({ data: envelope }).setProtectedHeader({ alg: "RS256" }).setIssuedAt().setExpirationTime("5m").sign(other.privateKey);
    const res = await sendRaw(forged);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/signature/);

    await post(`/_sandbox/wix/instances/${JPY}/transfer`);
    const [genuine] = await sent(JPY, "PlanTransferred");
    const [h, , s] = genuine!.body.split(".");
    const tampered = `${h}.${Buffer.from(JSON.stringify({ data: envelope, iat: 1 })).toString("base64url")}.${s}`;
    expect((await sendRaw(tampered)).status).toBe(401);
    expect((await sendRaw("hello")).status).toBe(401);
    expect((await sendRaw(forged, "00000000-0000-4000-8000-000000000000")).status).toBe(401);

    const after = await counts();
    expect(after).toEqual({ ...before, deliveries: before.deliveries + 1 }); // only the genuine PlanTransferred
    expect((await instanceRow(USD)).installState).toBe(beforeUsd.installState);
  });

  it("a valid signature over a body not in Wix's format: 400, field by field, and nothing written", async () => {
    // Sign with a key of our own, set as the connection's for the moment.
    const { exportSPKI } = await import("jose");
    const mine = await generateKeyPair("RS256", { extractable: true });
    const connection = await env.db.connection.findUniqueOrThrow({ where: { id: env.wixConnectionId } });
    await env.db.connection.update({ where: { id: connection.id }, data: { pluginPublicKey: await exportSPKI(mine.publicKey) } });
    try {
      const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).setIssuedAt().sign(mine.privateKey);
      const before = await counts();
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ data: { eventType: "AppRemoved", instanceId: USD } }, /data claim must be a JSON string/],
        [{ data: "{not json" }, /not a JSON string/],
        [{ data: JSON.stringify({ eventType: "AppRemoved", instanceId: USD, data: "{oops" }) }, /data is not a JSON string/],
        [
          { data: JSON.stringify({ eventType: "InvoiceStatusUpdated", instanceId: USD, data: JSON.stringify({ status: "LOST", invoiceId: "x" }) }) },
          /status must be PAYMENT_FAILED/,
        ],
        [{ data: JSON.stringify({ eventType: "AppInstalled", data: "{}" }) }, /instanceId/],
      ];
      for (const [claims, message] of cases) {
        const res = await sendRaw(await sign(claims));
        expect(res.status).toBe(400);
        expect((await res.json()).error).toMatch(message);
      }
      expect(await counts()).toEqual(before);
      // Several webhooks for one instance at once each apply; the same one sent twice at once is recorded once.
      const at = (s: number) => new Date(Date.now() + 60_000 - s * 1000).toISOString(); // newer than anything applied before
      const body = (type: string, fields: Record<string, unknown>) =>
        sign({ data: JSON.stringify({ eventType: type, instanceId: EUR, data: JSON.stringify(fields) }) });
      const burst = await Promise.all([
        body("PaidPlanChanged", { operationTimeStamp: at(3), vendorProductId: "usage_based", cycle: "MONTHLY", previousCycle: "YEARLY" }),
        body("PaidPlanAutoRenewalCancelled", { operationTimeStamp: at(2), vendorProductId: "usage_based", cycle: "MONTHLY", cancelReason: "USER_CANCEL" }),
        body("InvoiceStatusUpdated", { status: "PAID", invoiceId: "burst-1", instanceId: EUR, recurring: true }),
      ]);
      const answers = await Promise.all([...burst, burst[2]!].map((b) => sendRaw(b).then(async (r) => ({ status: r.status, body: await r.json() }))));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(answers.filter((a) => a.body.recorded)).toHaveLength(3);
      const eur = await instanceRow(EUR);
      expect(eur.planAutoRenewing).toBe(false);
      expect(await env.db.wixInvoiceStatus.count({ where: { wixInstanceId: eur.id, invoiceId: "burst-1" } })).toBe(1);

      // The same key over a well-formed body is taken: the refusals above were about the shape.
      const ok = await sendRaw(
        await sign({
          data: JSON.stringify({
            eventType: "PlanConvertedToPaid",
            instanceId: USD,
            data: JSON.stringify({ operationTimeStamp: new Date().toISOString(), vendorProductId: "usage_based", cycle: "MONTHLY" }),
          }),
        }),
      );
      expect(await ok.json()).toMatchObject({ recorded: true, outcome: "applied" });
    } finally {
      await env.db.connection.update({ where: { id: connection.id }, data: { pluginPublicKey: connection.pluginPublicKey } });
    }
  });
});
