import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRealDatabase, type TestDatabase } from "../testing/databases";
import { applyMigrations } from "./migrate";

/**
 * The Overview and the explorer against a generated ledger on a real Postgres: chart series, KPIs
 * and cycle usage agree with plain queries over billing_events; every explorer filter and the CSV
 * export return exactly the matching rows, page after page.
 */
let database: TestDatabase;
let client: pg.Client;
let m: {
  overview: typeof import("./overview");
  rollups: typeof import("./rollups");
  events: typeof import("./events");
  exporter: typeof import("./events-export");
  range: typeof import("../domain/dashboard-range");
  db: typeof import("./client");
};

beforeAll(async () => {
  database = await createRealDatabase();
  await applyMigrations(database.url);
  process.env.DATABASE_URL = database.url;
  // The benchmark generator's entities and ~4,000 events over 35 days, inserted with the rollup triggers on.
  const { createEntities } = await import("../../scripts/generate-entities");
  const { insertEventsSql } = await import("../../scripts/generate-sql");
  const { createPrisma } = await import("./client");
  const prisma = createPrisma(database.url, 2);
  const now = new Date();
  const e = await createEntities(prisma, now);
  await prisma.$disconnect();
  const HOUR = 3_600_000;
  const last = Math.floor(now.getTime() / HOUR) * HOUR;
  const hours = Array.from({ length: 35 * 24 }, (_, i) => new Date(last - i * HOUR));
  const seedClient = new pg.Client({ connectionString: database.url });
  await seedClient.connect();
  await seedClient.query(insertEventsSql, [
    hours,
    hours.map((_, i) => (i === 0 ? 2 : 5)),
    e.shops.map((x) => x.id),
    e.shops.map((x) => x.connectionId),
    e.shops.map((x) => x.isDevStore),
    e.instances.map((x) => x.id),
    e.instances.map((x) => x.connectionId),
    e.instances.map((x) => x.currency),
    e.instances.map((x) => x.isTest),
    now,
  ]);
  // Failed deliveries (DELIVERY_FAILED) and a few verdicts arriving late, through the update trigger.
  await seedClient.query(`UPDATE billing_events SET state = 'failed', platform_verdict = NULL, platform_code = NULL WHERE id % 97 = 0`);
  await seedClient.query(`UPDATE billing_events SET platform_verdict = NULL WHERE id % 89 = 0 AND state <> 'failed'`);
  await seedClient.end();
  m = {
    overview: await import("./overview"),
    rollups: await import("./rollups"),
    events: await import("./events"),
    exporter: await import("./events-export"),
    range: await import("../domain/dashboard-range"),
    db: await import("./client"),
  };
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await m?.db.db().$disconnect();
  await database?.drop();
});

const count = async (where: string, params: unknown[] = []) =>
  Number((await client.query(`SELECT count(*) AS n FROM billing_events WHERE ${where}`, params)).rows[0].n);

