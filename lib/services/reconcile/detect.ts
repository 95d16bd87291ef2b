import { createHash } from "node:crypto";
import { db, Prisma, type Tx } from "../../db/client";
import { canDiscover } from "../discovery/shopify";
import { windowUsage } from "../../db/rollups";
import { groupBy } from "../../domain/group-by";
import { canonicalJson } from "../../domain/idempotency";
import { Decimal, minorDigits, toDecimal } from "../../domain/money";
import { priceMeterUsage, priceTiersSchema } from "../../domain/pricing";
import { recordAudit } from "../../audit";
import {
  chargeDifference,
  meterDifferences,
  unitsAsOfRead,
  VERDICT_SOURCE_LABEL,
  type CycleCharge,
  type CycleMeter,
  type InFlight,
} from "../../domain/reconcile";
import { env } from "../../env";
import { detectWixDifferences, storeDifferences } from "./wix";

/**
 * Reconciles a Shopify connection from what is stored: every shop's current cycle (and every
 * cycle kept from before) gets our billable units and money per meter beside the platform's
 * stored figures, and the differences event by event (matched by idempotency key with the
 * imported Dev Dashboard log) and per meter become rows to work through. Run by the worker after
 * each pull of platform figures and after a log import; never by a page view.
 *
 * A difference found again keeps its state (a resolved one stays resolved); an open one not found
 * any more is cleared. A closed cycle whose figures or differences changed since it was signed
 * off is reopened, visibly (reopenedAt), keeping its frozen snapshot.
 */
export async function reconcileConnection(connectionId: string, actor = "system") {
  const runAt = new Date();
  const connection = await db().connection.findUnique({ where: { id: connectionId }, select: { platform: true } });
  if (connection?.platform === "wix") await detectWixDifferences(connectionId, runAt);
  else await reconcileShopify(connectionId, runAt);
  // Open differences this run did not find again: the two sides agree now.
  await db().$executeRaw`
    UPDATE reconcile_differences SET state = 'cleared', resolved_at = ${runAt}, resolved_by = ${`${actor}: matches now`}
    WHERE connection_id = ${connectionId}::uuid AND state = 'open' AND checked_at < ${runAt}`;
  await settleCycles(connectionId, runAt);
}

async function reconcileShopify(connectionId: string, runAt: Date) {
  await db().$executeRaw`
    INSERT INTO reconcile_cycles (id, connection_id, subject_id, subject_label, cycle_start, cycle_end)
    SELECT gen_random_uuid(), connection_id, id, domain, cycle_start, cycle_end FROM shops
    WHERE connection_id = ${connectionId}::uuid AND cycle_start IS NOT NULL AND cycle_end IS NOT NULL
    ON CONFLICT (connection_id, subject_id, cycle_start) DO UPDATE SET subject_label = EXCLUDED.subject_label, cycle_end = EXCLUDED.cycle_end`;
  // The platform may report a cycle we had not seen (it renewed before our sync): keep it too.
  await db().$executeRaw`
    INSERT INTO reconcile_cycles (id, connection_id, subject_id, subject_label, cycle_start, cycle_end)
    SELECT DISTINCT ON (f.subject_id, f.cycle_start) gen_random_uuid(), f.connection_id, f.subject_id, s.domain, f.cycle_start, f.cycle_end
    FROM platform_figures f JOIN shops s ON s.id = f.subject_id WHERE f.connection_id = ${connectionId}::uuid
    ON CONFLICT (connection_id, subject_id, cycle_start) DO NOTHING`;
  // Earlier cycles (up to three, back to back at the same length, not before the subscription
  // began) are kept once the platform's log has rows in them: a past cycle is where it matters most.
  await db().$executeRaw`
    INSERT INTO reconcile_cycles (id, connection_id, subject_id, subject_label, cycle_start, cycle_end)
    SELECT gen_random_uuid(), s.connection_id, s.id, s.domain, s.cycle_start - k * (s.cycle_end - s.cycle_start), s.cycle_start - (k - 1) * (s.cycle_end - s.cycle_start)
    FROM shops s CROSS JOIN generate_series(1, 3) AS k
    WHERE s.connection_id = ${connectionId}::uuid AND s.cycle_start IS NOT NULL AND s.cycle_end > s.cycle_start
      AND (s.subscription_started_at IS NULL OR s.cycle_start - k * (s.cycle_end - s.cycle_start) >= s.subscription_started_at)
      AND (EXISTS (SELECT 1 FROM platform_log_entries l WHERE l.connection_id = s.connection_id
        AND l.shop_ref IN (s.shop_id, s.domain, 'gid://shopify/Shop/' || s.shop_id)
        AND l.occurred_at >= s.cycle_start - k * (s.cycle_end - s.cycle_start) AND l.occurred_at < s.cycle_start - (k - 1) * (s.cycle_end - s.cycle_start))
      -- or Shopify charged usage for it (a usage charge posts at the cycle's end, docs/platforms/shopify.md §2.6)
      OR EXISTS (SELECT 1 FROM shopify_partner_events pe WHERE pe.connection_id = s.connection_id AND pe.event_type = 'CHARGE_USAGE' AND pe.shop_id = s.shop_id
        AND pe.occurred_at > s.cycle_start - k * (s.cycle_end - s.cycle_start) AND pe.occurred_at <= s.cycle_start - (k - 1) * (s.cycle_end - s.cycle_start)))
    ON CONFLICT (connection_id, subject_id, cycle_start) DO NOTHING`;
  await assignCyclePlans(connectionId);
  await detectEventDifferences(connectionId, runAt);
  await computeMeters(connectionId, runAt);
}

