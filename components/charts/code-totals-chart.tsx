"use client";

import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from "recharts";
import { niceTicks } from "./chart-geometry";
import { codeColor, compactNumber, explorerHref, fullNumber } from "./chart-format";

/** Failed events per code over the whole range, largest first; a bar opens the explorer on its code. */
export function CodeTotalsChart({
  totals,
  codes,
  explorerQuery,
  rangeFrom,
  rangeTo,
}: {
  totals: { code: string; count: number }[];
  codes: string[];
  explorerQuery: string;
  rangeFrom: number;
  rangeTo: number;
}) {
  const router = useRouter();
  const rows = totals.slice(0, 12);
  const open = (code: string) =>
    router.push(explorerHref(explorerQuery, { outcome: "failed", code, from: new Date(rangeFrom).toISOString(), to: new Date(rangeTo).toISOString() }));
  const xTicks = niceTicks(Math.max(0, ...rows.map((r) => r.count)));
  return (
    <div className="w-full text-xs text-zinc-500 dark:text-zinc-400" style={{ height: 40 + rows.length * 30 }}>
      <BarChart responsive style={{ width: "100%", height: "100%" }} data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 16, left: 0 }}>
        <CartesianGrid horizontal={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis
          type="number"
          tick={{ fill: "currentColor" }}
          tickLine={false}
          allowDecimals={false}
          tickFormatter={compactNumber}
          domain={[0, xTicks[xTicks.length - 1]!]}
          ticks={xTicks}
          interval={0}
          label={{ value: "failed events", position: "insideBottom", offset: -10, fill: "currentColor" }}
        />
        <YAxis type="category" dataKey="code" tick={{ fill: "currentColor", fontSize: 11 }} tickLine={false} axisLine={false} width={180} interval={0} />
        <Tooltip
          cursor={{ fill: "currentColor", fillOpacity: 0.06 }}
          content={({ active, payload }) =>
            active && payload?.[0] ? (
              <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900">
                <p className="font-medium">{String(payload[0].payload.code)}</p>
                <p>{fullNumber(Number(payload[0].value))} failed events · click to open</p>
              </div>
            ) : null
          }
        />
        <Bar dataKey="count" name="Failed events" isAnimationActive={false} className="cursor-pointer" onClick={(d) => open(String(d.payload.code))}>
          {rows.map((r) => {
            const i = codes.indexOf(r.code);
            return <Cell key={r.code} fill={codeColor(i < 0 ? codes.length - 1 : i, i < 0 ? "OTHER" : r.code)} />;
          })}
        </Bar>
      </BarChart>
    </div>
  );
}
