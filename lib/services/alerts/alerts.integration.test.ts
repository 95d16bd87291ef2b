// Charge-limit alerts: raised once per threshold, cycle and limit; POSTed to the connection's
// webhook with a timeout and the outcome recorded; retried with backoff; acknowledged with audit.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

const ACME = "7dd21ebc-a097-43ac-8763-2806daee84a1";
const TEST_SITE = "5c4d3e2f-0a1b-4c2d-9e8f-7a6b5c4d3e2f";

let env: LedgerEnv;
let hook: http.Server;
let hookUrl = "";
let hookStatus = 200;
const received: { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
let alerts: typeof import("./alerts");
let limits: typeof import("../wix/limit-alerts");
let ingestEvents: typeof import("../ingest/ingest").ingestEvents;

beforeAll(async () => {
  env = await startLedgerEnv();
  alerts = await import("./alerts");
  limits = await import("../wix/limit-alerts");
  ({ ingestEvents } = await import("../ingest/ingest"));
  hook = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
    res.writeHead(hookStatus).end();
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/billing-alerts?token=secret`;
});
afterAll(async () => {
  hook?.close();
  await env?.close();
});

let seq = 0;
const usage = (instanceId: string, kind: string, quantity: string) =>
  ingestEvents(
    [
      {
        platform: "wix",
        type: "usage",
        connection_id: env.wixConnectionId,
        instance_id: instanceId,
        kind,
        quantity,
        timestamp: new Date().toISOString(),
        idempotency_key: `alerts-it-${++seq}`,
      },
    ],
    { source: "api" },
  );
const rowId = async (instanceId: string) =>
  (await env.db.wixInstance.findUniqueOrThrow({ where: { connectionId_instanceId: { connectionId: env.wixConnectionId, instanceId } } })).id;
const admin = async () => {
  const u = await env.db.user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
  return { id: u.id, email: u.email, name: u.name, role: u.role };
};

describe("charge-limit alerts and their webhook", () => {
  it("raises the 80 % alert once, delivers it to the webhook and records the outcome", async () => {
    await alerts.setAlertWebhook({ connectionId: env.wixConnectionId, alertWebhookUrl: hookUrl }, await admin());
    const audit = await env.db.auditLog.findFirstOrThrow({ where: { action: "connection.alert_webhook" } });
    expect(JSON.stringify(audit.after)).not.toContain("secret");

    const acme = await rowId(ACME);
    await usage(ACME, "sms_sent", "3999"); // 39.99 of 50.00: below 80 %
    expect(await limits.checkWixLimitAlerts([acme])).toEqual([]);
    await usage(ACME, "sms_sent", "1"); // 40.00: 80 %
    const [id] = await limits.checkWixLimitAlerts([acme]);
    expect(id).toBeDefined();
    expect(await limits.checkWixLimitAlerts([acme])).toEqual([]);
    expect(await env.db.alert.findUniqueOrThrow({ where: { id } })).toMatchObject({ kind: "wix_limit_80", severity: "warning", webhookStatus: "pending" });

    expect(await alerts.deliverAlertWebhooks()).toEqual({ attempted: 1, delivered: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["content-type"]).toBe("application/json");
    expect(received[0]!.body).toMatchObject({
      id,
      kind: "wix_limit_80",
      severity: "warning",
      subject: { type: "wix_instance", id: acme },
      connection: { id: env.wixConnectionId },
      details: { used: "40", limit: "50", currency: "USD" },
      url: expect.stringContaining(`/shops/wix/${acme}`),
    });
    expect(await env.db.alert.findUniqueOrThrow({ where: { id } })).toMatchObject({ webhookStatus: "delivered", webhookAttempts: 1, webhookLastStatus: 200 });
    expect(await alerts.deliverAlertWebhooks()).toEqual({ attempted: 0, delivered: 0 });
  });

  it("records a failed delivery and retries it with backoff, a timeout included", async () => {
    hookStatus = 500;
    const site = await rowId(TEST_SITE);
    await usage(TEST_SITE, "sms_sent", "2100"); // 21.00 of 20.00: 80 % and 100 % at once
    const ids = await limits.checkWixLimitAlerts([site]);
    expect((await env.db.alert.findMany({ where: { id: { in: ids } }, orderBy: { kind: "asc" } })).map((a) => a.kind)).toEqual([
      "wix_limit_100",
      "wix_limit_80",
    ]);

    const now = new Date();
    expect(await alerts.deliverAlertWebhooks({ now })).toEqual({ attempted: 2, delivered: 0 });
    const failed = await env.db.alert.findUniqueOrThrow({ where: { id: ids[0] } });
    expect(failed).toMatchObject({ webhookStatus: "failed", webhookAttempts: 1, webhookLastStatus: 500, webhookLastError: "the webhook answered HTTP 500" });
    expect(failed.webhookNextAttemptAt!.getTime()).toBe(now.getTime() + 30_000);
    expect(await alerts.deliverAlertWebhooks({ now })).toEqual({ attempted: 0, delivered: 0 }); // not due yet

    const timeout: typeof fetch = async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    };
    expect(await alerts.deliverAlertWebhooks({ now: new Date(now.getTime() + 31_000), fetchImpl: timeout })).toEqual({ attempted: 2, delivered: 0 });
    expect(await env.db.alert.findUniqueOrThrow({ where: { id: ids[0] } })).toMatchObject({
      webhookStatus: "failed",
      webhookAttempts: 2,
      webhookLastError: "no answer within 5 s",
    });

    hookStatus = 200;
    expect(await alerts.deliverAlertWebhooks({ now: new Date(now.getTime() + 200_000) })).toEqual({ attempted: 2, delivered: 2 });
  });

  it("re-arms after the site owner raises the limit, and an operator acknowledges with an audit entry", async () => {
    const site = await rowId(TEST_SITE);
    await env.db.wixInstance.update({ where: { id: site }, data: { chargeLimit: "25" } });
    const [id] = await limits.checkWixLimitAlerts([site]); // 21.00 of 25.00 = 84 %: a new 80 % alert for the new limit
    expect(await env.db.alert.findUniqueOrThrow({ where: { id } })).toMatchObject({ kind: "wix_limit_80" });

    const user = await admin();
    await alerts.acknowledgeAlert(id!, user, "Site owner asked to raise it");
    expect(await env.db.alert.findUniqueOrThrow({ where: { id } })).toMatchObject({ acknowledgedById: user.id });
    expect(await env.db.auditLog.findFirst({ where: { action: "alert.acknowledge", entityId: id } })).toMatchObject({
      actorEmail: user.email,
      note: "Site owner asked to raise it",
    });
    await expect(alerts.acknowledgeAlert(id!, user)).rejects.toThrow(/already acknowledged/);
  });
});
