"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { ChartOnDemand } from "@/components/charts/chart-on-demand";
import { StaticColumnChart, StaticRowChart } from "@/components/charts/static-charts";
import { ChartTable } from "@/components/charts/chart-table";
import { bucketLabel, codeColor, explorerHref as toExplorer, OUTCOMES, type ChartBucket } from "@/components/charts/chart-format";
import { Card } from "@/components/ui/card";
import type { OverviewData } from "@/lib/db/overview";
import { useOverview } from "@/lib/hooks/use-overview";
import { LiveStatus } from "./live-status";
import { OverviewKpis } from "./overview-kpis";
import { OverviewLimits } from "./overview-limits";
import { OverviewRevenue } from "./overview-revenue";

// Charts are static SVG at first load; Recharts is fetched on the first pointer or focus in a chart.
const loadOutcome = () => import("@/components/charts/outcome-chart").then((m) => m.OutcomeChart);
const loadFailure = () => import("@/components/charts/failure-chart").then((m) => m.FailureChart);
const loadCodeTotals = () => import("@/components/charts/code-totals-chart").then((m) => m.CodeTotalsChart);

/** The Overview's body: polls /api/overview while visible and re-renders KPIs, charts and tables. */
export function OverviewLive({ initial, initialAt, query, explorerQuery }: { initial: OverviewData; initialAt: number; query: string; explorerQuery: string }) {
  const { data, changedAt, dataUpdatedAt, isFetching, isError } = useOverview(query, initial, initialAt);
  const { tz } = data.range;
  const bucket = data.range.bucket as ChartBucket;
  const from = Date.parse(data.range.from);
  const to = Date.parse(data.range.to);
  const codes = data.failures.codes;
  const codeSeries = codes.map((c, i) => ({ key: c, label: c === "OTHER" ? "Other codes" : c, color: codeColor(i, c) }));
  const router = useRouter();
  const slice = (extra: Record<string, string | undefined>) => router.push(toExplorer(explorerQuery, extra));
  const iso = (t: number) => new Date(t).toISOString();
  const tickLabel = (t: number) => bucketLabel(t, bucket, tz);
  const axisLabel = `${bucket === "day" ? "Day" : "Time"} (${tz})`;
  const openFailed = (code: string, start: number, end: number) => code !== "OTHER" && slice({ outcome: "failed", code, from: iso(start), to: iso(end) });
  const totals = data.failures.totals.slice(0, 12).map((t) => {
    const i = codes.indexOf(t.code);
    return { ...t, color: codeColor(i < 0 ? codes.length - 1 : i, i < 0 ? "OTHER" : t.code) };
  });
  return (
    <div className="space-y-4">
      <LiveStatus changedAt={changedAt} fetchedAt={dataUpdatedAt} latestEventAt={data.latestEventAt} fetching={isFetching} failed={isError} tz={tz} />
      <OverviewKpis data={data} explorerHref={(extra) => toExplorer(explorerQuery, extra)} />
      <Card
        title="Events by outcome"
        action={
          <span className="text-xs text-zinc-500 dark:text-zinc-400">{bucket === "day" ? "per day" : bucket === "hour" ? "per hour" : "per 5 minutes"}</span>
        }
      >
        <ChartOnDemand testId="outcome-chart" load={loadOutcome} props={{ points: data.volume, bucket, tz, rangeTo: to, explorerQuery }}>
          <StaticColumnChart
            points={data.volume}
            series={[...OUTCOMES]}
            tickLabel={tickLabel}
            xLabel={axisLabel}
            yLabel="events"
            label="Events by outcome, as a stacked bar chart"
            onBar={(i, outcome) => slice({ from: iso(data.volume[i]!.t), to: iso(data.volume[i + 1]?.t ?? to), outcome })}
          />
        </ChartOnDemand>
        <ChartTable
          caption="Events per bucket and outcome"
          points={data.volume}
          series={[...OUTCOMES]}
          bucket={bucket}
          tz={tz}
          rangeTo={to}
          explorerQuery={explorerQuery}
          filterKey="outcome"
          testId="outcome-table"
        />
      </Card>
      <div className="grid items-start gap-4 xl:grid-cols-5">
        <Card title="Errors by code over time" className="xl:col-span-3">
          {data.failures.codes.length === 0 ? (
            <p className="py-16 text-center text-sm text-zinc-500 dark:text-zinc-400">No failed events in this range.</p>
          ) : (
            <ChartOnDemand
              testId="failure-chart"
              load={loadFailure}
              props={{ points: data.failures.points, codes, bucket, tz, rangeFrom: from, rangeTo: to, explorerQuery }}
            >
              <StaticColumnChart
                points={data.failures.points}
                series={codeSeries}
                tickLabel={tickLabel}
                xLabel={axisLabel}
                yLabel="failed events"
                label="Failed events by code, as a stacked bar chart"
                onBar={(i, code) => openFailed(code, data.failures.points[i]!.t, data.failures.points[i + 1]?.t ?? to)}
                onLegend={(code) => openFailed(code, from, to)}
              />
            </ChartOnDemand>
          )}
          <ChartTable
            caption="Failed events per bucket and code"
            points={data.failures.points}
            series={codeSeries}
            bucket={bucket}
            tz={tz}
            rangeTo={to}
            explorerQuery={explorerQuery}
            filterKey="code"
            testId="failure-table"
          />
        </Card>
        <Card title="Failed events per code" className="xl:col-span-2">
          {data.failures.totals.length === 0 ? (
            <p className="py-16 text-center text-sm text-zinc-500 dark:text-zinc-400">No failed events in this range.</p>
          ) : (
            <>
              <ChartOnDemand
                testId="code-totals-chart"
                load={loadCodeTotals}
                props={{ totals: data.failures.totals, codes, explorerQuery, rangeFrom: from, rangeTo: to }}
              >
                <StaticRowChart rows={totals} label="Failed events per code, as a bar chart" onBar={(code) => openFailed(code, from, to)} />
              </ChartOnDemand>
              <ul className="mt-2 flex flex-wrap gap-2 text-xs" aria-label="Open the explorer on a code">
                {data.failures.totals.slice(0, 12).map((t) => (
                  <li key={t.code}>
                    <Link
                      className="rounded border border-zinc-200 px-2 py-0.5 font-mono hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
                      href={toExplorer(explorerQuery, { outcome: "failed", code: t.code, from: data.range.from, to: data.range.to })}
                      data-testid={`code-link-${t.code}`}
                    >
                      {t.code} <span className="text-zinc-500 dark:text-zinc-400">{t.count.toLocaleString("en")}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Card>
      </div>
      <div className="grid items-start gap-4 xl:grid-cols-2">
        <Card
          title="This billing cycle"
          action={<span className="hidden text-xs text-zinc-500 dark:text-zinc-400 sm:inline">plan fees + usage, each account&apos;s own cycle</span>}
        >
          <OverviewRevenue revenue={data.revenue} method={data.projectionMethod} devStores={data.devStores} />
        </Card>
        <Card title="Wix instances nearest their charge limit">
          <OverviewLimits limits={data.limits} tz={tz} />
        </Card>
      </div>
    </div>
  );
}
