import { db } from "../db/client";
import { Decimal } from "../domain/money";

/**
 * Wix side of reconciliation, per instance and billing period: the usage priced in our ledger
 * beside what we proposed to Wix, what Wix invoiced, what was carried (over the limit, below the
 * minimum) and the period's outcome (invoiced, rejected and waiting for Wix's retry, no charges). Exact decimals in the instance's currency.
 */
export async function wixReconciliation(connectionId: string) {
  const instances = await db().wixInstance.findMany({ where: { connectionId }, orderBy: { siteName: "asc" } });
  const periods = await db().wixBillingPeriod.findMany({ where: { wixInstanceId: { in: instances.map((i) => i.id) } }, orderBy: { periodStart: "desc" } });
  const usage = await db().$queryRaw<{ instance: string; period_start: Date; ledger: string | null; confirmed: string | null; events: bigint }[]>`
    SELECT p.wix_instance_id::text AS instance, p.period_start,
      sum(e.amount)::text AS ledger,
      sum(e.amount) FILTER (WHERE e.platform_verdict = 'billable' AND e.verdict_source = 'wix_invoice')::text AS confirmed,
      count(e.id) AS events
    FROM wix_billing_periods p
    LEFT JOIN billing_events e ON e.wix_instance_id = p.wix_instance_id AND e.kind = 'wix_usage' AND e.currency = p.currency
      AND e.occurred_at >= p.period_start AND e.occurred_at < p.period_end
    WHERE p.wix_instance_id = ANY(${instances.map((i) => i.id)}::uuid[])
    GROUP BY p.wix_instance_id, p.period_start`;
  const d = (x: string | null | undefined) => new Decimal(x ?? 0);
  return instances.map((inst) => ({
    instance: inst,
    periods: periods.filter((p) => p.wixInstanceId === inst.id).map((p) => {
      const u = usage.find((x) => x.instance === inst.id && x.period_start.getTime() === p.periodStart.getTime());
      const ledger = d(u?.ledger);
      const invoiced = p.invoicedAmount ? new Decimal(p.invoicedAmount.toString()) : null;
      const carried = new Decimal(p.carriedAmount.toString());
      return {
        period: p,
        events: Number(u?.events ?? 0),
        ledger,
        confirmed: d(u?.confirmed),
        proposed: new Decimal(p.proposedAmount.toString()),
        invoiced,
        carried,
        // What the ledger priced that is neither invoiced nor knowingly carried: should be zero.
        unexplained: invoiced ? ledger.minus(invoiced).minus(carried) : null,
      };
    }),
  }));
}
