"use client";

import { bucketLabel, fullNumber, type ChartBucket } from "./chart-format";

type Entry = { name?: string | number; value?: unknown; color?: string; dataKey?: unknown };

/** Tooltip body in the dashboard's own colours (light and dark), listing non-zero series and the total. */
export function ChartTooltip({
  active,
  payload,
  label,
  bucket,
  tz,
  names,
}: {
  active?: boolean;
  payload?: readonly Entry[];
  label?: unknown;
  bucket: ChartBucket;
  tz: string;
  names?: Record<string, string>;
}) {
  if (!active || !payload?.length || typeof label !== "number") return null;
  const rows = payload.filter((p) => Number(p.value) > 0);
  const total = rows.reduce((sum, p) => sum + Number(p.value), 0);
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900">
      <p className="mb-1 font-medium">{bucketLabel(label, bucket, tz, true)}</p>
      {rows.map((p) => (
        <p key={String(p.dataKey)} className="flex items-center gap-2">
          <span className="inline-block size-2 rounded-sm" style={{ background: p.color }} />
          <span className="text-zinc-600 dark:text-zinc-300">{names?.[String(p.dataKey)] ?? p.name}</span>
          <span className="ml-auto pl-3 tabular-nums">{fullNumber(Number(p.value))}</span>
        </p>
      ))}
      <p className="mt-1 border-t border-zinc-200 pt-1 text-zinc-500 dark:text-zinc-400 dark:border-zinc-700">{fullNumber(total)} events · click to open</p>
    </div>
  );
}
