import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/card";
import type { Decimal } from "@/lib/domain/money";
import type { WixBillingPeriod, WixCharge, WixInvoice, WixInvoiceLine, WixInvoiceStatus, WixLimitChange, WixRejection } from "@/lib/generated/prisma/client";
import type { CarriedLine } from "@/lib/services/wix/charges";
import { moneyText } from "@/lib/services/wix/instances";

/** The instance page's history tables: cycles, charges, invoices, rejections, limit changes. */
type Period = WixBillingPeriod & { charges: WixCharge[] };

const th = "py-2 pr-3 font-medium";
const statusTone = { proposed: "indigo", invoiced: "green", rejected: "red", no_charges: "zinc", withdrawn: "zinc" } as const;
const reasonLabel: Record<CarriedLine["reason"], string> = {
  charge_limit: "over the limit",
  below_minimum: "below 0.50",
  minor_unit: "sub-unit",
  no_price: "no price",
  counter: "counted by Wix",
};
const day = (d: Date | string) => <LocalTime iso={typeof d === "string" ? d : d.toISOString()} />;

function Carried({ lines, total, currency }: { lines: CarriedLine[]; total: { toString(): string }; currency: string }) {
  const byUnits = (l: CarriedLine) => l.reason === "no_price" || l.reason === "counter";
  const shown = lines.filter((l) => !byUnits(l) || l.quantity);
  if (!shown.length) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  return (
    <span>
      <span className="tabular-nums">{moneyText(total, currency)}</span>
      <span className="block text-xs text-zinc-500 dark:text-zinc-400">
        {shown.map((l) => `${l.kind}: ${byUnits(l) ? `${l.quantity} units` : moneyText(l.amount, currency)} ${reasonLabel[l.reason]}`).join(" · ")}
      </span>
    </span>
  );
}

