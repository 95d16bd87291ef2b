import { cookies } from "next/headers";
import Link from "next/link";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { parseOverviewParams, TZ_COOKIE } from "@/lib/dashboard-params";
import { db } from "@/lib/db/client";
import { filterOptions } from "@/lib/db/filter-options";
import { getOverview } from "@/lib/db/overview";
import { resolveRange } from "@/lib/domain/dashboard-range";
import { OverviewFilters } from "./overview-filters";
import { OverviewLive } from "./overview-live";
import { OverviewWarnings } from "./overview-warnings";
import { TimeZoneSync } from "./time-zone-sync";

export const metadata = { title: "Overview · Billing control room" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function OverviewPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePageUser();
  const [raw, jar] = await Promise.all([searchParams, cookies()]);
  const params = parseOverviewParams(raw, jar.get(TZ_COOKIE)?.value);
  const now = new Date();
  const rangeKey = params.from && params.to ? "custom" : params.range;
  const range = resolveRange({ range: rangeKey, from: params.from, to: params.to, bucket: params.bucket }, now, params.tz);
  const filter = { connectionId: params.connection, platform: params.platform, handle: params.handle, subjectId: params.shop ?? params.instance };
  const [connections, data, options] = await Promise.all([db().connection.count(), getOverview(range, filter, now), filterOptions(range.from)]);
  if (connections === 0) {
    return (
      <>
        <PageHeader title="Overview" />
        <EmptyState title="No platform connection yet">
          An admin adds a Shopify or Wix app under{" "}
          <Link className="text-indigo-600 dark:text-indigo-400 underline" href="/settings">
            Settings
          </Link>
          ; events and verdicts then show here.
        </EmptyState>
      </>
    );
  }
  const { tz: _tz, ...shown } = params;
  const query = new URLSearchParams(Object.entries({ ...shown, tz: range.tz }).filter((e): e is [string, string] => !!e[1])).toString();
  const explorerQuery = new URLSearchParams(
    Object.entries({ connection: params.connection, platform: params.platform, handle: params.handle, shop: params.shop, instance: params.instance }).filter(
      (e): e is [string, string] => !!e[1],
    ),
  ).toString();
  return (
    <>
      <TimeZoneSync rendered={range.tz} />
      <PageHeader title="Overview" description={`Both platforms from the ledger: what was sent, what the platforms decided, what failed and why.`} />
      <OverviewWarnings />
      <OverviewFilters params={params} options={options} range={range.key} />
      <OverviewLive initial={data} initialAt={now.getTime()} query={query} explorerQuery={explorerQuery} />
    </>
  );
}
