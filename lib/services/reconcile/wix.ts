import { db } from "../../db/client";
import { Decimal, toDecimal } from "../../domain/money";
import type { CycleCharge, CycleMeter } from "../../domain/reconcile";

/**
 * Wix side of reconciliation, per instance and billing period: the usage priced in our ledger
 * as of the period's last List Charges answer (Wix's read of it; later usage is in flight)
 * beside what we proposed to Wix, what Wix invoiced, what was carried (over the limit, below the
 * minimum) and the period's outcome (invoiced, rejected and waiting for Wix's retry, no charges). Exact decimals in the instance's currency.
 */
async function wixReconciliation(connectionId: string) {
  const instances = await db().wixInstance.findMany({ where: { connectionId }, orderBy: { siteName: "asc" } });
  const periods = await db().wixBillingPeriod.findMany({ where: { wixInstanceId: { in: instances.map((i) => i.id) } }, orderBy: { periodStart: "desc" } });
  // As of Wix's read: the period's last List Charges answer read the ledger up to last_event_id; usage recorded after it was on
  // none of its charges, so it is in flight (for the next answer, or never billed), not a difference.
  const usage = await db().$queryRaw<
    { instance: string; period_start: Date; ledger: string | null; events: bigint; late: string | null; late_events: bigint }[]
  >`
    SELECT p.wix_instance_id::text AS instance, p.period_start,
      sum(e.amount) FILTER (WHERE p.last_event_id IS NULL OR e.id <= p.last_event_id)::text AS ledger,
      count(e.id) FILTER (WHERE p.last_event_id IS NULL OR e.id <= p.last_event_id) AS events,
      sum(e.amount) FILTER (WHERE e.id > p.last_event_id)::text AS late,
      count(e.id) FILTER (WHERE e.id > p.last_event_id) AS late_events
    FROM wix_billing_periods p
    LEFT JOIN billing_events e ON e.wix_instance_id = p.wix_instance_id AND e.kind = 'wix_usage' AND e.currency = p.currency
      AND e.occurred_at >= p.period_start AND e.occurred_at < p.period_end
    WHERE p.wix_instance_id = ANY(${instances.map((i) => i.id)}::uuid[])
    GROUP BY p.wix_instance_id, p.period_start`;
  const d = (x: string | null | undefined) => new Decimal(x ?? 0);
  return instances.map((inst) => ({
    instance: inst,
    periods: periods
      .filter((p) => p.wixInstanceId === inst.id)
      .map((p) => {
        const u = usage.find((x) => x.instance === inst.id && x.period_start.getTime() === p.periodStart.getTime());
        const ledger = d(u?.ledger);
        const invoiced = p.invoicedAmount ? new Decimal(p.invoicedAmount.toString()) : null;
        const carried = new Decimal(p.carriedAmount.toString());
        return {
          period: p,
          events: Number(u?.events ?? 0),
          /** Recorded after the period's last answer to Wix (its read): count and priced money. */
          late: { events: Number(u?.late_events ?? 0), amount: d(u?.late) },
          ledger,
          proposed: new Decimal(p.proposedAmount.toString()),
          invoiced,
          carried,
        };
      }),
  }));
}

export type FoundDifference = {
  kind: "missing_there" | "missing_here" | "verdict_differs" | "amount_differs" | "charge_differs";
  subjectId: string;
  cycleStart: Date;
  key: string;
  handle: string;
  currency: string;
  amount: string;
  ourUnits?: string | null;
  platformUnits?: string | null;
  ourVerdict?: string | null;
  platformVerdict?: string | null;
  occurredAt?: Date | null;
};

/** Stores differences found by a run (a thousand a statement); one found again keeps its state, a cleared one opens again. */
export async function storeDifferences(connectionId: string, found: readonly FoundDifference[], runAt: Date) {
  for (let i = 0; i < found.length; i += 1000) {
    const rows = found.slice(i, i + 1000).map((f) => ({
      ...f,
      ourUnits: f.ourUnits ?? null,
      platformUnits: f.platformUnits ?? null,
      ourVerdict: f.ourVerdict ?? null,
      platformVerdict: f.platformVerdict ?? null,
      occurredAt: f.occurredAt ?? null,
    }));
    await db().$executeRaw`
      INSERT INTO reconcile_differences AS d (connection_id, subject_id, cycle_start, kind, key, handle, occurred_at, our_units, platform_units, amount, currency, our_verdict, platform_verdict, detected_at, checked_at)
      SELECT ${connectionId}::uuid, f."subjectId", f."cycleStart", f.kind::"DifferenceKind", f.key, f.handle, f."occurredAt", f."ourUnits", f."platformUnits", f.amount, f.currency,
        f."ourVerdict", f."platformVerdict", ${runAt}, ${runAt}
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS f(kind text, "subjectId" uuid, "cycleStart" timestamptz, key text, handle text, "occurredAt" timestamptz,
        "ourUnits" numeric, "platformUnits" numeric, amount numeric, currency text, "ourVerdict" text, "platformVerdict" text)
      ON CONFLICT (connection_id, subject_id, cycle_start, kind, key) DO UPDATE SET
        our_units = EXCLUDED.our_units, platform_units = EXCLUDED.platform_units, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
        our_verdict = EXCLUDED.our_verdict, platform_verdict = EXCLUDED.platform_verdict, checked_at = EXCLUDED.checked_at,
        state = CASE WHEN d.state = 'cleared' THEN 'open'::"DifferenceState" ELSE d.state END,
        detected_at = CASE WHEN d.state = 'cleared' THEN EXCLUDED.detected_at ELSE d.detected_at END`;
  }
}