export function CyclesTable({
  periods,
  current,
  currency,
}: {
  periods: Period[];
  current: { start: string; usage: Decimal; proposed: Decimal; carried: CarriedLine[]; carriedTotal: Decimal } | null;
  currency: string;
}) {
  if (!periods.length && !current) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No cycle yet.</p>;
  return (
    <div role="region" aria-label="Billing cycles" tabIndex={0} className="overflow-x-auto scroll-cue">
      <table className="w-full min-w-[44rem] text-left text-sm" data-testid="cycles-table">
        <thead className="text-xs text-zinc-500 dark:text-zinc-400">
          <tr>
            <th className={th}>Period</th>
            <th className={th}>Status</th>
            <th className={`${th} text-right`}>Usage</th>
            <th className={`${th} text-right`}>Proposed</th>
            <th className={`${th} text-right`}>Invoiced</th>
            <th className={th}>Carried (not proposed)</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {current && (
            <tr>
              <td className="py-2 pr-3 whitespace-nowrap">{day(current.start)} → now</td>
              <td className="pr-3">
                <Badge tone="amber">open</Badge>
              </td>
              <td className="pr-3 text-right tabular-nums">{moneyText(current.usage, currency)}</td>
              <td className="pr-3 text-right tabular-nums" title="What List Charges would answer now">
                {moneyText(current.proposed, currency)}
              </td>
              <td className="pr-3 text-right text-zinc-500 dark:text-zinc-400">—</td>
              <td className="pr-3">
                <Carried lines={current.carried} total={current.carriedTotal} currency={currency} />
              </td>
            </tr>
          )}
          {periods.map((p) => (
            <tr key={p.id}>
              <td className="py-2 pr-3 whitespace-nowrap">
                {day(p.periodStart)} → {day(p.periodEnd)}
              </td>
              <td className="pr-3">
                <Badge tone={statusTone[p.status]}>{p.status.replace("_", " ")}</Badge>
                {p.attempts > 1 && <span className="block text-xs text-zinc-500 dark:text-zinc-400">{p.attempts} answers</span>}
              </td>
              <td className="pr-3 text-right tabular-nums">{moneyText(p.usageAmount, p.currency)}</td>
              <td className="pr-3 text-right tabular-nums">
                {moneyText(p.proposedAmount, p.currency)}
                <span className="block text-xs text-zinc-500 dark:text-zinc-400">limit {moneyText(p.chargeLimit, p.currency)}</span>
              </td>
              <td className="pr-3 text-right tabular-nums">{moneyText(p.invoicedAmount, p.currency)}</td>
              <td className="pr-3">
                <Carried lines={p.carried as CarriedLine[]} total={p.carriedAmount} currency={p.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ChargesTable({ periods }: { periods: Period[] }) {
  const charges = periods.flatMap((p) => p.charges.map((c) => ({ ...c, period: p }))).sort((a, b) => b.proposedAt.getTime() - a.proposedAt.getTime());
  if (!charges.length)
    return (
      <p className="text-sm text-zinc-500 dark:text-zinc-400">None yet: charges are recorded when Wix asks to invoice a period. Previews record nothing.</p>
    );
  return (
    <div role="region" aria-label="Custom charges" tabIndex={0} className="overflow-x-auto scroll-cue">
      <table className="w-full min-w-[44rem] text-left text-sm" data-testid="charges-table">
        <thead className="text-xs text-zinc-500 dark:text-zinc-400">
          <tr>
            <th className={th}>Charge id</th>
            <th className={th}>Description</th>
            <th className={`${th} text-right`}>Amount</th>
            <th className={th}>Period</th>
            <th className={th}>Status</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {charges.map((c) => (
            <tr key={c.id}>
              <td className="py-2 pr-3 font-mono text-xs whitespace-nowrap">{c.chargeId}</td>
              <td className="pr-3">{c.description}</td>
              <td className="pr-3 text-right tabular-nums whitespace-nowrap">{moneyText(c.amount, c.currency)}</td>
              <td className="pr-3 text-xs whitespace-nowrap">
                {day(c.period.periodStart)} → {day(c.period.periodEnd)}
              </td>
              <td className="pr-3">
                <Badge tone={statusTone[c.status]}>{c.status}</Badge>
                {c.rejectionReasons.length > 0 && <span className="block text-xs text-red-600 dark:text-red-400">{c.rejectionReasons.join(", ")}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const paymentTone = { PAID: "green", PAYMENT_FAILED: "red", REFUNDED: "amber", CHARGEDBACK: "red" } as const;

export function InvoicesList({ invoices, statuses }: { invoices: (WixInvoice & { lines: WixInvoiceLine[] })[]; statuses: Map<string, WixInvoiceStatus> }) {
  if (!invoices.length) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No invoice yet.</p>;
  return (
    <ul className="space-y-3" data-testid="invoices-list">
      {invoices.map((inv) => (
        <li key={inv.id} className="rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
          <p className="flex flex-wrap justify-between gap-2">
            <span className="font-medium">
              Invoice <span className="font-mono">{inv.invoiceId}</span>
            </span>
            <span className="tabular-nums">{moneyText(inv.total, inv.currency)}</span>
          </p>
          <p className="flex flex-wrap items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400">
            received {day(inv.receivedAt)}
            {(() => {
              const s = statuses.get(inv.invoiceId);
              return s ? (
                <>
                  <Badge tone={paymentTone[s.status as keyof typeof paymentTone] ?? "zinc"}>{s.status.toLowerCase().replace("_", " ")}</Badge> {day(s.statusAt)}
                </>
              ) : (
                <span>payment not reported yet</span>
              );
            })()}
          </p>
          <ul className="mt-2 space-y-1 text-xs">
            {inv.lines.map((l) => (
              <li key={l.id.toString()} className="flex flex-wrap justify-between gap-2">
                <span className="break-all font-mono">{l.chargeId ?? <span className="font-sans italic">no charge id</span>}</span>
                <span className="tabular-nums">
                  {moneyText(l.amount, inv.currency)} {l.wixChargeRowId ? <Badge tone="green">matched</Badge> : <Badge tone="red">not ours</Badge>}
                </span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

export function RejectionsList({ rejections }: { rejections: WixRejection[] }) {
  if (!rejections.length) return <p className="text-sm text-zinc-500 dark:text-zinc-400">Wix has accepted every answer.</p>;
  return (
    <ul className="space-y-2 text-sm" data-testid="rejections-list">
      {rejections.map((r) => (
        <li key={r.id.toString()} className="rounded-md border border-red-200 p-3 dark:border-red-900">
          <p className="font-medium">
            {r.kind === "charges" ? "Charges rejected" : "Usages rejected"}: {r.reasons.join(", ") || "no reason given"}
          </p>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            {day(r.at)}
            {r.chargeLimit && <> · Wix&apos;s limit {moneyText(r.chargeLimit, r.currency)}</>}
          </p>
          {r.chargeIds.length > 0 && <p className="mt-1 break-all font-mono text-xs">{r.chargeIds.join(", ")}</p>}
        </li>
      ))}
    </ul>
  );
}

const sourceText = { initial: "Initial limit (Get Charge Limit)", raised: "Raised by the site owner", rejection: "Named by Wix in a rejection" } as const;

export function LimitHistory({ changes }: { changes: WixLimitChange[] }) {
  if (!changes.length) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No limit recorded yet (it is set when the site owner upgrades).</p>;
  return (
    <ol className="space-y-1 text-sm" data-testid="limit-history">
      {changes.map((c) => (
        <li key={c.id.toString()} className="flex flex-wrap gap-x-2">
          {day(c.at)} · <span>{sourceText[c.source]}</span> ·{" "}
          <span className="tabular-nums">
            {c.previousLimit ? <>{moneyText(c.previousLimit, c.currency)} → </> : null}
            <strong>{moneyText(c.chargeLimit, c.currency)}</strong>
          </span>
        </li>
      ))}
    </ol>
  );
}
