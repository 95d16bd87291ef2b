import { Decimal, toDecimal } from "../domain/money";
import type { Period } from "../domain/periods";
import { db, Prisma, type PrismaClient, type Tx } from "./client";

/**
 * Wix usage as the ledger holds it: wix_usage events of one instance, priced in a currency. An
 * event keeps the amount it was priced at when it was recorded (its instance's currency); usage
 * in another currency, or recorded before the kind had a price, is priced from the connection's
 * price list now. Usage with no price in that currency cannot be charged and is counted apart.
 */
type Client = PrismaClient | Tx;

/** The priced amount of event `e` in `currency`, with `p` the price-list row of its kind in that currency (null: no price). */
export const pricedAmountSql = (currency: string) =>
  Prisma.sql`(CASE WHEN e.currency = ${currency} AND e.amount IS NOT NULL THEN e.amount WHEN p.unit_price IS NOT NULL THEN e.quantity * p.unit_price END)`;

export type KindUsage = { kind: string; description: string; quantity: Decimal; amount: Decimal; unpricedQuantity: Decimal; events: number };

/**
 * Usage of [period.start, period.end) that Wix has not invoiced yet (no platform verdict), per kind.
 * `upToEventId` limits it to the events an earlier answer read.
 */
export async function unbilledUsage(
  client: Client,
  { instanceRowId, currency, period, upToEventId }: { instanceRowId: string; currency: string; period: Period; upToEventId?: bigint | null },
): Promise<{ kinds: KindUsage[]; lastEventId: bigint | null }> {
  const rows = await client.$queryRaw<
    {
      kind: string;
      description: string | null;
      quantity: Prisma.Decimal | null;
      amount: Prisma.Decimal | null;
      unpriced: Prisma.Decimal | null;
      events: bigint;
      last_id: bigint;
    }[]
  >`
    SELECT e.handle AS kind, max(p.description) AS description, sum(e.quantity) AS quantity,
      sum(${pricedAmountSql(currency)}) AS amount,
      sum(e.quantity) FILTER (WHERE ${pricedAmountSql(currency)} IS NULL) AS unpriced,
      count(*) AS events, max(e.id) AS last_id
    FROM billing_events e
    LEFT JOIN wix_price_items p ON p.connection_id = e.connection_id AND p.kind = e.handle AND p.currency = ${currency}
    WHERE e.wix_instance_id = ${instanceRowId}::uuid AND e.kind = 'wix_usage'
      AND e.occurred_at >= ${period.start} AND e.occurred_at < ${period.end}
      AND e.platform_verdict IS NULL
      ${upToEventId != null ? Prisma.sql`AND e.id <= ${upToEventId}` : Prisma.empty}
    GROUP BY e.handle
    ORDER BY e.handle`;
  let lastEventId: bigint | null = null;
  for (const r of rows) if (lastEventId === null || r.last_id > lastEventId) lastEventId = r.last_id;
  return {
    lastEventId,
    kinds: rows.map((r) => ({
      kind: r.kind,
      description: r.description ?? r.kind,
      quantity: toDecimal(r.quantity?.toString() ?? "0"),
      amount: toDecimal(r.amount?.toString() ?? "0"),
      unpricedQuantity: toDecimal(r.unpriced?.toString() ?? "0"),
      events: Number(r.events),
    })),
  };
}

/** The newest event id of the ledger: an answer with no usage still reads "up to here". */
export async function lastEventId(client: Client): Promise<bigint | null> {
  const [row] = await client.$queryRaw<{ id: bigint | null }[]>`SELECT max(id) AS id FROM billing_events`;
  return row?.id ?? null;
}

/**
 * Priced usage of each instance's current cycle [cycleStart, cycleEnd), in the instance's
 * currency, whatever Wix made of it: what the charge-limit gauge and the alerts compare with the limit.
 */
export async function cycleUsage(instanceRowIds: string[], client: Client = db()): Promise<Map<string, Decimal>> {
  if (!instanceRowIds.length) return new Map();
  const rows = await client.$queryRaw<{ id: string; used: Prisma.Decimal | null }[]>`
    SELECT i.id::text AS id, sum(e.amount) AS used
    FROM wix_instances i
    JOIN billing_events e ON e.wix_instance_id = i.id AND e.kind = 'wix_usage' AND e.amount IS NOT NULL AND e.currency = i.currency
      AND e.occurred_at >= i.cycle_start AND e.occurred_at < i.cycle_end
    WHERE i.id = ANY(${instanceRowIds}::uuid[]) AND i.cycle_start IS NOT NULL AND i.cycle_end IS NOT NULL
    GROUP BY i.id`;
  const used = new Map(instanceRowIds.map((id) => [id, new Decimal(0)]));
  for (const r of rows) used.set(r.id, toDecimal(r.used?.toString() ?? "0"));
  return used;
}
