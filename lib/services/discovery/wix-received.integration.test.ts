// A Wix site the dashboard has not heard of yet (no webhook reached it), first seen in events
// sent through the real ingest API route: taken in, looked up on the sandbox's App Instance API
// (docs/platforms/wix.md §3), then predicted, priced and delivered once by the worker's functions.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

const APP_ID = "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96";

let env: LedgerEnv;
let POST: (req: Request) => Promise<Response>;
let deliveryRound: typeof import("../../worker/delivery").deliveryRound;
let received: typeof import("./wix-received");
let key: string;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ POST } = await import("../../../app/api/v1/events/route"));
  ({ deliveryRound } = await import("../../worker/delivery"));
  received = await import("./wix-received");
  const { newApiKey } = await import("../../crypto");
  const k = newApiKey();
  const admin = await env.db.user.findFirstOrThrow({ where: { role: "admin" } });
  await env.db.ingestApiKey.create({ data: { name: "wix-received", prefix: k.prefix, hash: k.hash, createdById: admin.id } });
  key = k.key;
  // No webhook reaches the dashboard in this test: a new site is known to Wix only.
  await sandboxJson(env, `/_sandbox/wix/apps/${APP_ID}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ webhookUrl: null }),
  });
  await env.db.wixPriceItem.upsert({
    where: { connectionId_kind_currency: { connectionId: env.wixConnectionId, kind: "sms_sent", currency: "EUR" } },
    update: { unitPrice: "0.02" },
    create: { connectionId: env.wixConnectionId, kind: "sms_sent", currency: "EUR", unitPrice: "0.02", description: "SMS messages sent" },
  });
});
afterAll(async () => env?.close());

const ingest = async (events: unknown[]) => {
  const res = await POST(
    new Request("http://app.test/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ events }),
    }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { status: string; state?: string; predicted?: { code: string | null }; errors?: Record<string, string[]> }[] })
    .results;
};
const events = (instanceId: string, tag: string) => [
  {
    platform: "wix",
    connection_id: env.wixConnectionId,
    instance_id: instanceId,
    idempotency_key: `${tag}-charge`,
    event: { grossRevenue: "12.50", wixShare: "2.50", billingType: "CHARGE", createdDate: new Date(Date.now() - 60_000).toISOString() },
  },
  {
    platform: "wix",
    type: "usage",
    connection_id: env.wixConnectionId,
    instance_id: instanceId,
    idempotency_key: `${tag}-usage`,
    kind: "sms_sent",
    quantity: "150",
    timestamp: new Date(Date.now() - 60_000).toISOString(),
  },
];
const instanceRow = (instanceId: string) =>
  env.db.wixInstance.findUnique({ where: { connectionId_instanceId: { connectionId: env.wixConnectionId, instanceId } } });
const event = (key: string) =>
  env.db.billingEvent.findFirstOrThrow({ where: { idempotencyKey: key }, include: { transitions: { orderBy: { id: "asc" } }, attempts: true } });

/** The instance's lookup state once the lookup the ingest started has answered and its events moved on. */
async function settled(instanceId: string): Promise<string | null | undefined> {
  for (let i = 0; i < 200; i++) {
    const row = await instanceRow(instanceId);
    const waiting = await env.db.billingEvent.count({ where: { wixInstance: { instanceId }, state: "received" } });
    if (row && row.lookupState !== "pending" && waiting === 0) return row.lookupState;
    await new Promise((r) => setTimeout(r, 25));
  }
  return "pending";
}
async function deliverAll() {
  for (let i = 0; i < 20; i++) if (!(await deliveryRound("test-worker")).claimed) break;
}

describe("an event for a Wix instance nobody knows yet", () => {
  it("is accepted and kept, the instance is read from the App Instance API, then priced in the site's currency and delivered once", async () => {
    const added = await sandboxJson<{ instances: { instanceId: string }[] }>(env, `/_sandbox/wix/apps/${APP_ID}/instances`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteDisplayName: "Harbour Books", currency: "EUR" }),
    });
    const instanceId = added.instances[0]!.instanceId;
    expect(await instanceRow(instanceId)).toBeNull();

    const sent = events(instanceId, "harbour");
    const [charge, usage] = await ingest(sent);
    expect(charge).toMatchObject({ status: "accepted", state: "received", predicted: { code: "INSTANCE_NOT_YET_KNOWN" } });
    expect(usage).toMatchObject({ status: "accepted", state: "received", predicted: { code: "INSTANCE_NOT_YET_KNOWN" } });
    // The ingest starts the lookup itself right after answering.
    expect(await settled(instanceId)).toBe("found");
    expect(await instanceRow(instanceId)).toMatchObject({ siteName: "Harbour Books", currency: "EUR", installState: "installed", lookupError: null });
    // A retry of the same events is a duplicate, not new events.
    expect((await ingest(sent)).map((r) => r.status)).toEqual(["duplicate", "duplicate"]);

    expect(await event("harbour-usage")).toMatchObject({ state: "accepted", currency: "EUR", predictedVerdict: "billable" });
    expect((await event("harbour-usage")).amount?.toFixed(2)).toBe("3.00");
    expect(await event("harbour-charge")).toMatchObject({ state: "queued", predictedVerdict: "billable", predictedCode: null });

    await deliverAll();
    const delivered = await event("harbour-charge");
    expect(delivered).toMatchObject({ state: "accepted", platformVerdict: "billable", verdictSource: "platform_response" });
    expect(delivered.transitions.map((t) => t.toState)).toEqual(["queued", "sending", "accepted"]);
    expect(delivered.attempts).toHaveLength(1);
    const reported = await sandboxJson<{ items: { event: { instanceId: string; grossRevenue: string } }[] }>(
      env,
      `/_sandbox/wix/billing-events?instanceId=${instanceId}`,
    );
    expect(reported.items.map((e) => e.event.grossRevenue)).toEqual(["12.5"]);
  });

  it("takes in every event of five batches that bring the same new instance at once", async () => {
    const added = await sandboxJson<{ instances: { instanceId: string }[] }>(env, `/_sandbox/wix/apps/${APP_ID}/instances`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteDisplayName: "Burst Bakery", currency: "USD" }),
    });
    const instanceId = added.instances[0]!.instanceId;
    // Each batch inserts the pending instance at the same moment: none may be refused for it.
    const results = (await Promise.all([0, 1, 2, 3, 4].map((b) => ingest(events(instanceId, `burst-${b}`))))).flat();
    expect(results.map((r) => r.status)).toEqual(Array(10).fill("accepted"));
    expect(await settled(instanceId)).toBe("found");
    expect(await env.db.wixInstance.count({ where: { instanceId } })).toBe(1);
  });

  it("ends with Wix's own verdict when Wix does not know the instance either, visibly", async () => {
    const nobody = randomUUID();
    const [charge, usage] = await ingest(events(nobody, "nobody"));
    expect(charge).toMatchObject({ status: "accepted", state: "received" });
    expect(usage).toMatchObject({ status: "accepted", state: "received" });
    expect(await settled(nobody)).toBe("not_found");
    expect((await instanceRow(nobody))!.lookupError).toMatch(/Wix knows no instance/);
    await received.lookUpPendingInstances("test-worker", { connectionId: env.wixConnectionId }); // nothing left: a no-op

    // Usage: Wix will never invoice it; the App Instance API's 404 is its verdict.
    expect(await event("nobody-usage")).toMatchObject({
      state: "failed",
      predictedCode: "INSTANCE_UNKNOWN",
      platformVerdict: "failed",
      platformCode: "NOT_FOUND",
      verdictSource: "platform_response",
    });
    // The billing event is sent anyway, and Wix's refusal is recorded as its verdict.
    expect(await event("nobody-charge")).toMatchObject({ state: "queued", predictedCode: "INSTANCE_UNKNOWN" });
    await deliverAll();
    expect(await event("nobody-charge")).toMatchObject({
      state: "failed",
      platformVerdict: "failed",
      platformCode: "NOT_FOUND",
      verdictSource: "platform_response",
    });
  });

  it("refuses only a malformed instance id, at its field, writing nothing", async () => {
    const before = await env.db.wixInstance.count();
    const [bad] = await ingest([{ ...events("not-an-instance", "bad")[0] }]);
    expect(bad).toMatchObject({ status: "rejected", errors: { instance_id: [expect.stringMatching(/GUID/)] } });
    expect(await env.db.wixInstance.count()).toBe(before);
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: "bad-charge" } })).toBe(0);
  });
});