async function detectEventDifferences(connectionId: string, runAt: Date) {
  const c = Prisma.sql`${connectionId}::uuid`;
  const logReadAt = await lastLogRead(connectionId);
  if (!logReadAt) return;
  // "Missing at the platform" only for what the log could have shown when it was read: accepted
  // before the read, less the margin Shopify takes to rule on an event (docs/platforms/shopify.md §1.7).
  const seenBy = new Date(logReadAt.getTime() - verdictMarginMs());
  const billable = (verdict: Prisma.Sql, q: Prisma.Sql) => Prisma.sql`CASE WHEN ${verdict} = 'billable' THEN COALESCE(${q}, 0) ELSE 0 END`;
  await db().$executeRaw`
    WITH cyc AS (
      SELECT subject_id, cycle_start AS s, cycle_end AS e FROM reconcile_cycles WHERE connection_id = ${c}
    ), price AS (
      -- Each cycle at the prices of the plan in force during it (assignCyclePlans), not the shop's plan today.
      -- At the meter's price when the cycle ended (meter_prices; priceWhenEnded), not today's.
      SELECT rc.subject_id, rc.cycle_start AS s, m.handle, COALESCE(h.unit_price, m.unit_price) AS unit_price, p.currency FROM reconcile_cycles rc
      JOIN plans p ON p.connection_id = rc.connection_id AND p.handle = rc.plan_handle JOIN meters m ON m.plan_id = p.id
      LEFT JOIN LATERAL (
        SELECT x.unit_price FROM meter_prices x WHERE x.plan_id = p.id AND x.handle = m.handle
        ORDER BY (x.effective_from < rc.cycle_end) DESC, CASE WHEN x.effective_from < rc.cycle_end THEN x.effective_from END DESC, x.effective_from, x.id LIMIT 1
      ) h ON true
      WHERE rc.connection_id = ${c}
    ), ours AS (
      SELECT cyc.subject_id, cyc.s, e.id, COALESCE(o.idempotency_key, e.idempotency_key) AS key, e.handle, e.occurred_at, e.quantity, e.state::text AS state, e.corrects_id, e.accepted_at,
        e.verdict_source::text AS verdict_source,
        COALESCE(e.platform_verdict, e.predicted_verdict)::text AS verdict,
        CASE WHEN e.platform_verdict IS NOT NULL THEN e.platform_code ELSE e.predicted_code END AS code
      FROM cyc JOIN billing_events e ON e.shop_id = cyc.subject_id AND e.occurred_at >= cyc.s AND e.occurred_at < cyc.e
      LEFT JOIN billing_events o ON o.id = e.corrects_id
      -- A voided event was never sent: it is not "missing at the platform", nor any other difference.
      WHERE e.connection_id = ${c} AND e.kind = 'shopify_usage' AND NOT e.superseded AND e.state <> 'voided'
    ), theirs AS (
      SELECT COALESCE(s1.id, s2.id) AS subject_id, l.idempotency_key AS key, l.handle, l.occurred_at, l.quantity, l.verdict::text AS verdict, l.code
      FROM platform_log_entries l
      LEFT JOIN shops s1 ON s1.connection_id = l.connection_id AND s1.shop_id = regexp_replace(COALESCE(l.shop_ref, ''), '^gid://shopify/Shop/', '')
      LEFT JOIN shops s2 ON s1.id IS NULL AND s2.connection_id = l.connection_id AND s2.domain = l.shop_ref
      WHERE l.connection_id = ${c}
    ), pairs AS (
      SELECT o.*, t.key AS t_key, t.quantity AS t_quantity, t.verdict AS t_verdict, t.code AS t_code
      FROM ours o LEFT JOIN theirs t ON t.key = o.key
    ), differs AS (
      SELECT *, (verdict <> t_verdict OR (verdict = 'failed' AND COALESCE(code, '') <> COALESCE(t_code, ''))) AS verdict_differs FROM pairs WHERE t_key IS NOT NULL
    ), found AS (
      SELECT subject_id, s, 'missing_there' AS kind, key, id AS event_id, handle, occurred_at, quantity AS our_units, NULL::numeric AS platform_units,
        verdict AS our_verdict, NULL::text AS platform_verdict, ${billable(Prisma.sql`verdict`, Prisma.sql`quantity`)} AS delta
      -- A verdict read from the platform's log means the platform has the event, even where its row is not stored.
      FROM pairs WHERE t_key IS NULL AND state = 'accepted' AND corrects_id IS NULL AND COALESCE(verdict_source, '') NOT IN ('sandbox_log', 'imported_file')
        AND accepted_at < ${seenBy}
      UNION ALL
      SELECT subject_id, s, 'verdict_differs', key, id, handle, occurred_at, quantity, t_quantity, verdict || COALESCE(' ' || code, ''), t_verdict || COALESCE(' ' || t_code, ''),
        ${billable(Prisma.sql`verdict`, Prisma.sql`quantity`)} - ${billable(Prisma.sql`t_verdict`, Prisma.sql`t_quantity`)}
      FROM differs WHERE verdict_differs
      UNION ALL
      SELECT subject_id, s, 'units_differ', key, id, handle, occurred_at, quantity, t_quantity, verdict, t_verdict,
        CASE WHEN verdict = 'billable' THEN quantity - t_quantity ELSE 0 END
      FROM differs WHERE NOT verdict_differs AND quantity IS NOT NULL AND t_quantity IS NOT NULL AND quantity <> t_quantity
      UNION ALL
      SELECT cyc.subject_id, cyc.s, 'missing_here', t.key, NULL, t.handle, t.occurred_at, NULL, t.quantity, NULL, t.verdict || COALESCE(' ' || t.code, ''),
        -${billable(Prisma.sql`t.verdict`, Prisma.sql`t.quantity`)}
      FROM theirs t JOIN cyc ON cyc.subject_id = t.subject_id AND t.occurred_at >= cyc.s AND t.occurred_at < cyc.e
      WHERE NOT EXISTS (SELECT 1 FROM billing_events b WHERE b.connection_id = ${c} AND b.idempotency_key = t.key)
    )
    INSERT INTO reconcile_differences AS d (connection_id, subject_id, cycle_start, kind, key, event_id, handle, occurred_at, our_units, platform_units, amount, currency,
      our_verdict, platform_verdict, detected_at, checked_at)
    SELECT ${c}, f.subject_id, f.s, f.kind::"DifferenceKind", f.key, f.event_id, f.handle, f.occurred_at, f.our_units, f.platform_units,
      f.delta * COALESCE(p.unit_price, 0), COALESCE(p.currency, 'USD'), f.our_verdict, f.platform_verdict, ${runAt}, ${runAt}
    FROM found f LEFT JOIN price p ON p.subject_id = f.subject_id AND p.s = f.s AND p.handle = f.handle
    ON CONFLICT (connection_id, subject_id, cycle_start, kind, key) DO UPDATE SET
      event_id = EXCLUDED.event_id, our_units = EXCLUDED.our_units, platform_units = EXCLUDED.platform_units, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
      our_verdict = EXCLUDED.our_verdict, platform_verdict = EXCLUDED.platform_verdict, checked_at = EXCLUDED.checked_at,
      state = CASE WHEN d.state = 'cleared' THEN 'open'::"DifferenceState" ELSE d.state END,
      detected_at = CASE WHEN d.state = 'cleared' THEN EXCLUDED.detected_at ELSE d.detected_at END`;
}

