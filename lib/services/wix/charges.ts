import { lastEventId as newestEventId, unbilledUsage, type KindUsage } from "../../db/wix-usage";
import { db, type PrismaClient, type Tx } from "../../db/client";
import type { Prisma } from "../../generated/prisma/client";
import type { Connection, WixInstance } from "../../generated/prisma/client";
import { Decimal, toDecimal } from "../../domain/money";
import type { Period } from "../../domain/periods";
import { assertWixChargeCurrency, buildListChargesResponse, type ListChargesResult, type WixCharge } from "../../domain/wix-charges";
import { cycleAfterInvoicePeriod } from "../../domain/wix-cycles";

/**
 * List Charges (docs/platforms/wix.md §5.3): the instance's usage in [periodStart, periodEnd) that Wix has not
 * invoiced yet, priced by the connection's price list in the request currency, turned into at most
 * 5 charges under the remaining charge limit (lib/domain/wix-charges.ts). DISPLAY_ONLY writes
 * nothing; CREATE_INVOICE records the period, each proposed charge and what was carried, and
 * moves the instance to its next cycle.
 *
 * Carried usage stays in its own period (Wix forbids charging usage outside an invoice's period,
 * seed 003). It is proposed whenever Wix asks again for a period that contains it: every preview,
 * the end-of-cycle invoice (so a limit raised before the cycle ends bills it all), and Wix's
 * retries of a period it rejected. Once Wix has invoiced the period, what was carried is recorded
 * on the period and on its events (not billed: over the limit, below the 0.50 minimum, no price),
 * and never moved into a later period's invoice.
 */
type Client = PrismaClient | Tx;
/** `counter`: usage with no price of ours that a List Usages counter reported to Wix for this period (Wix prices it). */
export type CarriedLine = { kind: string; amount: string; reason: "charge_limit" | "below_minimum" | "minor_unit" | "no_price" | "counter"; quantity?: string };

export type ChargesComputation = {
  currency: string;
  period: Period;
  /** The limit the answer keeps to (null: none known, so nothing can be charged). */
  chargeLimit: Decimal | null;
  alreadyCharged: Decimal;
  usage: KindUsage[];
  usageTotal: Decimal;
  result: ListChargesResult;
  carried: CarriedLine[];
  carriedTotal: Decimal;
  lastEventId: bigint | null;
};

type InstanceWithConnection = WixInstance & { connection: Pick<Connection, "defaultChargeLimit"> };

/** The limit in force: the one Wix knows (set on Get Charge Limit, raised since), else the one we would answer. */
export function effectiveChargeLimit(instance: InstanceWithConnection): Decimal | null {
  const limit = instance.chargeLimit ?? instance.initialChargeLimit ?? instance.connection.defaultChargeLimit;
  return limit && limit.gt(0) ? toDecimal(limit.toString()) : null;
}

const quantityText = (q: Decimal) => (q.isInteger() ? Number(q.toFixed()).toLocaleString("en-US") : q.toFixed());

async function computeCharges(
  client: Client,
  instance: InstanceWithConnection,
  { currency: requested, period }: { currency: string; period: Period },
): Promise<ChargesComputation> {
  const currency = assertWixChargeCurrency(requested);
  const [{ kinds, lastEventId }, charged, used] = await Promise.all([
    unbilledUsage(client, { instanceRowId: instance.id, currency, period }),
    client.wixCharge.aggregate({
      _sum: { invoicedAmount: true },
      where: { wixInstanceId: instance.id, status: "invoiced", currency, period: { periodStart: { lt: period.end }, periodEnd: { gt: period.start } } },
    }),
    client.wixCharge.findMany({ where: { wixInstanceId: instance.id, status: { in: ["invoiced", "rejected"] } }, select: { chargeId: true } }),
  ]);
  const chargeLimit = effectiveChargeLimit(instance);
  const alreadyCharged = toDecimal(charged._sum.invoicedAmount?.toString() ?? "0");
  const result = buildListChargesResponse({
    instanceId: instance.instanceId,
    currency,
    period,
    lines: kinds
      .filter((k) => k.amount.gt(0))
      .map((k) => ({
        kind: k.kind,
        description: `${quantityText(k.quantity.minus(k.unpricedQuantity))} × ${k.description}`,
        quantity: k.quantity.toFixed(),
        amount: k.amount,
      })),
    chargeLimit: chargeLimit ?? "0",
    alreadyCharged,
    // An id Wix rejected or already invoiced is never proposed again: the next revision is.
    rejectedChargeIds: used.map((c) => c.chargeId),
  });
  const carried: CarriedLine[] = [
    ...result.carried.map((c) => ({ kind: c.kind, amount: c.amount.toFixed(), reason: c.reason })),
    ...kinds
      .filter((k) => k.unpricedQuantity.gt(0))
      .map((k) => ({ kind: k.kind, amount: "0", quantity: k.unpricedQuantity.toFixed(), reason: "no_price" as const })),
  ];
  return {
    currency,
    period,
    chargeLimit,
    alreadyCharged,
    usage: kinds,
    result,
    carried,
    lastEventId,
    usageTotal: kinds.reduce((s, k) => s.plus(k.amount), new Decimal(0)),
    carriedTotal: result.carried.reduce((s, c) => s.plus(c.amount), new Decimal(0)),
  };
}

