import Link from "next/link";
import { bucketLabel, explorerHref, fullNumber, type ChartBucket } from "./chart-format";

/**
 * The data behind a time chart as a table (for screen readers, keyboards and copying), inside a
 * disclosure. Each non-zero cell links to the explorer slice the chart's bar opens.
 */
export function ChartTable({
  caption,
  points,
  series,
  bucket,
  tz,
  rangeTo,
  explorerQuery,
  filterKey,
  testId,
}: {
  caption: string;
  points: ({ t: number } & Record<string, number>)[];
  series: { key: string; label: string }[];
  bucket: ChartBucket;
  tz: string;
  rangeTo: number;
  explorerQuery: string;
  /** The explorer filter a column sets: outcome=<key> or code=<key>. */
  filterKey: "outcome" | "code";
  testId?: string;
}) {
  const rows = points.filter((p) => series.some((s) => (p[s.key] ?? 0) > 0));
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-xs text-indigo-600 dark:text-indigo-400">Show as table</summary>
      <div role="region" aria-label={caption} tabIndex={0} className="mt-2 max-h-80 overflow-auto">
        <table className="w-full text-left text-xs tabular-nums" data-testid={testId}>
          <caption className="sr-only">{caption}</caption>
          <thead className="sticky top-0 bg-white text-zinc-500 dark:text-zinc-400 dark:bg-zinc-900">
            <tr>
              <th scope="col" className="py-1 pr-3">
                {bucket === "day" ? "Day" : "Time"} ({tz})
              </th>
              {series.map((s) => (
                <th key={s.key} scope="col" className="pr-3 text-right">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {rows.length === 0 && (
              <tr>
                <td colSpan={series.length + 1} className="py-2 text-zinc-500 dark:text-zinc-400">
                  No events in this range.
                </td>
              </tr>
            )}
            {rows.map((p) => {
              const index = points.indexOf(p);
              const end = points[index + 1]?.t ?? rangeTo;
              return (
                <tr key={p.t}>
                  <th scope="row" className="py-1 pr-3 font-normal whitespace-nowrap">
                    {bucketLabel(p.t, bucket, tz, true)}
                  </th>
                  {series.map((s) => {
                    const n = p[s.key] ?? 0;
                    const extra = {
                      [filterKey]: s.key,
                      ...(filterKey === "code" ? { outcome: "failed" } : {}),
                      from: new Date(p.t).toISOString(),
                      to: new Date(end).toISOString(),
                    };
                    return (
                      <td key={s.key} className="pr-3 text-right">
                        {n > 0 && s.key !== "OTHER" ? (
                          <Link className="hover:underline" href={explorerHref(explorerQuery, extra)}>
                            {fullNumber(n)}
                          </Link>
                        ) : (
                          fullNumber(n)
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}