/**
 * The plan in force during each cycle, which prices "ours": the shop's plan for its current cycle
 * (the Partner API's activeSubscription), and for an earlier cycle the plan of the last
 * subscription created or changed before it ended (Partner API events, docs/platforms/shopify.md
 * §2.6), else the plan Shopify named on a charge in it, else the shop's plan.
 */
async function assignCyclePlans(connectionId: string) {
  await db().$executeRaw`
    WITH subs AS (
      SELECT shop_id, occurred_at, payload->'plan'->>'handle' AS handle FROM shopify_partner_events
      WHERE connection_id = ${connectionId}::uuid AND event_type IN ('SUBSCRIPTION_CREATED', 'SUBSCRIPTION_UPDATED') AND payload->'plan'->>'handle' IS NOT NULL
    ), charged AS (
      SELECT shop_id, occurred_at, payload->>'planHandle' AS handle FROM shopify_partner_events
      WHERE connection_id = ${connectionId}::uuid AND event_type IN ('CHARGE_USAGE', 'CHARGE_RECURRING') AND payload->>'planHandle' IS NOT NULL
    ), picked AS (
      SELECT c.id, CASE WHEN c.cycle_start = s.cycle_start THEN s.plan_handle END AS current_plan,
        (SELECT x.handle FROM subs x WHERE x.shop_id = s.shop_id AND x.occurred_at < c.cycle_end ORDER BY x.occurred_at DESC LIMIT 1) AS subscribed,
        (SELECT x.handle FROM charged x WHERE x.shop_id = s.shop_id AND x.occurred_at >= c.cycle_start AND x.occurred_at <= c.cycle_end ORDER BY x.occurred_at DESC LIMIT 1) AS charged,
        s.plan_handle
      FROM reconcile_cycles c JOIN shops s ON s.id = c.subject_id WHERE c.connection_id = ${connectionId}::uuid
    )
    UPDATE reconcile_cycles c SET plan_handle = COALESCE(p.current_plan, p.subscribed, p.charged, p.plan_handle)
    FROM picked p WHERE c.id = p.id AND c.plan_handle IS DISTINCT FROM COALESCE(p.current_plan, p.subscribed, p.charged, p.plan_handle)`;
}

