import Link from "next/link";
import type { ReactNode } from "react";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { formatMoney, type Decimal } from "@/lib/domain/money";
import { wixReconciliation } from "@/lib/services/reconcile-wix";

const tone = { invoiced: "green", proposed: "indigo", rejected: "red", no_charges: "zinc" } as const;

/** Wix: per instance and billing period, the ledger's priced usage beside what Wix was proposed and invoiced. */
export async function WixReconcile({ connectionId, picker }: { connectionId: string; picker: ReactNode }) {
  const rows = await wixReconciliation(connectionId);
  const money = (d: Decimal | null, currency: string) => (d ? formatMoney({ amount: d, currency }, "en-US", { exact: true }) : "—");
  return (
    <>
      <PageHeader
        title="Reconcile"
        description="Wix invoices the site owner from our List Charges answers: per instance and period, our priced usage beside what we proposed, what Wix invoiced and what was carried."
        actions={picker}
      />
      {rows.every((r) => r.periods.length === 0) && <EmptyState title="Wix has not asked for any invoice yet">Periods appear when Wix calls List Charges to create an invoice.</EmptyState>}
      {rows.filter((r) => r.periods.length).map(({ instance, periods }) => (
        <Card key={instance.id} className="mt-4" title={<Link className="text-indigo-600 dark:text-indigo-400" href={`/shops/wix/${instance.id}`}>{instance.siteName}</Link>}>
          <div className="overflow-x-auto">
            <table className="w-full text-right text-sm tabular-nums" data-testid={`wix-periods-${instance.instanceId}`}>
              <thead className="text-xs text-zinc-500">
                <tr><th className="py-1 text-left">Period</th><th className="text-left">Outcome</th><th>Usage events</th><th>Ledger usage</th><th>Proposed</th><th>Invoiced</th><th>Carried</th><th>Confirmed by invoice</th><th>Unexplained</th></tr>
              </thead>
              <tbody>
                {periods.map((p) => (
                  <tr key={p.period.id} className={p.unexplained && !p.unexplained.isZero() ? "text-red-700 dark:text-red-400" : ""}>
                    <td className="py-1 text-left text-xs"><LocalTime iso={p.period.periodStart.toISOString()} /> → <LocalTime iso={p.period.periodEnd.toISOString()} /></td>
                    <td className="text-left"><Badge tone={tone[p.period.status]}>{p.period.status.replace("_", " ")}</Badge></td>
                    <td>{p.events}</td>
                    <td>{money(p.ledger, p.period.currency)}</td>
                    <td>{money(p.proposed, p.period.currency)}</td>
                    <td>{money(p.invoiced, p.period.currency)}</td>
                    <td>{money(p.carried, p.period.currency)}</td>
                    <td>{money(p.confirmed, p.period.currency)}</td>
                    <td>{money(p.unexplained, p.period.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      ))}
    </>
  );
}
