import Link from "next/link";
import { Card } from "@/components/ui/card";
import type { OverviewData } from "@/lib/db/overview";

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);
const n = (x: number) => x.toLocaleString("en");

/** The KPI row: events, billable share, error rate, delivery backlog. */
export function OverviewKpis({ data, explorerHref }: { data: OverviewData; explorerHref: (extra: Record<string, string>) => string }) {
  const k = data.kpis;
  const range = { from: data.range.from, to: data.range.to };
  const cards = [
    { label: "Events", value: n(k.events), note: `${n(k.pending)} awaiting a verdict`, href: explorerHref(range) },
    {
      label: "Billable share",
      value: pct(k.billableShare),
      note: `${n(k.billable)} billable · ${n(k.nonBillable)} non-billable`,
      href: explorerHref({ ...range, outcome: "billable" }),
    },
    { label: "Error rate", value: pct(k.errorRate), note: `${n(k.failed)} failed`, href: explorerHref({ ...range, outcome: "failed" }) },
    { label: "Pending delivery", value: n(k.pendingDelivery), note: `now · ${n(k.held)} held`, href: "/events?state=queued" },
  ];
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      {cards.map((c) => (
        <Card key={c.label}>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{c.label}</p>
          <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`kpi-${c.label}`}>
            <Link href={c.href} className="hover:underline">
              {c.value}
            </Link>
          </p>
          <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{c.note}</p>
        </Card>
      ))}
    </div>
  );
}