/** Invoice statuses that mean the money was not (or is no longer) collected (docs/platforms/wix.md §4, §5.4). */
const NOT_COLLECTED = new Set(["PAYMENT_FAILED", "REFUNDED", "CHARGEDBACK"]);

/**
 * The Wix side on the cycle model: each instance's billing periods (the ones Wix asked us to
 * invoice, List Charges with CREATE_INVOICE) become cycles with our ledger's usage beside what we
 * proposed and what Wix invoiced, and the differences with their money:
 * - missing at the platform: a charge Wix refused (Charges Rejected, with its reasons) while its
 *   period waits for Wix's retry; Usages Rejected, with its reasons;
 * - missing here: an invoice line that matches none of our charges;
 * - charged amount differs: a charge Wix invoiced at another amount than we proposed;
 * - verdict differs: an invoice Wix reports as PAYMENT_FAILED, REFUNDED or CHARGEDBACK;
 * - meter total differs: an invoiced period whose ledger usage is neither invoiced nor knowingly
 *   carried (charge limit, minimum, minor units).
 * Reads the database only; run by the worker after each refresh, and before a sign-off. What each
 * call means for reconciliation: docs/platforms/wix.md §5.4.
 */
export async function detectWixDifferences(connectionId: string, runAt: Date) {
  await db().$executeRaw`
    INSERT INTO reconcile_cycles (id, connection_id, subject_id, subject_label, cycle_start, cycle_end)
    SELECT DISTINCT ON (p.wix_instance_id, p.period_start) gen_random_uuid(), i.connection_id, i.id, i.site_name, p.period_start, p.period_end
    FROM wix_billing_periods p JOIN wix_instances i ON i.id = p.wix_instance_id WHERE i.connection_id = ${connectionId}::uuid
    ORDER BY p.wix_instance_id, p.period_start, p.period_end DESC
    ON CONFLICT (connection_id, subject_id, cycle_start) DO UPDATE SET subject_label = EXCLUDED.subject_label, cycle_end = EXCLUDED.cycle_end`;
  const rows = await wixReconciliation(connectionId);
  const instanceIds = rows.map((r) => r.instance.id);
  const [charges, invoices, statuses, rejections] = await Promise.all([
    db().wixCharge.findMany({ where: { wixInstanceId: { in: instanceIds } }, orderBy: { proposedAt: "asc" } }),
    db().wixInvoice.findMany({ where: { wixInstanceId: { in: instanceIds } }, include: { lines: true, charges: { select: { periodId: true } } } }),
    db().wixInvoiceStatus.findMany({ where: { wixInstanceId: { in: instanceIds } } }),
    db().wixRejection.findMany({ where: { wixInstanceId: { in: instanceIds }, kind: "usages" } }),
  ]);
  const statusOf = new Map(statuses.map((s) => [`${s.wixInstanceId}|${s.invoiceId}`, s]));
  const updates: { id?: string; subjectId: string; cycleStart: Date; platformReadAt: string; meters: CycleMeter[]; charges: CycleCharge[] }[] = [];
  const found: FoundDifference[] = [];
  for (const { instance, periods } of rows) {
    // A first period per start (the one kept as the cycle), and where an invoice or a rejection falls when no charge names its period.
    const periodAt = (at: Date) => periods.find((p) => p.period.periodStart <= at) ?? periods.at(-1);
    for (const p of periods) {
      const { period } = p;
      const base = { subjectId: instance.id, cycleStart: period.periodStart, currency: period.currency };
      const mine = charges.filter((c) => c.periodId === period.id);
      updates.push({
        ...base,
        platformReadAt: period.updatedAt.toISOString(),
        meters: [
          {
            handle: "usage",
            currency: period.currency,
            ourUnits: String(p.events),
            ourPending: "0",
            ourAmount: p.ledger.toFixed(),
            platformUnits: null,
            platformAmount: p.proposed.toFixed(),
            fetchedAt: period.updatedAt.toISOString(),
            chargedUnits: null,
            chargedAmount: p.invoiced?.toFixed() ?? null,
            carriedAmount: p.carried.toFixed(),
            ...(p.late.events
              ? { inFlight: { count: p.late.events, units: String(p.late.events), amount: p.late.amount.toFixed(), readAt: period.updatedAt.toISOString() } }
              : {}),
          },
        ],
        charges: mine.map((c) => ({
          chargeId: c.chargeId,
          type: "usage",
          handle: c.status,
          units: null,
          amount: (c.invoicedAmount ?? c.amount).toFixed(),
          currency: c.currency,
          at: c.proposedAt.toISOString(),
        })),
      });
      for (const c of mine) {
        if (c.status === "rejected" && period.status === "rejected") {
          found.push({
            ...base,
            kind: "missing_there",
            key: `charge:${c.chargeId}`,
            handle: `charge ${c.chargeId}`,
            amount: c.amount.toFixed(),
            ourVerdict: "proposed",
            platformVerdict: `rejected: ${c.rejectionReasons.join(", ") || "no reason given"}`,
            occurredAt: c.updatedAt,
          });
        }
        if (c.status === "invoiced" && c.invoicedAmount && !c.invoicedAmount.eq(c.amount)) {
          found.push({
            ...base,
            kind: "charge_differs",
            key: `charge:${c.chargeId}`,
            handle: `charge ${c.chargeId}`,
            amount: toDecimal(c.amount.toString()).minus(toDecimal(c.invoicedAmount.toString())).toFixed(),
            occurredAt: c.updatedAt,
          });
        }
      }
      // What the ledger priced that we neither put on an invoiced charge nor knowingly carried (what Wix then
      // invoiced of each charge is the charge's own difference, so it is not counted twice).
      if (period.status === "invoiced") {
        const billed = mine.filter((c) => c.status === "invoiced").reduce((a, c) => a.plus(toDecimal(c.amount.toString())), new Decimal(0));
        const unexplained = p.ledger.minus(billed).minus(p.carried);
        if (!unexplained.isZero())
          found.push({ ...base, kind: "amount_differs", key: "meter:usage", handle: "usage", amount: unexplained.toFixed(), ourUnits: String(p.events) });
      }
    }
    for (const inv of invoices.filter((i) => i.wixInstanceId === instance.id)) {
      const period = periods.find((p) => inv.charges.some((c) => c.periodId === p.period.id)) ?? periodAt(inv.receivedAt);
      if (!period) continue;
      const base = { subjectId: instance.id, cycleStart: period.period.periodStart, currency: inv.currency };
      for (const line of inv.lines.filter((l) => !l.wixChargeRowId)) {
        found.push({
          ...base,
          kind: "missing_here",
          key: `line:${inv.invoiceId}:${line.lineId}`,
          handle: `invoice ${inv.invoiceId}`,
          amount: toDecimal(line.amount.toString()).negated().toFixed(),
          platformVerdict: `invoiced${line.chargeId ? ` as ${line.chargeId}` : " without a charge id"}`,
          occurredAt: inv.receivedAt,
        });
      }
      const status = statusOf.get(`${instance.id}|${inv.invoiceId}`);
      if (status && NOT_COLLECTED.has(status.status)) {
        found.push({
          ...base,
          kind: "verdict_differs",
          key: `invoice:${inv.invoiceId}`,
          handle: `invoice ${inv.invoiceId}`,
          amount: inv.total.toFixed(),
          ourVerdict: "invoiced",
          platformVerdict: status.status,
          occurredAt: status.statusAt,
        });
      }
    }
    for (const r of rejections.filter((x) => x.wixInstanceId === instance.id)) {
      const period = periodAt(r.at);
      if (!period) continue;
      const lines = Array.isArray(r.usageLines) ? (r.usageLines as { amount?: unknown; totalPrice?: unknown }[]) : [];
      const amount = lines.reduce((s, l) => {
        const v = l?.amount ?? l?.totalPrice;
        return typeof v === "string" || typeof v === "number" ? s.plus(toDecimal(String(v))) : s;
      }, new Decimal(0));
      found.push({
        subjectId: instance.id,
        cycleStart: period.period.periodStart,
        currency: r.currency,
        kind: "missing_there",
        key: `usages:${r.id}`,
        handle: "usage report",
        amount: amount.toFixed(),
        platformVerdict: `usages rejected: ${r.reasons.join(", ") || "no reason given"}`,
        occurredAt: r.at,
      });
    }
  }
  for (let i = 0; i < updates.length; i += 1000) {
    await db().$executeRaw`
      UPDATE reconcile_cycles c SET meters = u.meters, charges = u.charges, platform_read_at = u."platformReadAt", computed_at = ${runAt}
      FROM jsonb_to_recordset(${JSON.stringify(updates.slice(i, i + 1000))}::jsonb) AS u("subjectId" uuid, "cycleStart" timestamptz, "platformReadAt" timestamptz, meters jsonb, charges jsonb)
      WHERE c.connection_id = ${connectionId}::uuid AND c.subject_id = u."subjectId" AND c.cycle_start = u."cycleStart"`;
  }
  await storeDifferences(connectionId, found, runAt);
}