type ChargeRow = {
  subject_id: string;
  cycle_start: Date;
  charge_id: string;
  type: string;
  at: Date;
  units: string | null;
  amount: string | null;
  currency: string | null;
  description: string | null;
  plan_handle: string | null;
};

/** The meter a usage charge is for: Shopify names it only in the description ("SMS sent (sms_sent)"; docs/platforms/shopify.md §2.6). */
function chargeHandle(description: string | null, meters: readonly { handle: string; name: string }[]): string | null {
  const named = description?.match(/\(([^()]+)\)\s*$/)?.[1];
  if (named && meters.some((m) => m.handle === named)) return named;
  const byName = meters.find((m) => m.name === description);
  if (byName) return byName.handle;
  return meters.length === 1 ? meters[0]!.handle : (named ?? null);
}

/**
 * The price a meter had when a cycle ended (for the current cycle: today's): the last one in force
 * before its end, else the first one known (a cycle before the history began). A price changed
 * during a cycle applies to it: Shopify prices a cycle's usage as one total at its end
 * (docs/platforms/shopify.md §2.3); when a changed meter price takes effect is not documented
 * (INFERRED; proration on a change mid-cycle is open question 7 of §5).
 */
function priceWhenEnded<T extends { effectiveFrom: Date }>(history: readonly T[] | undefined, cycleEnd: Date): T | null {
  if (!history?.length) return null;
  let found: T = history[0]!;
  for (const h of history) if (h.effectiveFrom < cycleEnd) found = h;
  return found;
}

const verdictMarginMs = () => env().RECONCILE_VERDICT_MARGIN_SECONDS * 1000;

/**
 * The moment the connection's Dev Dashboard log was last read as of: every read counts, one with
 * no rows too; a file is dated by its export, a sandbox read by its start (reconcile.ts).
 */
async function lastLogRead(connectionId: string): Promise<Date | null> {
  const row = await db().platformLogRead.aggregate({ where: { connectionId }, _max: { asOf: true } });
  return row._max.asOf ?? null;
}

type LateRow = { cycle: string; handle: string; in_window: boolean; billable: string; pending: string; expected: string; expected_count: bigint };

/**
 * Events of each cycle that a platform read at `read` could not have counted for sure: accepted at
 * or after `read − margin`, or not accepted yet (queued, sending, retrying, outcome unknown).
 * `in_window`: accepted within the margin before the read. Sums per meter of what our usage
 * counts (billable, pending) and of what we expect to be billable (the platform's verdict, else ours).
 * Read by the accepted-at index from the earliest cut, not by scanning every cycle's events.
 */
async function lateEvents(tx: Tx, connectionId: string, cuts: { id: string; subject: string; s: Date; e: Date; read: Date; cut: Date }[]): Promise<LateRow[]> {
  if (!cuts.length) return [];
  const earliest = new Date(Math.min(...cuts.map((c) => c.cut.getTime())));
  const c = Prisma.sql`${connectionId}::uuid`;
  return tx.$queryRaw<LateRow[]>`
    WITH cyc AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(cuts)}::jsonb) AS x(id uuid, subject uuid, s timestamptz, e timestamptz, read timestamptz, cut timestamptz)
    ), late AS (
      SELECT id, shop_id, handle, occurred_at, accepted_at, state, platform_verdict, predicted_verdict, quantity FROM billing_events
      WHERE connection_id = ${c} AND accepted_at >= ${earliest} AND kind = 'shopify_usage' AND NOT superseded
      UNION ALL
      SELECT id, shop_id, handle, occurred_at, accepted_at, state, platform_verdict, predicted_verdict, quantity FROM billing_events
      WHERE connection_id = ${c} AND state IN ('queued', 'sending', 'retrying', 'outcome_unknown') AND kind = 'shopify_usage' AND NOT superseded
    )
    SELECT cyc.id::text AS cycle, l.handle, COALESCE(l.accepted_at < cyc.read, false) AS in_window,
      COALESCE(sum(l.quantity) FILTER (WHERE rollup_outcome(l.state, l.platform_verdict) = 'billable'), 0)::text AS billable,
      COALESCE(sum(l.quantity) FILTER (WHERE rollup_outcome(l.state, l.platform_verdict) = 'pending'), 0)::text AS pending,
      COALESCE(sum(l.quantity) FILTER (WHERE COALESCE(l.platform_verdict, l.predicted_verdict) = 'billable'), 0)::text AS expected,
      count(*) FILTER (WHERE COALESCE(l.platform_verdict, l.predicted_verdict) = 'billable') AS expected_count
    FROM cyc JOIN late l ON l.shop_id = cyc.subject AND l.occurred_at >= cyc.s AND l.occurred_at < cyc.e AND (l.accepted_at IS NULL OR l.accepted_at >= cyc.cut)
    GROUP BY 1, 2, 3`;
}

