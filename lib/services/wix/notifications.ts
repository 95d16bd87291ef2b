import { sha256 } from "../../crypto";
import { db, Prisma, type Tx } from "../../db/client";
import type { Connection } from "../../generated/prisma/client";
import { Decimal, toMinorString } from "../../domain/money";
import { assertWixChargeCurrency } from "../../domain/wix-charges";
import { cycleStartingAt, type WixCycleRequest } from "../../domain/wix-cycles";
import { lockInstance } from "./charges";
import { applyInvoiceVerdicts } from "./invoice-verdicts";

/**
 * What Wix tells the provider (docs/platforms/wix.md §5.3): the initial charge limit it asks for, raises of the
 * limit, rejected charges and usages, and invoices. Each is recorded under a lock on the instance,
 * in one transaction; an invoice's billed amounts then become Wix's verdict on the ledger events
 * they bill.
 */
export class PluginRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Meta = { requestId?: string | null };

/**
 * The instance row for a Wix instance id, created when Wix names one the product has not seen yet.
 * `pending`: created waiting for its App Instance API lookup (a service-plugin call), which
 * `lookUpPendingInstances` then makes.
 */
export async function ensureInstance(connection: Connection, instanceId: string, currency: string, opts: { pending?: boolean } = {}): Promise<string> {
  const row = await db().wixInstance.upsert({
    where: { connectionId_instanceId: { connectionId: connection.id, instanceId } },
    update: {},
    create: {
      connectionId: connection.id,
      instanceId,
      siteName: `Wix site ${instanceId.slice(0, 8)}`,
      currency: currency.slice(0, 3).toUpperCase(),
      ...(opts.pending ? { lookupState: "pending" as const } : {}),
    },
    select: { id: true },
  });
  return row.id;
}

/** Get Charge Limit (an upgrade): the instance's override, else the connection's default, in the request currency. */
export async function answerChargeLimit(
  instanceRowId: string,
  request: { subscriptionId?: string | null; currency: string; cycle?: WixCycleRequest },
  meta: Meta,
  now: Date,
): Promise<{ chargeLimit: string }> {
  const currency = assertWixChargeCurrency(request.currency);
  return db().$transaction(async (tx) => {
    const instance = await lockInstance(tx, instanceRowId);
    // The same call delivered again (same request id) gets the same answer and moves nothing.
    if (meta.requestId && instance.chargeLimit) {
      const seen = await tx.wixLimitChange.findFirst({
        where: { wixInstanceId: instance.id, source: "initial", requestId: meta.requestId },
        select: { chargeLimit: true },
      });
      if (seen) return { chargeLimit: toMinorString(seen.chargeLimit.toString(), currency) };
    }
    const configured = instance.initialChargeLimit ?? instance.connection.defaultChargeLimit;
    const answer = configured ? toMinorString(configured.toString(), currency) : null;
    if (!answer || new Decimal(answer).lte(0)) {
      throw new PluginRequestError(
        "CHARGE_LIMIT_NOT_CONFIGURED",
        "No initial charge limit is configured for this instance or its connection (Shops & instances → Wix billing settings).",
        500,
      );
    }
    const cycle = cycleStartingAt(now, request.cycle);
    await tx.wixInstance.update({
      where: { id: instance.id },
      data: {
        chargeLimit: answer,
        currency,
        subscriptionId: request.subscriptionId ?? instance.subscriptionId,
        cycleStart: cycle.start,
        cycleEnd: cycle.end,
        installState: "installed",
        uninstalledAt: null,
      },
    });
    await tx.wixLimitChange.create({
      data: {
        wixInstanceId: instance.id,
        source: "initial",
        previousLimit: instance.chargeLimit,
        chargeLimit: answer,
        currency,
        subscriptionId: request.subscriptionId ?? null,
        requestId: meta.requestId ?? null,
      },
    });
    return { chargeLimit: answer };
  });
}

/** Charge Limit Updated: the site owner raised the limit. */
export async function recordLimitUpdate(
  instanceRowId: string,
  request: { subscriptionId?: string | null; currency: string; chargeLimit: string },
  meta: Meta,
): Promise<void> {
  await db().$transaction(async (tx) => {
    const instance = await lockInstance(tx, instanceRowId);
    await setLimit(tx, instance, {
      limit: request.chargeLimit,
      currency: request.currency,
      source: "raised",
      subscriptionId: request.subscriptionId,
      requestId: meta.requestId,
    });
  });
}

