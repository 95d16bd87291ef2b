"use client";

import dynamic from "next/dynamic";
import Link from "next/link";
import { ChartTable } from "@/components/charts/chart-table";
import { explorerHref as toExplorer, OUTCOMES, type ChartBucket } from "@/components/charts/chart-format";
import { Card } from "@/components/ui/card";
import type { OverviewData } from "@/lib/db/overview";
import { useOverview } from "@/lib/hooks/use-overview";
import { LiveStatus } from "./live-status";
import { OverviewKpis } from "./overview-kpis";
import { OverviewLimits } from "./overview-limits";
import { OverviewRevenue } from "./overview-revenue";

// Recharts loads after the page is interactive: the server renders KPIs and tables, charts follow.
const skeleton = (height: string) => function ChartSkeleton() {
  return <div className={`${height} w-full animate-pulse rounded-md bg-zinc-100 dark:bg-zinc-800`} aria-hidden />;
};
const OutcomeChart = dynamic(() => import("@/components/charts/outcome-chart").then((m) => m.OutcomeChart), { ssr: false, loading: skeleton("h-72") });
const FailureChart = dynamic(() => import("@/components/charts/failure-chart").then((m) => m.FailureChart), { ssr: false, loading: skeleton("h-72") });
const CodeTotalsChart = dynamic(() => import("@/components/charts/code-totals-chart").then((m) => m.CodeTotalsChart), { ssr: false, loading: skeleton("h-48") });

/** The Overview's body: polls /api/overview while visible and re-renders KPIs, charts and tables. */
export function OverviewLive({ initial, initialAt, query, explorerQuery }: { initial: OverviewData; initialAt: number; query: string; explorerQuery: string }) {
  const { data, changedAt, dataUpdatedAt, isFetching, isError } = useOverview(query, initial, initialAt);
  const { tz } = data.range;
  const bucket = data.range.bucket as ChartBucket;
  const from = Date.parse(data.range.from);
  const to = Date.parse(data.range.to);
  const codeSeries = data.failures.codes.map((c) => ({ key: c, label: c === "OTHER" ? "Other codes" : c }));
  return (
    <div className="space-y-4">
      <LiveStatus changedAt={changedAt} fetchedAt={dataUpdatedAt} latestEventAt={data.latestEventAt} fetching={isFetching} failed={isError} tz={tz} />
      <OverviewKpis data={data} explorerHref={(extra) => toExplorer(explorerQuery, extra)} />
      <Card title="Events by outcome" action={<span className="text-xs text-zinc-500">{bucket === "day" ? "per day" : bucket === "hour" ? "per hour" : "per 5 minutes"}</span>}>
        <OutcomeChart points={data.volume} bucket={bucket} tz={tz} rangeTo={to} explorerQuery={explorerQuery} />
        <ChartTable
          caption="Events per bucket and outcome" points={data.volume} series={OUTCOMES.map((o) => ({ key: o.key, label: o.label }))}
          bucket={bucket} tz={tz} rangeTo={to} explorerQuery={explorerQuery} filterKey="outcome" testId="outcome-table"
        />
      </Card>
      <div className="grid items-start gap-4 xl:grid-cols-5">
        <Card title="Errors by code over time" className="xl:col-span-3">
          {data.failures.codes.length === 0 ? (
            <p className="py-16 text-center text-sm text-zinc-500">No failed events in this range.</p>
          ) : (
            <FailureChart points={data.failures.points} codes={data.failures.codes} bucket={bucket} tz={tz} rangeFrom={from} rangeTo={to} explorerQuery={explorerQuery} />
          )}
          <ChartTable
            caption="Failed events per bucket and code" points={data.failures.points} series={codeSeries}
            bucket={bucket} tz={tz} rangeTo={to} explorerQuery={explorerQuery} filterKey="code" testId="failure-table"
          />
        </Card>
        <Card title="Failed events per code" className="xl:col-span-2">
          {data.failures.totals.length === 0 ? (
            <p className="py-16 text-center text-sm text-zinc-500">No failed events in this range.</p>
          ) : (
            <>
              <CodeTotalsChart totals={data.failures.totals} codes={data.failures.codes} explorerQuery={explorerQuery} rangeFrom={from} rangeTo={to} />
              <ul className="mt-2 flex flex-wrap gap-2 text-xs" aria-label="Open the explorer on a code">
                {data.failures.totals.slice(0, 12).map((t) => (
                  <li key={t.code}>
                    <Link className="rounded border border-zinc-200 px-2 py-0.5 font-mono hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
                      href={toExplorer(explorerQuery, { outcome: "failed", code: t.code, from: data.range.from, to: data.range.to })} data-testid={`code-link-${t.code}`}>
                      {t.code} <span className="text-zinc-500">{t.count.toLocaleString("en")}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Card>
      </div>
      <div className="grid items-start gap-4 xl:grid-cols-2">
        <Card title="This billing cycle" action={<span className="hidden text-xs text-zinc-500 sm:inline">plan fees + usage, each account&apos;s own cycle</span>}>
          <OverviewRevenue revenue={data.revenue} />
        </Card>
        <Card title="Wix instances nearest their charge limit">
          <OverviewLimits limits={data.limits} tz={tz} />
        </Card>
      </div>
    </div>
  );
}