/**
 * Each cycle's meters: our billable units priced with the cycle's plan, beside the platform's
 * stored figures and its charges, compared as of the platform's read. The read is the cycle's
 * Partner API usage figure (fetched-at), else the Dev Dashboard log; for an ended cycle whose
 * charges were read past its end, that read. What was sent after it is in flight, not ours yet.
 */
async function computeMeters(connectionId: string, runAt: Date) {
  const cycles = await db().reconcileCycle.findMany({ where: { connectionId } });
  if (!cycles.length) return;
  const [figures, shops, plans, charges, connection, logReadAt, prices] = await Promise.all([
    db().platformFigure.findMany({ where: { connectionId, source: "partner_api_usage" } }),
    db().shop.findMany({ where: { connectionId }, select: { id: true, isDevStore: true } }),
    db().plan.findMany({ where: { connectionId }, include: { meters: true } }),
    // A usage charge posts at its cycle's end (or at a cancellation inside it), a recurring one at its start.
    db().$queryRaw<ChargeRow[]>`
      SELECT c.subject_id::text, c.cycle_start, pe.payload->>'chargeId' AS charge_id, pe.event_type AS type, pe.occurred_at AS at,
        pe.payload->>'usageQuantity' AS units, pe.payload->'amount'->>'amount' AS amount, pe.payload->'amount'->>'currencyCode' AS currency,
        pe.payload->>'description' AS description, pe.payload->>'planHandle' AS plan_handle
      FROM reconcile_cycles c JOIN shops s ON s.id = c.subject_id
      JOIN shopify_partner_events pe ON pe.connection_id = c.connection_id AND pe.shop_id = s.shop_id
        AND ((pe.event_type = 'CHARGE_USAGE' AND pe.occurred_at > c.cycle_start AND pe.occurred_at <= c.cycle_end)
          OR (pe.event_type = 'CHARGE_RECURRING' AND pe.occurred_at >= c.cycle_start AND pe.occurred_at < c.cycle_end))
      WHERE c.connection_id = ${connectionId}::uuid ORDER BY pe.occurred_at, pe.id`,
    db().connection.findUniqueOrThrow({ where: { id: connectionId } }),
    lastLogRead(connectionId),
    db().meterPrice.findMany({ where: { plan: { connectionId } }, orderBy: [{ effectiveFrom: "asc" }, { id: "asc" }] }),
  ]);
  const pricesBy = groupBy(prices, (p) => `${p.planId}|${p.handle}`);
  const key = (subject: string, start: Date) => `${subject}|${start.getTime()}`;
  const figuresBy = groupBy(figures, (f) => key(f.subjectId, f.cycleStart));
  const chargesBy = groupBy(charges, (c) => key(c.subject_id, c.cycle_start));
  const devStore = new Set(shops.filter((s) => s.isDevStore).map((s) => s.id));
  const planBy = new Map(plans.map((p) => [p.handle, p]));
  // The platform's charges are read through the Partner API's events (discovery's watermark); without Partner API access, the log is all that is read.
  const chargesReadAt = canDiscover(connection) ? connection.discoveryWatermark : logReadAt;
  const margin = verdictMarginMs();
  const readOf = (cycle: (typeof cycles)[number]) => {
    const chargesKnown =
      cycle.cycleEnd <= runAt && !!connection.discoveryWatermark && connection.discoveryWatermark >= cycle.cycleEnd && !devStore.has(cycle.subjectId);
    if (chargesKnown) return { read: connection.discoveryWatermark!, margin: 0 };
    const fetched = (figuresBy.get(key(cycle.subjectId, cycle.cycleStart)) ?? []).map((f) => f.fetchedAt.getTime());
    if (fetched.length) return { read: new Date(Math.min(...fetched)), margin };
    return logReadAt ? { read: logReadAt, margin } : null;
  };
  const reads = new Map(
    cycles.flatMap((cycle) => {
      const r = readOf(cycle);
      return r
        ? [
            [
              cycle.id,
              { id: cycle.id, subject: cycle.subjectId, s: cycle.cycleStart, e: cycle.cycleEnd, read: r.read, cut: new Date(r.read.getTime() - r.margin) },
            ] as const,
          ]
        : [];
    }),
  );
  // The usage and what of it came after each read, in one snapshot: an event accepted meanwhile is in both or in neither.
  const [usage, late] = await db().$transaction(
    async (tx) =>
      [
        await windowUsage(
          Prisma.sql`SELECT subject_id AS id, true AS is_shop, cycle_start AS s, cycle_end AS e FROM reconcile_cycles WHERE connection_id = ${connectionId}::uuid`,
          { connectionId },
          tx,
        ),
        await lateEvents(tx, connectionId, [...reads.values()]),
      ] as const,
    { isolationLevel: "RepeatableRead", timeout: 120_000 },
  );
  const usageBy = groupBy(
    usage.filter((u) => u.kind === "shopify_usage"),
    (u) => key(u.subjectId, u.windowStart),
  );
  const lateBy = groupBy(late, (l) => `${l.cycle}|${l.handle}`);
  const updates: { id: string; meters: CycleMeter[]; charges: CycleCharge[]; platformReadAt: string | null }[] = [];
  const found: {
    kind: "amount_differs" | "charge_differs";
    subjectId: string;
    cycleStart: Date;
    handle: string;
    currency: string;
    ourUnits: string;
    platformUnits: string | null;
    amount: string;
  }[] = [];
  for (const cycle of cycles) {
    const plan = (cycle.planHandle && planBy.get(cycle.planHandle)) || null;
    const rows = usageBy.get(key(cycle.subjectId, cycle.cycleStart)) ?? [];
    const theirs = figuresBy.get(key(cycle.subjectId, cycle.cycleStart)) ?? [];
    const charged: CycleCharge[] = (chargesBy.get(key(cycle.subjectId, cycle.cycleStart)) ?? []).map((c) => ({
      chargeId: c.charge_id,
      type: c.type === "CHARGE_USAGE" ? "usage" : "recurring",
      handle: c.type === "CHARGE_USAGE" ? chargeHandle(c.description, plan?.meters ?? []) : null,
      units: c.units,
      amount: c.amount ?? "0",
      currency: c.currency ?? plan?.currency ?? "USD",
      at: c.at.toISOString(),
    }));
    const usageCharges = charged.filter((c) => c.type === "usage");
    const handles = [
      ...new Set([
        ...(plan?.meters.map((m) => m.handle) ?? []),
        ...rows.map((r) => r.handle),
        ...theirs.map((f) => f.handle),
        ...usageCharges.flatMap((c) => (c.handle ? [c.handle] : [])),
      ]),
    ].sort();
    // The charges are known for an ended cycle once discovery has read the Partner API's events past its end; a dev store is never charged.
    const chargesKnown =
      cycle.cycleEnd <= runAt && !!connection.discoveryWatermark && connection.discoveryWatermark >= cycle.cycleEnd && !devStore.has(cycle.subjectId);
    const read = reads.get(cycle.id);
    const meters: CycleMeter[] = handles.map((handle) => {
      const sum = (outcome: string) =>
        rows.filter((r) => r.handle === handle && r.outcome === outcome).reduce((a, r) => a.plus(toDecimal(r.quantity.toString())), new Decimal(0));
      const late = lateBy.get(`${cycle.id}|${handle}`) ?? [];
      const lateSum = (pick: (l: LateRow) => string, inWindow?: boolean) =>
        late.filter((l) => inWindow === undefined || l.in_window === inWindow).reduce((a, l) => a.plus(toDecimal(pick(l))), new Decimal(0));
      // Priced as the meter stood when the cycle ended (its price history), not at today's price.
      const current = plan?.meters.find((m) => m.handle === handle);
      const meter = current && plan ? (priceWhenEnded(pricesBy.get(`${plan.id}|${handle}`), cycle.cycleEnd) ?? current) : current;
      const figure = theirs.find((f) => f.handle === handle);
      // Ours as of the read: without what was accepted after it; what was accepted just before it counts as far as the platform's figure does.
      const settled = sum("billable").minus(lateSum((l) => l.billable));
      const units = unitsAsOfRead(
        settled,
        lateSum((l) => l.expected, true),
        figure?.units ? toDecimal(figure.units.toFixed()) : null,
      );
      const price = (u: Decimal) =>
        meter
          ? priceMeterUsage(
              {
                handle,
                structure: meter.structure,
                unitPrice: meter.unitPrice.toFixed(),
                includedUnits: meter.includedUnits.toFixed(),
                tiers: meter.tiers ? priceTiersSchema.parse(meter.tiers) : null,
                currency: meter.currency,
              },
              u,
            )
          : null;
      const ourAmount = price(units)?.toFixed() ?? null;
      // In flight: everything we expect billable beyond ours, at the price it adds to the meter.
      const expected = settled.plus(lateSum((l) => l.expected));
      const inFlightUnits = Decimal.max(expected.minus(units), new Decimal(0));
      const windowCounted = units.gt(settled);
      const inFlight: InFlight | null =
        read && !inFlightUnits.isZero()
          ? {
              count: late.filter((l) => !(windowCounted && l.in_window)).reduce((a, l) => a + Number(l.expected_count), 0),
              units: inFlightUnits.toFixed(),
              amount: meter ? price(expected)!.minus(price(units)!).toFixed() : null,
              readAt: read.read.toISOString(),
            }
          : null;
      const mine = usageCharges.filter((c) => c.handle === handle);
      return {
        handle,
        currency: meter?.currency ?? figure?.currency ?? plan?.currency ?? "USD",
        ourUnits: units.toFixed(),
        ourPending: Decimal.max(sum("pending").minus(lateSum((l) => l.pending)), new Decimal(0)).toFixed(),
        ourAmount,
        platformUnits: figure?.units?.toFixed() ?? null,
        platformAmount: figure?.amount?.toFixed() ?? null,
        fetchedAt: figure?.fetchedAt.toISOString() ?? null,
        chargedUnits: mine.length ? mine.reduce((a, c) => a.plus(toDecimal(c.units ?? "0")), new Decimal(0)).toFixed() : chargesKnown ? "0" : null,
        chargedAmount: mine.length ? mine.reduce((a, c) => a.plus(toDecimal(c.amount)), new Decimal(0)).toFixed() : chargesKnown ? "0" : null,
        ...(devStore.has(cycle.subjectId) ? { neverCharged: true } : {}),
        ...(inFlight ? { inFlight } : {}),
      };
    });
    updates.push({ id: cycle.id, meters, charges: charged, platformReadAt: chargesReadAt?.toISOString() ?? null });
    for (const d of meterDifferences(meters)) {
      const m = meters.find((x) => x.handle === d.handle)!;
      found.push({
        kind: "amount_differs",
        subjectId: cycle.subjectId,
        cycleStart: cycle.cycleStart,
        handle: d.handle,
        currency: d.currency,
        ourUnits: m.ourUnits,
        platformUnits: m.platformUnits,
        amount: d.amount.toFixed(),
      });
    }
    if (chargesKnown) {
      for (const m of meters) {
        const diff = chargeDifference(m, minorDigits(m.currency));
        if (diff)
          found.push({
            kind: "charge_differs",
            subjectId: cycle.subjectId,
            cycleStart: cycle.cycleStart,
            handle: m.handle,
            currency: m.currency,
            ourUnits: m.ourUnits,
            platformUnits: m.chargedUnits ?? null,
            amount: diff.toFixed(),
          });
      }
    }
  }
  // One statement per thousand cycles, not one per cycle: a connection has thousands of shops.
  for (let i = 0; i < updates.length; i += 1000) {
    await db().$executeRaw`
      UPDATE reconcile_cycles c SET meters = u.meters, charges = u.charges, platform_read_at = u."platformReadAt", computed_at = ${runAt}
      FROM jsonb_to_recordset(${JSON.stringify(updates.slice(i, i + 1000))}::jsonb) AS u(id uuid, meters jsonb, charges jsonb, "platformReadAt" timestamptz) WHERE c.id = u.id`;
  }
  await storeDifferences(
    connectionId,
    found.map((f) => ({ ...f, key: `${f.kind === "charge_differs" ? "charge" : "meter"}:${f.handle}` })),
    runAt,
  );
}

