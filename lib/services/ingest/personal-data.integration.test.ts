import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngestApi, type LedgerEnv } from "../../testing/ledger-env";

/**
 * The personal-data guard through the real ingest API (route handler, real ledger): Shopify
 * forbids personal data in attributes and checks nothing (docs/platforms/shopify.md §1.3).
 */
let env: LedgerEnv;
let POST: (req: Request) => Promise<Response>;
let key: string;

beforeAll(async () => void ({ env, POST, key } = await startIngestApi("pii")));
afterAll(async () => env?.close());

const call = async (events: unknown[]) => {
  const res = await POST(
    new Request("http://app.test/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ events }),
    }),
  );
  return { status: res.status, body: await res.json() };
};
const event = (idempotencyKey: string, attributes: Record<string, unknown>) => ({
  platform: "shopify",
  connection_id: env.shopifyConnectionId,
  shop_id: "23423423",
  event_handle: "sms_sent",
  timestamp: new Date(Date.now() - 60_000).toISOString(),
  idempotency_key: idempotencyKey,
  attributes: { value: 1, ...attributes },
});
const stored = (prefix: string) => env.db.billingEvent.findMany({ where: { idempotencyKey: { startsWith: prefix } }, orderBy: { id: "asc" } });
const catches = async () => {
  const rows = await env.db.personalDataCatch.findMany({ where: { connectionId: env.shopifyConnectionId } });
  return { refused: rows.reduce((n, r) => n + r.refused, 0), held: rows.reduce((n, r) => n + r.held, 0) };
};
const setMode = (mode: "refuse" | "warn") => env.db.connection.update({ where: { id: env.shopifyConnectionId }, data: { personalDataMode: mode } });

describe("personal data in Shopify attributes", () => {
  it("is refused by default, at the attribute, with nothing stored; the rest of the batch is stored and counts stay honest", async () => {
    const before = await catches();
    const { status, body } = await call([
      event("pii-r-0", { campaign: "spring" }),
      event("pii-r-1", { sms_sent: 100, sent_at: "2026-01-27T14:30:00Z" }),
      event("pii-r-2", { to: "+1 (555) 123-4567" }),
      event("pii-r-3", { email: "ana@example.com", first_name: "Ana" }),
      event("pii-r-4", { note: "ship to 221B Baker Street" }),
    ]);
    expect(status).toBe(200);
    expect(body.summary).toMatchObject({ accepted: 2, rejected: 3 });
    expect(body.results[2].errors).toEqual({ "attributes.to": [expect.stringMatching(/^the value looks like a phone number: Shopify forbids personal data/)] });
    expect(Object.keys(body.results[3].errors)).toEqual(["attributes.email", "attributes.first_name"]);
    expect(body.results[3].index).toBe(3);
    expect(body.results[4].errors["attributes.note"][0]).toMatch(/street address/);
    expect((await stored("pii-r-")).map((e) => e.idempotencyKey)).toEqual(["pii-r-0", "pii-r-1"]);
    expect(await catches()).toEqual({ refused: before.refused + 3, held: before.held });
  });

  it("in warn mode is stored held with the warning, never queued, even with send_anyway; a resend is a duplicate, counted once", async () => {
    await setMode("warn");
    try {
      const before = await catches();
      const held = { ...event("pii-w-1", { email: "ana@example.com" }), send_anyway: true };
      const { body } = await call([held, event("pii-w-2", { sms_sent: 100 })]);
      expect(body.results.map((r: { status: string }) => r.status)).toEqual(["held", "accepted"]);
      const [first, second] = await stored("pii-w-");
      expect(first!.state).toBe("held");
      expect(first!.personalData).toEqual([{ attribute: "email", reason: "the value looks like an email address" }]);
      expect(second!.state).toBe("queued");
      expect(second!.personalData).toBeNull();
      const again = await call([held]);
      expect(again.body.results[0].status).toBe("duplicate");
      expect(await catches()).toEqual({ refused: before.refused, held: before.held + 1 });
    } finally {
      await setMode("refuse");
    }
  });
});