async function setLimit(
  tx: Tx,
  instance: { id: string; chargeLimit: Prisma.Decimal | null; subscriptionId: string | null },
  {
    limit,
    currency,
    source,
    subscriptionId,
    requestId,
  }: { limit: string; currency: string; source: "raised" | "rejection"; subscriptionId?: string | null; requestId?: string | null },
) {
  if (instance.chargeLimit && instance.chargeLimit.eq(limit)) return;
  await tx.wixInstance.update({ where: { id: instance.id }, data: { chargeLimit: limit, subscriptionId: subscriptionId ?? instance.subscriptionId } });
  await tx.wixLimitChange.create({
    data: {
      wixInstanceId: instance.id,
      source,
      previousLimit: instance.chargeLimit,
      chargeLimit: limit,
      currency: currency.slice(0, 3).toUpperCase(),
      subscriptionId: subscriptionId ?? null,
      requestId: requestId ?? null,
    },
  });
}

/**
 * Charges Rejected: no invoice was created and Wix will ask again. The charges are marked (their
 * ids are never proposed again) and the limit Wix names is adopted, so the next answer fits it.
 * Wix refuses a List Charges answer whole; when it names no charge ids (the SDK types chargeIds as
 * nullable), the rejected ones are the charges still proposed for a period not yet invoiced.
 */
export async function recordChargesRejected(
  instanceRowId: string,
  request: { subscriptionId?: string | null; currency: string; chargeIds: string[]; chargeLimit?: string | null; reasons: string[] },
  meta: Meta,
): Promise<void> {
  await db().$transaction(async (tx) => {
    const instance = await lockInstance(tx, instanceRowId);
    // The same notification delivered again (Wix retries) is recorded once: its charge ids are never proposed twice.
    const fingerprint = `charges:${sha256(JSON.stringify([[...request.chargeIds].sort(), request.chargeLimit ?? null, [...request.reasons].sort(), request.subscriptionId ?? null]))}`;
    if (await tx.wixRejection.findUnique({ where: { wixInstanceId_fingerprint: { wixInstanceId: instance.id, fingerprint } }, select: { id: true } })) return;
    const charges = await tx.wixCharge.findMany({
      where: request.chargeIds.length
        ? { wixInstanceId: instance.id, chargeId: { in: request.chargeIds } }
        : { wixInstanceId: instance.id, status: "proposed", period: { status: "proposed" } },
      select: { id: true, periodId: true },
    });
    await tx.wixCharge.updateMany({ where: { id: { in: charges.map((c) => c.id) } }, data: { status: "rejected", rejectionReasons: request.reasons } });
    await tx.wixBillingPeriod.updateMany({
      where: { id: { in: [...new Set(charges.map((c) => c.periodId))] }, status: { not: "invoiced" } },
      data: { status: "rejected" },
    });
    await tx.wixRejection.create({
      data: {
        wixInstanceId: instance.id,
        kind: "charges",
        currency: request.currency.slice(0, 3).toUpperCase(),
        subscriptionId: request.subscriptionId ?? null,
        chargeLimit: request.chargeLimit ?? null,
        reasons: request.reasons,
        chargeIds: request.chargeIds,
        requestId: meta.requestId ?? null,
        fingerprint,
      },
    });
    if (request.chargeLimit)
      await setLimit(tx, instance, {
        limit: request.chargeLimit,
        currency: request.currency,
        source: "rejection",
        subscriptionId: request.subscriptionId,
        requestId: meta.requestId,
      });
  });
}

/** Usages Rejected: recorded with its line items (the product bills through List Charges, not counters). */
export async function recordUsagesRejected(
  instanceRowId: string,
  request: { subscriptionId?: string | null; currency: string; usageLineItems: unknown[]; chargeLimit?: string | null; reasons: string[] },
  meta: Meta,
): Promise<void> {
  await db().$transaction(async (tx) => {
    const instance = await lockInstance(tx, instanceRowId);
    // Usage lines can repeat from cycle to cycle, so Wix's request id tells a redelivery apart when it sends one.
    const fingerprint = `usages:${meta.requestId ? `request:${meta.requestId}` : sha256(JSON.stringify([request.usageLineItems, request.chargeLimit ?? null, request.reasons, request.subscriptionId ?? null]))}`;
    if (await tx.wixRejection.findUnique({ where: { wixInstanceId_fingerprint: { wixInstanceId: instance.id, fingerprint } }, select: { id: true } })) return;
    await tx.wixRejection.create({
      data: {
        fingerprint,
        wixInstanceId: instance.id,
        kind: "usages",
        currency: request.currency.slice(0, 3).toUpperCase(),
        subscriptionId: request.subscriptionId ?? null,
        chargeLimit: request.chargeLimit ?? null,
        reasons: request.reasons,
        usageLines: request.usageLineItems as Prisma.InputJsonValue,
        requestId: meta.requestId ?? null,
      },
    });
    if (request.chargeLimit)
      await setLimit(tx, instance, {
        limit: request.chargeLimit,
        currency: request.currency,
        source: "rejection",
        subscriptionId: request.subscriptionId,
        requestId: meta.requestId,
      });
  });
}