/**
 * What a cycle's sign-off is about: its meters (not when their figures were read, nor what is in
 * flight after the read; a charge not
 * read yet is left out, so cycles signed before charges were compared keep their fingerprint) and
 * the differences still open, as a fingerprint.
 */
export function cycleFingerprint(meters: readonly CycleMeter[], openKeys: string[]) {
  const signed = meters.map(({ fetchedAt: _f, neverCharged: _n, inFlight: _i, carriedAmount: _c, chargedUnits, chargedAmount, ...m }) => ({
    ...m,
    ...(chargedUnits != null ? { chargedUnits } : {}),
    ...(chargedAmount != null ? { chargedAmount } : {}),
  }));
  return createHash("sha256")
    .update(canonicalJson({ meters: signed, open: [...openKeys].sort() }))
    .digest("hex");
}

async function settleCycles(connectionId: string, runAt: Date) {
  const cycles = await db().reconcileCycle.findMany({ where: { connectionId } });
  const open = await db().reconcileDifference.findMany({
    where: { connectionId, state: "open" },
    select: { subjectId: true, cycleStart: true, kind: true, key: true },
  });
  const openBy = groupBy(open, (d) => `${d.subjectId}|${d.cycleStart.getTime()}`);
  const changes = groupBy(await logChangesSinceClose(connectionId), (c) => c.cycle);
  const updates = cycles.map((cycle) => {
    const keys = (openBy.get(`${cycle.subjectId}|${cycle.cycleStart.getTime()}`) ?? []).map((d) => `${d.kind}:${d.key}`);
    const fingerprint = cycleFingerprint(cycle.meters as CycleMeter[], keys);
    const closed = cycle.state === "closed" || cycle.state === "closed_with_gap";
    // A signed-off cycle stays closed while its figures are the ones signed and no read of the
    // platform's log has said something else for one of its rows since; any change reopens it.
    const changed = changes.get(cycle.id) ?? [];
    const stays = closed && cycle.closedFingerprint === fingerprint && !changed.length;
    const reopen = closed && !stays;
    return {
      id: cycle.id,
      open: keys.length,
      fingerprint,
      state: stays ? cycle.state : keys.length ? "open" : "balanced",
      reopen,
      reason: reopen ? reopenReason(changed) : null,
      before: { state: cycle.state, closedBy: cycle.closedByEmail, closedAt: cycle.closedAt },
    };
  });
  for (let i = 0; i < updates.length; i += 1000) {
    await db().$executeRaw`
      UPDATE reconcile_cycles c SET open_count = u.open, fingerprint = u.fingerprint, state = u.state::"CycleState",
        reopened_at = CASE WHEN u.reopen THEN ${runAt} ELSE c.reopened_at END,
        reopen_reason = CASE WHEN u.reopen THEN u.reason ELSE c.reopen_reason END
      FROM jsonb_to_recordset(${JSON.stringify(updates.slice(i, i + 1000))}::jsonb) AS u(id uuid, open int, fingerprint text, state text, reopen boolean, reason text)
      WHERE c.id = u.id`;
  }
  const reopened = updates.filter((u) => u.reopen);
  if (reopened.length)
    await db().$transaction(async (tx) => {
      for (const u of reopened)
        await recordAudit(tx, null, {
          action: "reconcile.cycle_reopened",
          entityType: "reconcile_cycle",
          entityId: u.id,
          before: u.before,
          after: { state: u.state, reason: u.reason, openDifferences: u.open },
        });
    });
}

