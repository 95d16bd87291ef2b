// A send whose answer never comes (the sandbox answers after the worker's timeout, or drops the
// connection) is not a failure: its outcome is unknown. Shopify's is resent with the same key and
// counted once; Wix's is never resent (no idempotency key) and waits for reconciliation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

let env: LedgerEnv;
let ingestEvents: typeof import("../services/ingest/ingest").ingestEvents;
let deliveryRound: typeof import("./delivery").deliveryRound;

const SEND_TIMEOUT_MS = 500;
const ACME = "7dd21ebc-a097-43ac-8763-2806daee84a1";

beforeAll(async () => {
  process.env.WORKER_SEND_TIMEOUT_MS = String(SEND_TIMEOUT_MS);
  env = await startLedgerEnv();
  ({ ingestEvents } = await import("../services/ingest/ingest"));
  ({ deliveryRound } = await import("./delivery"));
});
afterAll(async () => {
  await sandboxJson(env, "/_sandbox/faults", { method: "DELETE" }).catch(() => {});
  await env?.close();
});

const post = (path: string, body: unknown, method = "POST") =>
  sandboxJson(env, path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventByKey(key: string) {
  return env.db.billingEvent.findFirstOrThrow({
    where: { idempotencyKey: key },
    include: { attempts: { orderBy: { number: "asc" } }, transitions: { orderBy: { id: "asc" } } },
  });
}

async function wixReports(grossRevenue: string) {
  const page = await sandboxJson<{ items: { event: { grossRevenue: string } }[] }>(env, `/_sandbox/wix/billing-events?instanceId=${ACME}&limit=250`);
  return page.items.filter((i) => i.event.grossRevenue === grossRevenue).length;
}

describe("unknown outcomes", () => {
  it("Shopify: an answer after the timeout leaves the outcome unknown; the resend with the same key is a replay, counted once", async () => {
    // Warm the token cache so the slow fault hits the event itself.
    await ingestEvents(
      [
        {
          platform: "shopify",
          connection_id: env.shopifyConnectionId,
          shop_id: "23423423",
          event_handle: "sms_sent",
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          idempotency_key: "unknown-warm",
          attributes: { value: 1 },
        },
      ],
      { source: "api" },
    );
    await deliveryRound("test-worker");

    await post("/_sandbox/faults", { route: "POST /app/*/events", slowMs: SEND_TIMEOUT_MS * 3, times: 1 });
    const key = "unknown-shopify-1";
    await ingestEvents(
      [
        {
          platform: "shopify",
          connection_id: env.shopifyConnectionId,
          shop_id: "23423423",
          event_handle: "sms_sent",
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          idempotency_key: key,
          attributes: { value: 3 },
        },
      ],
      { source: "api" },
    );
    const first = await deliveryRound("test-worker");
    expect(first.outcome_unknown).toBe(1);
    let event = await eventByKey(key);
    expect(event.state).toBe("outcome_unknown");
    expect(event.lastError).toMatch(/^Outcome unknown: no response TIMEOUT/);
    expect(event.nextAttemptAt).not.toBeNull();
    expect(event.transitions.at(-1)?.reason).toMatch(/resending in \d+ s with the same idempotency key/);

    await sleep(SEND_TIMEOUT_MS * 3); // the sandbox has recorded it by now
    await env.db.billingEvent.update({ where: { id: event.id }, data: { nextAttemptAt: new Date() } });
    const second = await deliveryRound("test-worker");
    expect(second.accepted).toBe(1);
    event = await eventByKey(key);
    expect(event.state).toBe("accepted");
    expect(event.attempts.map((a) => a.status)).toEqual([null, 202]);
    expect(event.transitions.at(-1)?.reason).toContain("Idempotent-Replay");

    const log = await sandboxJson<{ rows: { idempotency_key: string }[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250");
    expect(log.rows.filter((r) => r.idempotency_key === key)).toHaveLength(1);
  });

  it("Wix: an answer after the timeout leaves the outcome unknown and the event is never resent; Wix has it once", async () => {
    await ingestEvents(
      [
        {
          platform: "wix",
          connection_id: env.wixConnectionId,
          instance_id: ACME,
          idempotency_key: "unknown-wix-warm",
          event: { grossRevenue: "1.00", wixShare: "0.20", billingType: "CHARGE" },
        },
      ],
      { source: "api" },
    );
    await deliveryRound("test-worker");

    await post("/_sandbox/faults", { route: "POST /apps/v1/billing-event", slowMs: SEND_TIMEOUT_MS * 3, times: 1 });
    const key = "unknown-wix-slow";
    await ingestEvents(
      [
        {
          platform: "wix",
          connection_id: env.wixConnectionId,
          instance_id: ACME,
          idempotency_key: key,
          event: { grossRevenue: "777.13", wixShare: "155.43", billingType: "CHARGE" },
        },
      ],
      { source: "api" },
    );
    expect((await deliveryRound("test-worker")).outcome_unknown).toBe(1);
    const event = await eventByKey(key);
    expect(event.state).toBe("outcome_unknown");
    expect(event.nextAttemptAt, "never claimed again").toBeNull();
    expect(event.platformVerdict).toBeNull();
    expect(event.transitions.at(-1)?.reason).toMatch(/not resent \(Wix has no idempotency key\): reconciliation/);

    await sleep(SEND_TIMEOUT_MS * 3);
    for (let i = 0; i < 3; i++) expect((await deliveryRound("test-worker")).claimed).toBe(0);
    expect(await wixReports("777.13"), "Wix recorded it once, from the first send").toBe(1);
    expect((await eventByKey(key)).attempts).toHaveLength(1);
    // The ledger counts it as pending, not failed.
    const failed = await env.db.$queryRaw<
      { n: bigint }[]
    >`SELECT count(*)::bigint AS n FROM event_rollups_hourly WHERE outcome = 'failed' AND connection_id = ${env.wixConnectionId}::uuid`;
    expect(Number(failed[0]!.n)).toBe(0);
  });

  it("Wix: a connection dropped after the request left is unknown too (here Wix has nothing); a refused connection is simply retried", async () => {
    await post("/_sandbox/settings", { faultTimeoutHoldMs: 100 }, "PATCH");
    await post("/_sandbox/faults", { route: "POST /apps/v1/billing-event", timeoutRate: 1, times: 1 });
    const key = "unknown-wix-dropped";
    await ingestEvents(
      [
        {
          platform: "wix",
          connection_id: env.wixConnectionId,
          instance_id: ACME,
          idempotency_key: key,
          event: { grossRevenue: "888.21", wixShare: "177.64", billingType: "CHARGE" },
        },
      ],
      { source: "api" },
    );
    expect((await deliveryRound("test-worker")).outcome_unknown).toBe(1);
    const event = await eventByKey(key);
    expect(event.state).toBe("outcome_unknown");
    expect(event.lastError).toMatch(/^Outcome unknown: no response NETWORK/);
    expect(await wixReports("888.21")).toBe(0);

    // Nothing listening: the request never left, so a plain retry is safe.
    const { PlatformError } = await import("../platforms/errors");
    const { sendRequest } = await import("../platforms/http");
    const net = await import("node:net");
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as import("node:net").AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await sendRequest(
      fetch,
      `http://127.0.0.1:${port}/apps/v1/billing-event`,
      { method: "POST" },
      { platform: "wix", recordsOutcome: true },
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlatformError);
    expect((refused as InstanceType<typeof PlatformError>).outcomeUnknown).toBe(false);
    expect((refused as InstanceType<typeof PlatformError>).retryable).toBe(true);
  });
});
