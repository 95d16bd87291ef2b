"use client";

import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { bucketLabel, compactNumber, explorerHref, OUTCOMES, type ChartBucket } from "./chart-format";
import { niceTicks } from "./chart-geometry";
import { ChartTooltip } from "./chart-tooltip";
import { columnTicks, TimeTick, useWidth } from "./static-charts";

export type OutcomePoint = { t: number; billable: number; non_billable: number; failed: number; pending: number };

/**
 * Events per bucket, stacked by outcome. Clicking a segment opens the explorer on that bucket and
 * outcome, with the overview's filters (`explorerQuery`).
 */
export function OutcomeChart({
  points,
  bucket,
  tz,
  rangeTo,
  explorerQuery,
}: {
  points: OutcomePoint[];
  bucket: ChartBucket;
  tz: string;
  rangeTo: number;
  explorerQuery: string;
}) {
  const router = useRouter();
  const open = (index: number, outcome: string) => {
    const point = points[index];
    if (!point) return;
    const end = points[index + 1]?.t ?? rangeTo;
    router.push(explorerHref(explorerQuery, { from: new Date(point.t).toISOString(), to: new Date(end).toISOString(), outcome }));
  };
  const { ref, width, font } = useWidth();
  const xTicks = columnTicks(font, width, points, (t) => bucketLabel(t, bucket, tz)).map((i) => points[i]!.t);
  const yTicks = niceTicks(Math.max(0, ...points.map((p) => p.billable + p.non_billable + p.failed + p.pending)));
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
          label={{ value: "events", angle: -90, position: "insideLeft", offset: 4, fill: "currentColor" }}
        />
        <Tooltip cursor={{ fill: "currentColor", fillOpacity: 0.06 }} content={<ChartTooltip bucket={bucket} tz={tz} />} />
        <Legend verticalAlign="top" iconType="square" itemSorter={null} wrapperStyle={{ paddingBottom: 8 }} />
        {OUTCOMES.map((o) => (
          <Bar
            key={o.key}
            dataKey={o.key}
            name={o.label}
            stackId="events"
            fill={o.color}
            isAnimationActive={false}
            className="cursor-pointer"
            onClick={(_, index) => open(index, o.key)}
          />
        ))}
      </BarChart>
    </div>
  );
}
