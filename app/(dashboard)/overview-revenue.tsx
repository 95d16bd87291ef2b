import type { CycleRevenue } from "@/lib/db/overview-cycle";

/** This billing cycle per currency: billable units, revenue so far and projected to each cycle's end. */
export function OverviewRevenue({ revenue, method, devStores = 0 }: { revenue: CycleRevenue[]; method: string; devStores?: number }) {
  const devNote = devStores > 0 && (
    <p className="mt-2 text-xs text-indigo-800 dark:text-indigo-200" data-testid="dev-stores-note">
      {devStores.toLocaleString("en-US")} development {devStores === 1 ? "store" : "stores"} in a cycle left out of these totals: test — never charged (Shopify
      does not charge dev stores).
    </p>
  );
  if (revenue.length === 0)
    return (
      <>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">
          {devStores > 0 ? "No billed shop or instance is in a billing cycle." : "No shop or instance is in a billing cycle."}
        </p>
        {devNote}
      </>
    );
  return (
    <div role="region" aria-label="Revenue this cycle" tabIndex={0} className="overflow-x-auto scroll-cue">
      <table className="w-full text-left text-sm tabular-nums" data-testid="revenue-table">
        <thead className="text-xs text-zinc-500 dark:text-zinc-400">
          <tr>
            <th className="py-1 pr-3">Currency</th>
            <th className="hidden pr-3 text-right sm:table-cell">Billable units</th>
            <th className="pr-3 text-right">So far</th>
            <th className="text-right">
              Projected<sup aria-hidden="true">*</sup>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {revenue.map((r) => (
            <tr key={r.currency}>
              <td className="py-2 pr-3">
                <span className="font-medium">{r.currency}</span>
                <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                  {r.subjects} {r.subjects === 1 ? "account" : "accounts"}
                </span>
              </td>
              <td className="hidden pr-3 text-right sm:table-cell">{r.unitsText}</td>
              <td className="pr-3 text-right font-medium">{r.currentText}</td>
              <td className="text-right text-zinc-600 dark:text-zinc-300">
                {r.projectedText}
                {r.projectedSubjects < r.subjects && (
                  <span className="block text-xs text-zinc-500 dark:text-zinc-400">{r.subjects - r.projectedSubjects} not projected yet</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400" data-testid="projection-method">
        <span aria-hidden="true">* </span>Projected: {method}
      </p>
      {devNote}
    </div>
  );
}
