import Link from "next/link";
import type { LimitRow } from "@/lib/db/overview-cycle";

/** Wix instances nearest their charge limit: used / limit in the instance's currency, and where the cycle's pace leads. */
export function OverviewLimits({ limits, tz }: { limits: LimitRow[]; tz: string }) {
  const day = new Intl.DateTimeFormat("en-GB", { timeZone: tz, day: "numeric", month: "short" });
  if (limits.length === 0) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No Wix instance has a charge limit in a current cycle.</p>;
  return (
    <div role="region" aria-label="Charge limits" tabIndex={0} className="overflow-x-auto scroll-cue">
      <table className="w-full text-left text-sm" data-testid="limits-table">
        <thead className="text-xs text-zinc-500 dark:text-zinc-400">
          <tr>
            <th className="py-1 pr-3">Site</th>
            <th className="pr-3 text-right">Used / limit</th>
            <th className="hidden w-1/4 pr-3 sm:table-cell">Share used</th>
            <th className="text-right">Cycle end at this pace</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {limits.map((l) => {
            const tone = l.percentUsed >= 100 ? "bg-red-500" : l.percentUsed >= 80 ? "bg-amber-500" : "bg-emerald-500";
            return (
              <tr key={l.id}>
                <td className="py-2 pr-3 whitespace-nowrap">
                  <Link href={`/events?instance=${l.id}`} className="hover:underline">
                    {l.siteName}
                  </Link>
                </td>
                <td className="pr-3 text-right whitespace-nowrap tabular-nums">
                  {l.usedText} / {l.limitText}
                  <span className="block text-xs text-zinc-500 dark:text-zinc-400 sm:hidden">{l.percentUsed.toFixed(1)} % used</span>
                </td>
                <td className="hidden pr-3 sm:table-cell">
                  <div
                    className="h-2 rounded bg-zinc-200 dark:bg-zinc-800"
                    role="meter"
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={Math.min(l.percentUsed, 100)}
                    aria-label={`${l.siteName}: ${l.percentUsed} % of the charge limit used`}
                  >
                    <div className={`h-2 rounded ${tone}`} style={{ width: `${Math.min(l.percentUsed, 100)}%` }} />
                  </div>
                  <span className="text-xs tabular-nums text-zinc-500 dark:text-zinc-400">{l.percentUsed.toFixed(1)} %</span>
                </td>
                <td
                  className={`text-right text-xs whitespace-nowrap tabular-nums ${l.projectedPercent > 100 ? "text-red-600 dark:text-red-400" : "text-zinc-500 dark:text-zinc-400"}`}
                >
                  {l.projectedPercent.toFixed(0)} %{l.reachesLimitAt && <span className="block">limit on {day.format(new Date(l.reachesLimitAt))}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