describe("the Overview's numbers", () => {
  it("equal plain counts over the events, per day in the viewer's zone, per outcome and per code", async () => {
    const now = new Date();
    for (const tz of ["UTC", "Asia/Tokyo", "America/New_York"]) {
      const range = m.range.resolveRange({ range: "30d" }, now, tz);
      const data = await m.overview.getOverview(range, {}, now);
      const fromHour = new Date(Math.ceil(range.from.getTime() / 3_600_000) * 3_600_000);
      const inRange = `occurred_at >= $1 AND occurred_at < $2`;
      const args = [fromHour, range.to];
      expect(data.kpis.events).toBe(await count(inRange, args));
      expect(data.kpis.failed).toBe(await count(`${inRange} AND (state = 'failed' OR platform_verdict = 'failed')`, args));
      expect(data.kpis.billable).toBe(await count(`${inRange} AND platform_verdict = 'billable' AND state <> 'failed'`, args));
      const perDay = await client.query(
        `SELECT extract(epoch FROM date_trunc('day', occurred_at, $3)) * 1000 AS t, count(*)::int AS n FROM billing_events WHERE ${inRange} GROUP BY 1`,
        [...args, tz],
      );
      const expected = Object.fromEntries(perDay.rows.map((r) => [Number(r.t), r.n]));
      const actual = Object.fromEntries(
        data.volume.filter((p) => p.billable + p.non_billable + p.failed + p.pending > 0).map((p) => [p.t, p.billable + p.non_billable + p.failed + p.pending]),
      );
      expect(actual).toEqual(expected);
      expect(data.volume).toHaveLength(30);
      const codes = await client.query(
        `SELECT rollup_code(state, platform_code) AS code, count(*)::int AS n FROM billing_events WHERE ${inRange} AND rollup_outcome(state, platform_verdict) = 'failed' GROUP BY 1`,
        args,
      );
      expect(Object.fromEntries(data.failures.totals.map((t) => [t.code, t.count]))).toEqual(Object.fromEntries(codes.rows.map((r) => [r.code, r.n])));
      expect(data.failures.totals.some((t) => t.code === "DELIVERY_FAILED")).toBe(true);
    }
  });

  it("filters by connection, handle and shop read the finer rollups and still agree", async () => {
    const now = new Date();
    const range = m.range.resolveRange({ range: "7d", bucket: "hour" }, now, "Europe/Paris");
    const fromHour = new Date(Math.ceil(range.from.getTime() / 3_600_000) * 3_600_000);
    const {
      rows: [shop],
    } = await client.query(`SELECT shop_id FROM billing_events WHERE shop_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const {
      rows: [conn],
    } = await client.query(`SELECT connection_id FROM billing_events LIMIT 1`);
    for (const [filter, where, params] of [
      [{ subjectId: shop.shop_id }, "shop_id = $3", [shop.shop_id]],
      [{ connectionId: conn.connection_id }, "connection_id = $3", [conn.connection_id]],
      [{ handle: "sms_sent" }, "handle = $3", ["sms_sent"]],
      [{ platform: "wix" as const }, "platform = $3", ["wix"]],
    ] as const) {
      const data = await m.overview.getOverview(range, filter, now);
      expect(data.kpis.events).toBe(await count(`occurred_at >= $1 AND occurred_at < $2 AND ${where}`, [fromHour, range.to, ...params]));
    }
  });

  it("counts each shop's billable units inside its cycle, exactly", async () => {
    const now = new Date();
    const usage = await m.rollups.currentCycleUsage({}, now);
    const raw = await client.query(`
      SELECT e.shop_id::text AS id, e.handle, sum(e.quantity)::text AS q FROM billing_events e JOIN shops s ON s.id = e.shop_id
      WHERE s.cycle_start <= now() AND s.cycle_end > now() AND e.occurred_at >= s.cycle_start AND e.occurred_at < s.cycle_end
        AND rollup_outcome(e.state, e.platform_verdict) = 'billable' AND NOT e.superseded
      GROUP BY 1, 2`);
    const ours = usage
      .filter((u) => u.outcome === "billable" && u.platform === "shopify")
      .map((u) => `${u.subjectId}|${u.handle}|${Number(u.quantity)}`)
      .sort();
    expect(raw.rows.length).toBeGreaterThan(0);
    expect(ours).toEqual(raw.rows.map((r) => `${r.id}|${r.handle}|${Number(r.q)}`).sort());
  });
});

describe("the explorer and its CSV export", () => {
  async function allPages(filter: Parameters<typeof m.events.listEvents>[0]) {
    const ids: string[] = [];
    let cursor: { occurredAt: Date; id: bigint } | null = null;
    for (;;) {
      const page = await m.events.listEvents(filter, cursor, 37);
      ids.push(...page.rows.map((r) => r.id.toString()));
      if (!page.nextCursor) return ids;
      cursor = m.events.decodeCursor(page.nextCursor);
    }
  }
  const rawIds = async (where: string, params: unknown[] = []) =>
    (await client.query(`SELECT id::text FROM billing_events WHERE ${where} ORDER BY occurred_at DESC, id DESC`, params)).rows.map((r) => r.id);

  it("returns exactly the rows each filter matches, newest first, across keyset pages", async () => {
    const {
      rows: [conn],
    } = await client.query(`SELECT connection_id FROM billing_events GROUP BY 1 ORDER BY count(*) LIMIT 1`);
    const weekAgo = new Date(Date.now() - 7 * 86_400_000);
    const cases: [Parameters<typeof m.events.listEvents>[0], string, unknown[]][] = [
      [{}, "true", []],
      [{ outcome: "failed", code: "NO_SUBSCRIPTION" }, "platform_code = 'NO_SUBSCRIPTION' AND (state = 'failed' OR platform_verdict = 'failed')", []],
      [{ code: "DELIVERY_FAILED" }, "state = 'failed' AND platform_code IS NULL", []],
      [{ platform: "wix", from: weekAgo }, "platform = 'wix' AND occurred_at >= $1", [weekAgo]],
      [{ handle: "SMS_SENT", verdict: "non_billable" }, "handle = 'SMS_SENT' AND platform_verdict = 'non_billable'", []],
      [{ state: "failed", source: "api" }, "state = 'failed' AND source = 'api'", []],
      [{ q: "ab" }, "idempotency_key LIKE 'ab%'", []],
      [{ q: "a" }, "idempotency_key LIKE 'a%'", []],
      [{ q: "a", connectionId: conn.connection_id }, "idempotency_key LIKE 'a%' AND connection_id = $1", [conn.connection_id]],
      [{ q: "a_" }, "idempotency_key LIKE 'a\\_%'", []],
      [{ outcome: "pending" }, "platform_verdict IS NULL AND state <> 'failed'", []],
    ];
    for (const [filter, where, params] of cases) expect(await allPages(filter)).toEqual(await rawIds(where, params));
  });

  it("exports the same rows with exact decimals", async () => {
    const filter = { platform: "wix" as const };
    const rows: { id: string | null; amount: string | null }[] = [];
    for await (const batch of m.exporter.exportEventBatches(filter, 25)) rows.push(...batch);
    expect(rows.map((r) => r.id)).toEqual(await rawIds("platform = 'wix'"));
    const amounts = await client.query(`SELECT id::text, trim_scale(amount)::text AS a FROM billing_events WHERE platform = 'wix'`);
    const exact = Object.fromEntries(amounts.rows.map((r) => [r.id, r.a]));
    expect(rows.every((r) => r.amount === exact[r.id!])).toBe(true);
  });
});
