import { db } from "../../db/client";
import { pricedAmountSql } from "../../db/wix-usage";
import { Decimal, minorUnit, toDecimal, toMinorString } from "../../domain/money";
import type { CarriedLine } from "./charges";

type Allocation = { kind: string; charged: string; charge_id: string };

/**
 * Wix's verdict on the events of an invoiced period, like recordVerdicts (lib/services/delivery/verdicts.ts):
 * platform_verdict, verdict_source 'wix_invoice' and an event_transitions row per event, only
 * where no verdict is set yet. Within each kind, events are billed oldest first up to what the
 * invoice charged for it; an event that straddles the limit is billed in part. Events left over
 * were not billed and never will be (Wix forbids charging them in a later period): non_billable
 * with the reason as code.
 */
export async function applyInvoiceVerdicts(periodId: string, invoiceId: string): Promise<{ billable: number; notBilled: number }> {
  const period = await db().wixBillingPeriod.findUniqueOrThrow({ where: { id: periodId }, include: { charges: { where: { status: "invoiced" } } } });
  const allocations: Allocation[] = [];
  for (const charge of period.charges) {
    // Wix truncates but never raises an amount; a line billed below what we proposed is taken from the kinds in order.
    let left = toDecimal((charge.invoicedAmount ?? charge.amount).toString());
    for (const line of charge.lines as { kind: string; amount: string }[]) {
      const take = Decimal.min(left, line.amount);
      left = left.minus(take);
      allocations.push({ kind: line.kind, charged: take.toFixed(), charge_id: charge.chargeId });
    }
  }
  const carried = period.carried as CarriedLine[];
  const reasons = carried.filter((c) => c.reason !== "no_price" && c.reason !== "counter").map((c) => ({ kind: c.kind, reason: c.reason }));
  // Unpriced usage a List Usages counter reported for this period: Wix billed it at the counter's price.
  const counted = carried.filter((c) => c.reason === "counter").map((c) => c.kind);
  const currency = period.currency;
  const unit = minorUnit(currency).toFixed();
  const periodText = `${period.periodStart.toISOString().slice(0, 10)} to ${period.periodEnd.toISOString().slice(0, 10)}`;
  const limitText = `${toMinorString(period.chargeLimit.toString(), currency)} ${currency}`;
  const actor = `wix invoice ${invoiceId}`;
  const rows = await db().$queryRaw<{ billable: bigint; n: bigint }[]>`
    WITH alloc AS (
      SELECT kind, sum(charged) AS charged, string_agg(charge_id, ', ') AS charge_id
      FROM jsonb_to_recordset(${JSON.stringify(allocations)}::jsonb) AS x(kind text, charged numeric, charge_id text) GROUP BY kind
    ), reasons AS (
      SELECT DISTINCT ON (kind) kind, reason FROM jsonb_to_recordset(${JSON.stringify(reasons)}::jsonb) AS x(kind text, reason text)
    ), counted AS (
      SELECT unnest(${counted}::text[]) AS kind
    ), ev AS (
      SELECT e.id, e.state, e.handle, ${pricedAmountSql(currency)} AS amt,
        sum(${pricedAmountSql(currency)}) OVER (PARTITION BY e.handle ORDER BY e.occurred_at, e.id ROWS UNBOUNDED PRECEDING) AS cum
      FROM billing_events e
      LEFT JOIN wix_price_items p ON p.connection_id = e.connection_id AND p.kind = e.handle AND p.currency = ${currency}
      WHERE e.wix_instance_id = ${period.wixInstanceId}::uuid AND e.kind = 'wix_usage'
        AND e.occurred_at >= ${period.periodStart} AND e.occurred_at < ${period.periodEnd}
        AND e.platform_verdict IS NULL AND e.id <= ${period.lastEventId ?? 0n}
    ), v AS (
      SELECT ev.id, ev.state, ev.handle, ev.amt, a.charge_id, r.reason, (ev.amt IS NULL AND c.kind IS NOT NULL) AS counted,
        CASE WHEN ev.amt IS NULL OR a.charged IS NULL THEN 0 ELSE GREATEST(LEAST(a.charged - (ev.cum - ev.amt), ev.amt), 0) END AS share
      FROM ev LEFT JOIN alloc a ON a.kind = ev.handle LEFT JOIN reasons r ON r.kind = ev.handle LEFT JOIN counted c ON c.kind = ev.handle
    ), updated AS (
      UPDATE billing_events e SET
        platform_verdict = (CASE WHEN v.share > 0 OR v.counted THEN 'billable' ELSE 'non_billable' END)::"Verdict",
        platform_code = CASE WHEN v.share > 0 OR v.counted THEN NULL WHEN v.amt IS NULL THEN 'NO_PRICE' WHEN v.reason = 'below_minimum' THEN 'BELOW_MINIMUM_CHARGE'
          WHEN v.reason = 'minor_unit' THEN 'BELOW_MINOR_UNIT' ELSE 'OVER_CHARGE_LIMIT' END,
        platform_details = CASE
          WHEN v.share > 0 THEN 'Billed on Wix invoice ' || ${invoiceId} || ' (charge ' || v.charge_id || ')'
            || CASE WHEN v.share < v.amt - ${unit}::numeric THEN ': ' || trim_scale(v.share)::text || ' of ' || trim_scale(v.amt)::text || ' ' || ${currency} || '; the rest was over the charge limit' ELSE '' END
          WHEN v.counted THEN 'Billed on Wix invoice ' || ${invoiceId} || ' through its usage counter ' || v.handle || ' (Wix priced the count)'
          WHEN v.amt IS NULL THEN 'Not billed: no price for this kind in ' || ${currency} || ' on the connection''s price list'
          WHEN v.reason = 'below_minimum' THEN 'Not billed: this kind''s usage in ' || ${periodText} || ' stayed below Wix''s 0.50 minimum per charge'
          WHEN v.reason = 'minor_unit' THEN 'Not billed: a fraction of the currency''s smallest unit, which Wix truncates'
          ELSE 'Not billed: over the charge limit of ' || ${limitText} || ' for ' || ${periodText} || '; Wix forbids charging it in a later period'
        END,
        verdict_source = 'wix_invoice', verdict_at = now(), updated_at = now()
      FROM v WHERE e.id = v.id AND e.platform_verdict IS NULL
      RETURNING e.id, e.state, e.platform_verdict, e.platform_code
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, state::text, state::text, ${actor}, 'verdict: ' || COALESCE(platform_code, platform_verdict::text) || ' (wix_invoice)' FROM updated
    )
    SELECT count(*) FILTER (WHERE platform_verdict = 'billable') AS billable, count(*) AS n FROM updated`;
  const billable = Number(rows[0]?.billable ?? 0);
  return { billable, notBilled: Number(rows[0]?.n ?? 0) - billable };
}