const NO_CHARGE_ID = "(no charge id)";

export type InvoiceOutcome = {
  invoiceRowId: string;
  duplicate: boolean;
  matched: number;
  unmatched: string[];
  verdicts: { billable: number; notBilled: number };
};

/**
 * Invoice Created: the invoice and its lines, each matched to our charge by id; matched charges
 * become invoiced, and their periods. A repeated notification changes nothing but still finishes
 * the verdicts (they are set only where none is yet).
 */
export async function recordInvoiceCreated(
  instanceRowId: string,
  request: {
    subscriptionId?: string | null;
    currency: string;
    invoiceId: string;
    lineItems: { chargeId?: string | null; amount: string; id?: string | null }[];
  },
  meta: Meta,
): Promise<InvoiceOutcome> {
  const { invoiceRowId, duplicate, periodIds, matched, unmatched } = await db().$transaction(async (tx) => {
    const instance = await lockInstance(tx, instanceRowId);
    const known = await tx.wixInvoice.findUnique({
      where: { wixInstanceId_invoiceId: { wixInstanceId: instance.id, invoiceId: request.invoiceId } },
      include: { charges: { select: { periodId: true } }, lines: true },
    });
    if (known) {
      return {
        invoiceRowId: known.id,
        duplicate: true,
        periodIds: [...new Set(known.charges.map((c) => c.periodId))],
        matched: known.lines.filter((l) => l.wixChargeRowId).length,
        unmatched: known.lines.filter((l) => !l.wixChargeRowId).map((l) => l.chargeId ?? NO_CHARGE_ID),
      };
    }
    const currency = request.currency.slice(0, 3).toUpperCase();
    const total = request.lineItems.reduce((s, l) => s.plus(l.amount), new Decimal(0));
    const invoice = await tx.wixInvoice.create({
      data: {
        wixInstanceId: instance.id,
        invoiceId: request.invoiceId,
        subscriptionId: request.subscriptionId ?? null,
        currency,
        total: total.toFixed(),
        requestId: meta.requestId ?? null,
      },
    });
    const named = request.lineItems.flatMap((l) => (l.chargeId ? [l.chargeId] : []));
    const charges = await tx.wixCharge.findMany({ where: { wixInstanceId: instance.id, chargeId: { in: named } } });
    const byId = new Map(charges.map((c) => [c.chargeId, c]));
    const unmatchedIds: string[] = [];
    for (const [n, line] of request.lineItems.entries()) {
      // A line without a charge id (the SDK types it nullable) is kept on the invoice, matched to none of our charges.
      const charge = line.chargeId ? byId.get(line.chargeId) : undefined;
      await tx.wixInvoiceLine.create({
        data: {
          invoiceRowId: invoice.id,
          lineId: line.id ?? `line-${n + 1}`,
          chargeId: line.chargeId ?? null,
          amount: line.amount,
          wixChargeRowId: charge?.id ?? null,
        },
      });
      if (charge) await tx.wixCharge.update({ where: { id: charge.id }, data: { status: "invoiced", invoiceId: invoice.id, invoicedAmount: line.amount } });
      else unmatchedIds.push(line.chargeId ?? NO_CHARGE_ID);
    }
    const periods = [...new Set(charges.map((c) => c.periodId))];
    for (const periodId of periods) {
      const sum = await tx.wixCharge.aggregate({ _sum: { invoicedAmount: true }, where: { periodId, status: "invoiced" } });
      await tx.wixBillingPeriod.update({ where: { id: periodId }, data: { status: "invoiced", invoicedAmount: sum._sum.invoicedAmount ?? "0" } });
    }
    return { invoiceRowId: invoice.id, duplicate: false, periodIds: periods, matched: charges.length, unmatched: unmatchedIds };
  });
  const verdicts = { billable: 0, notBilled: 0 };
  for (const periodId of periodIds) {
    const n = await applyInvoiceVerdicts(periodId, request.invoiceId);
    verdicts.billable += n.billable;
    verdicts.notBilled += n.notBilled;
  }
  return { invoiceRowId, duplicate, matched, unmatched, verdicts };
}