/** What Wix receives: the documented fields only. */
export const toWire = (charges: WixCharge[]) => charges.map(({ id, description, amount, usagePeriod }) => ({ id, description, amount, usagePeriod }));

/** DISPLAY_ONLY: the same answer an invoice would get now; nothing is written. */
export async function previewCharges(instance: InstanceWithConnection, input: { currency: string; period: Period }): Promise<ChargesComputation> {
  return computeCharges(db(), instance, input);
}

/**
 * CREATE_INVOICE: computes the answer under a lock on the instance (one answer at a time), and
 * records it with the period, its charges and the instance's next cycle, in one transaction.
 */
export async function proposeInvoiceCharges(
  instanceRowId: string,
  input: { currency: string; period: Period; subscriptionId?: string | null; requestId?: string | null },
): Promise<ChargesComputation> {
  return db().$transaction(
    async (tx) => {
      const instance = await lockInstance(tx, instanceRowId);
      const computed = await computeCharges(tx, instance, input);
      const { result, period } = computed;
      const status = result.charges.length ? "proposed" : "no_charges";
      const upTo = computed.lastEventId ?? (await newestEventId(tx));
      const fields = {
        currency: computed.currency,
        subscriptionId: input.subscriptionId ?? instance.subscriptionId,
        status,
        chargeLimit: (computed.chargeLimit ?? new Decimal(0)).toFixed(),
        alreadyCharged: computed.alreadyCharged.toFixed(),
        usageAmount: computed.usageTotal.toFixed(),
        proposedAmount: result.total.toFixed(),
        carriedAmount: computed.carriedTotal.toFixed(),
        carried: computed.carried as Prisma.InputJsonValue,
        lastEventId: upTo,
        lastRequestId: input.requestId ?? null,
      } as const;
      const row = await tx.wixBillingPeriod.upsert({
        where: { wixInstanceId_periodStart_periodEnd: { wixInstanceId: instance.id, periodStart: period.start, periodEnd: period.end } },
        create: { wixInstanceId: instance.id, periodStart: period.start, periodEnd: period.end, ...fields },
        update: { ...fields, attempts: { increment: 1 } },
      });
      for (const charge of result.charges) {
        const lines = result.allocations.filter((a) => a.chargeId === charge.id).map((a) => ({ kind: a.kind, amount: a.amount.toFixed() }));
        const data = {
          periodId: row.id,
          description: charge.description,
          amount: charge.amount,
          currency: computed.currency,
          lines,
          status: "proposed" as const,
          rejectionReasons: [],
        };
        await tx.wixCharge.upsert({
          where: { wixInstanceId_chargeId: { wixInstanceId: instance.id, chargeId: charge.id } },
          create: { wixInstanceId: instance.id, chargeId: charge.id, ...data },
          update: data,
        });
      }
      await tx.wixCharge.updateMany({
        where: { periodId: row.id, status: "proposed", chargeId: { notIn: result.charges.map((c) => c.id) } },
        data: { status: "withdrawn" },
      });
      const next = cycleAfterInvoicePeriod(period, instance.cycleStart ? { start: instance.cycleStart } : null);
      if (next) await tx.wixInstance.update({ where: { id: instance.id }, data: { cycleStart: next.start, cycleEnd: next.end } });
      return computed;
    },
    { timeout: 60_000 },
  );
}

/** Serialises the service-plugin calls of one instance (SELECT … FOR UPDATE) and returns it fresh. */
export async function lockInstance(tx: Tx, instanceRowId: string): Promise<InstanceWithConnection> {
  await tx.$queryRaw`SELECT id FROM wix_instances WHERE id = ${instanceRowId}::uuid FOR UPDATE`;
  return tx.wixInstance.findUniqueOrThrow({ where: { id: instanceRowId }, include: { connection: { select: { defaultChargeLimit: true } } } });
}

/**
 * List Usages with CREATE_INVOICE (docs/platforms/wix.md §5.3): the kinds whose unpriced usage a counter
 * reported are marked on the period List Charges recorded, so the invoice's verdicts say Wix
 * billed them through its counter instead of "no price". A period not recorded yet, or already
 * invoiced, is left as it is.
 */
export async function markCountedKinds(instanceRowId: string, period: Period, counted: string[]): Promise<void> {
  if (!counted.length) return;
  await db().$transaction(async (tx) => {
    await lockInstance(tx, instanceRowId);
    const row = await tx.wixBillingPeriod.findUnique({
      where: { wixInstanceId_periodStart_periodEnd: { wixInstanceId: instanceRowId, periodStart: period.start, periodEnd: period.end } },
    });
    if (!row || row.status === "invoiced") return;
    const carried = (row.carried as CarriedLine[]).map((c) => (c.reason === "no_price" && counted.includes(c.kind) ? { ...c, reason: "counter" as const } : c));
    await tx.wixBillingPeriod.update({ where: { id: row.id }, data: { carried: carried as Prisma.InputJsonValue } });
  });
}
