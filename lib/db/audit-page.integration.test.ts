import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerEnv, type LedgerEnv } from "../testing/ledger-env";

/**
 * The audit log page's data: 120 rows naming 60 events, shops and connections come back 50 to a
 * page with every id resolved to a name, in one query for the rows and one per kind of thing named
 * (never one per row), and the pages meet without a gap or an overlap.
 */
let env: LedgerEnv;
let auditPage: typeof import("./audit-page").auditPage;
let queries = 0;

beforeAll(async () => {
  env = await startLedgerEnv();
  const { ingestEvents } = await import("../services/ingest/ingest");
  const shops = await env.db.shop.findMany({ where: { connectionId: env.shopifyConnectionId }, select: { id: true, shopId: true, domain: true } });
  const shop = shops.find((s) => s.domain === "dev-sms-store.myshopify.com")!;
  const results = await ingestEvents(
    Array.from({ length: 60 }, (_, i) => ({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: `gid://shopify/Shop/${shop.shopId}`,
      event_handle: "sms_sent",
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      idempotency_key: `audit-page-${i}`,
      attributes: { value: 1 },
    })),
    { source: "api" },
  );
  const ids = results.map((r) => (r.status === "rejected" || r.status === "conflict" ? "" : r.eventId));
  expect(ids.every(Boolean)).toBe(true);
  const admin = await env.db.user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
  await env.db.auditLog.createMany({
    data: Array.from({ length: 120 }, (_, i) =>
      i % 2 === 0
        ? {
            actorId: admin.id,
            actorEmail: admin.email,
            action: "event.void",
            entityType: "event",
            entityId: ids[i % 60]!,
            before: { state: "held" },
            after: { state: "voided", voidEntry: ids[(i + 1) % 60]! },
          }
        : {
            actorId: admin.id,
            actorEmail: admin.email,
            action: "scenario.start",
            entityType: "scenario_run",
            entityId: `run-${i}`,
            after: { connectionId: env.shopifyConnectionId, shopId: shop.id },
          },
    ),
  });
  // Count every query the page makes, through the one client the app uses.
  const { db } = await import("./client");
  const counted = db().$extends({ query: { $allOperations: ({ args, query }) => ((queries += 1), query(args)) } });
  (globalThis as unknown as { prisma: unknown }).prisma = counted;
  ({ auditPage } = await import("./audit-page"));
});

afterAll(async () => {
  await env?.close();
});

describe("audit log pages", () => {
  it("name every event, shop and connection on a page in a constant number of queries, and page without gaps", async () => {
    queries = 0;
    const first = await auditPage({});
    expect(first.rows).toHaveLength(50);
    // Rows, then events, shops and connections: one query each, not one per row.
    expect(queries).toBe(4);
    const eventNames = [...first.names.entries()].filter(([k]) => k.startsWith("event:")).map(([, v]) => v);
    expect(eventNames.length).toBeGreaterThan(25);
    for (const n of eventNames) expect(n.label).toMatch(/^event #\d+ \(sms_sent on dev-sms-store\.myshopify\.com\)$/);
    expect(first.names.get(`connection:${env.shopifyConnectionId}`)).toEqual({
      label: "SMS Blaster (sandbox)",
      href: `/settings/connections/${env.shopifyConnectionId}`,
    });
    expect([...first.names.values()].some((n) => n.label === "dev-sms-store.myshopify.com" && n.href?.startsWith("/events?shop="))).toBe(true);
    expect(first.older).toBe(true);
    expect(first.newer).toBe(false);

    const second = await auditPage({ before: first.rows.at(-1)!.id });
    const third = await auditPage({ before: second.rows.at(-1)!.id });
    const all = [...first.rows, ...second.rows, ...third.rows].map((r) => r.id);
    expect(new Set(all).size).toBe(all.length);
    expect(third.older).toBe(false);
    expect(third.rows.at(-1)!.id).toBe((await env.db.auditLog.findFirstOrThrow({ orderBy: { id: "asc" } })).id);
    // Back toward the newest: the page before `second` is `first`, row for row.
    const back = await auditPage({ after: second.rows[0]!.id });
    expect(back.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
  });
});
