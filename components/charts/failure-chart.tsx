"use client";

import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { bucketLabel, codeColor, compactNumber, explorerHref, type ChartBucket } from "./chart-format";
import { niceTicks } from "./chart-geometry";
import { ChartTooltip } from "./chart-tooltip";
import { columnTicks, TimeTick, useWidth } from "./static-charts";

export type FailurePoint = { t: number } & Record<string, number>;

/**
 * Failed events per bucket, stacked by code (the top codes, the rest as OTHER). Clicking a segment
 * opens the explorer on that bucket and code; clicking a code in the legend, on that code over the range.
 */
export function FailureChart({
  points,
  codes,
  bucket,
  tz,
  rangeFrom,
  rangeTo,
  explorerQuery,
}: {
  points: FailurePoint[];
  codes: string[];
  bucket: ChartBucket;
  tz: string;
  rangeFrom: number;
  rangeTo: number;
  explorerQuery: string;
}) {
  const router = useRouter();
  const open = (code: string, from: number, to: number) => {
    if (code === "OTHER") return;
    router.push(explorerHref(explorerQuery, { outcome: "failed", code, from: new Date(from).toISOString(), to: new Date(to).toISOString() }));
  };
  const { ref, width, font } = useWidth();
  const xTicks = columnTicks(font, width, points, (t) => bucketLabel(t, bucket, tz)).map((i) => points[i]!.t);
  const yTicks = niceTicks(Math.max(0, ...points.map((p) => codes.reduce((sum, c) => sum + (p[c] ?? 0), 0))));
  return (
    <div ref={ref} className="h-72 w-full text-xs text-zinc-500 dark:text-zinc-400">
      <BarChart responsive style={{ width: "100%", height: "100%" }} data={points} margin={{ top: 8, right: 8, bottom: 16, left: 8 }}>
        <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis
          dataKey="t"
          tickLine={false}
          interval={0}
          ticks={xTicks}
          tick={({ x, y, payload }) => (
            <TimeTick x={Number(x)} y={Number(y)} label={bucketLabel(Number(payload.value), bucket, tz)} font={font} end={width - 8} />
          )}
          label={{ value: `${bucket === "day" ? "Day" : "Time"} (${tz})`, position: "insideBottom", offset: -12, fill: "currentColor" }}
        />
        <YAxis
          tick={{ fill: "currentColor" }}
          tickLine={false}
          axisLine={false}
          width={48}
          allowDecimals={false}
          tickFormatter={compactNumber}
          domain={[0, yTicks[yTicks.length - 1]!]}
          ticks={yTicks}
          label={{ value: "failed events", angle: -90, position: "insideLeft", offset: 4, fill: "currentColor" }}
        />
        <Tooltip cursor={{ fill: "currentColor", fillOpacity: 0.06 }} content={<ChartTooltip bucket={bucket} tz={tz} />} />
        <Legend
          verticalAlign="top"
          iconType="square"
          itemSorter={null}
          wrapperStyle={{ cursor: "pointer", paddingBottom: 8 }}
          onClick={(entry) => open(String(entry.dataKey ?? entry.value), rangeFrom, rangeTo)}
        />
        {codes.map((code, i) => (
          <Bar
            key={code}
            dataKey={code}
            name={code === "OTHER" ? "Other codes" : code}
            stackId="codes"
            fill={codeColor(i, code)}
            isAnimationActive={false}
            className="cursor-pointer"
            onClick={(_, index) => open(code, points[index]?.t ?? rangeFrom, points[index + 1]?.t ?? rangeTo)}
          />
        ))}
      </BarChart>
    </div>
  );
}
