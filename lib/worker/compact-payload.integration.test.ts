import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngestKey, sandboxJson, startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

/**
 * A Shopify usage row stores its attributes only (issue 17, a lean ledger); the worker sends the
 * whole App Events body, rebuilt from the columns. A row written before keeps its full body, sent as stored.
 */
let env: LedgerEnv;
let POST: (req: Request) => Promise<Response>;
let key: string;
let deliveryRound: typeof import("./delivery").deliveryRound;

beforeAll(async () => {
  env = await startLedgerEnv();
  POST = (await import("../../app/api/v1/events/route")).POST as (req: Request) => Promise<Response>;
  key = await createIngestKey(env, "compact");
  ({ deliveryRound } = await import("./delivery"));
});
afterAll(async () => env?.close());

type LogRow = { idempotency_key: string; shop_id: string | null; event_handle: string | null; timestamp: string | null; value: unknown; status: number };
const logFor = async (idempotencyKey: string) =>
  (await sandboxJson<{ rows: LogRow[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250")).rows.filter(
    (r) => r.idempotency_key === idempotencyKey,
  );

async function ingest(event: Record<string, unknown>) {
  const res = await POST(
    new Request("http://app.test/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ events: [event] }),
    }),
  );
  expect(res.status).toBe(200);
  const { results } = (await res.json()) as { results: { status: string; event_id: string }[] };
  expect(results[0]!.status).toBe("accepted");
  return BigInt(results[0]!.event_id);
}

async function drain() {
  for (let round = 0; round < 10; round++) if (!(await deliveryRound("compact-worker")).claimed) break;
}

const sentBody = async (eventId: bigint) =>
  (await env.db.deliveryAttempt.findFirstOrThrow({ where: { eventId } })).request as { body: Record<string, unknown> };

describe("compact Shopify payload", () => {
  it("stores the attributes only and sends the body rebuilt from the columns", async () => {
    const at = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000 + 123);
    // A timestamp with an offset: the body sent carries occurred_at, the same instant, in UTC.
    const local = new Date(at.getTime() + 2 * 3600_000).toISOString().replace(".123Z", ".123+02:00");
    const id = await ingest({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: "gid://shopify/Shop/23423423",
      event_handle: "sms_sent",
      timestamp: local,
      idempotency_key: "compact-new-1",
      attributes: { value: 3, campaign: "spring" },
    });
    const row = await env.db.billingEvent.findUniqueOrThrow({ where: { id } });
    expect(row.payload).toEqual({ attributes: { value: 3, campaign: "spring" } });

    await drain();
    expect(await sentBody(id)).toMatchObject({
      body: {
        shop_id: "gid://shopify/Shop/23423423",
        event_handle: "sms_sent",
        timestamp: at.toISOString(),
        idempotency_key: "compact-new-1",
        attributes: { value: 3, campaign: "spring" },
      },
    });
    const log = await logFor("compact-new-1");
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ shop_id: "23423423", event_handle: "sms_sent", timestamp: at.toISOString(), value: 3, status: 200 });
    expect((await env.db.billingEvent.findUniqueOrThrow({ where: { id } })).state).toBe("accepted");
  });

  it("sends a row with the old full payload as it was stored", async () => {
    const at = new Date(Date.now() - 90_000);
    const id = await ingest({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: "23423423",
      event_handle: "sms_sent",
      timestamp: at.toISOString(),
      idempotency_key: "compact-old-1",
      attributes: { value: 2 },
    });
    // The row as ingest wrote it before the compact form: the whole body, its timestamp as the caller spelled it.
    const spelled = at.toISOString().replace("Z", "+00:00");
    const full = {
      shop_id: "gid://shopify/Shop/23423423",
      event_handle: "sms_sent",
      timestamp: spelled,
      idempotency_key: "compact-old-1",
      attributes: { value: 2 },
    };
    await env.db.billingEvent.update({ where: { id }, data: { payload: full } });

    await drain();
    expect((await sentBody(id)).body).toEqual(full);
    const log = await logFor("compact-old-1");
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ shop_id: "23423423", event_handle: "sms_sent", timestamp: spelled, value: 2, status: 200 });
  });
});