type LogChange = { cycle: string; key: string; source: string; says: string; prior_source: string | null; prior_verdict: string | null };

/**
 * Rows of signed-off cycles that a read of the platform's log has contradicted since the sign-off
 * (platform_log_entries.changed_at: another verdict, code or quantity; a read that only restates a
 * row, from whichever source, is none). A row belongs to a cycle through our event with its key,
 * else through its shop and time.
 */
async function logChangesSinceClose(connectionId: string) {
  return db().$queryRaw<LogChange[]>`
    SELECT c.id::text AS cycle, l.idempotency_key AS key, l.source::text AS source,
      l.verdict::text || COALESCE(' ' || l.code, '') || COALESCE(' × ' || trim_scale(l.quantity)::text, '') AS says, l.prior_source::text AS prior_source, l.prior_verdict
    FROM reconcile_cycles c JOIN shops s ON s.id = c.subject_id
    JOIN platform_log_entries l ON l.connection_id = c.connection_id AND l.changed_at > c.closed_at
    WHERE c.connection_id = ${connectionId}::uuid AND c.state IN ('closed', 'closed_with_gap')
      AND (EXISTS (SELECT 1 FROM billing_events e WHERE e.connection_id = c.connection_id AND e.idempotency_key = l.idempotency_key
          AND e.shop_id = c.subject_id AND e.occurred_at >= c.cycle_start AND e.occurred_at < c.cycle_end)
        OR (l.shop_ref IN (s.shop_id, s.domain, 'gid://shopify/Shop/' || s.shop_id) AND l.occurred_at >= c.cycle_start AND l.occurred_at < c.cycle_end))
    ORDER BY l.changed_at, l.id`;
}

/** Why a signed-off cycle reopened, in a sentence that names where the change came from. */
function reopenReason(changed: readonly LogChange[]): string {
  const label = (source: string | null) => (source ? (VERDICT_SOURCE_LABEL[source] ?? source) : "the platform");
  const [first] = changed;
  if (!first) return "Its figures or open differences changed since it was signed off.";
  const more = changed.length > 1 ? ` (and ${changed.length - 1} more row${changed.length === 2 ? "" : "s"})` : "";
  return `${upperFirst(label(first.source))} now says ${first.says} for ${first.key}, where ${label(first.prior_source)} said ${first.prior_verdict ?? "otherwise"}${more}.`;
}

const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
