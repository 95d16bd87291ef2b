import type { CycleRevenue } from "@/lib/db/overview-cycle";

/** This billing cycle per currency: billable units, revenue so far and projected to each cycle's end. */
export function OverviewRevenue({ revenue }: { revenue: CycleRevenue[] }) {
  if (revenue.length === 0) return <p className="text-sm text-zinc-500">No shop or instance is in a billing cycle.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm tabular-nums" data-testid="revenue-table">
        <thead className="text-xs text-zinc-500">
          <tr><th className="py-1 pr-3">Currency</th><th className="hidden pr-3 text-right sm:table-cell">Billable units</th><th className="pr-3 text-right">So far</th><th className="text-right">Projected</th></tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {revenue.map((r) => (
            <tr key={r.currency}>
              <td className="py-2 pr-3">
                <span className="font-medium">{r.currency}</span>
                <span className="block text-xs text-zinc-500">{r.subjects} {r.subjects === 1 ? "account" : "accounts"}</span>
              </td>
              <td className="hidden pr-3 text-right sm:table-cell">{Number(r.units).toLocaleString("en")}</td>
              <td className="pr-3 text-right font-medium">{r.currentText}</td>
              <td className="text-right text-zinc-600 dark:text-zinc-300">{r.projectedText}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
