import { cookies } from "next/headers";
import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { explorerQuery, parseExplorerParams, toEventFilter, TZ_COOKIE } from "@/lib/dashboard-params";
import { decodeCursor, listEvents } from "@/lib/db/events";
import { latestEventId } from "@/lib/db/events-newer";
import { filterOptions } from "@/lib/db/filter-options";
import { zonedInputValue } from "@/lib/domain/dashboard-range";
import { FilterPanel } from "../filter-panel";
import { EventsTable } from "./events-table";
import { ExplorerFilters } from "./explorer-filters";
import { NewEventsBanner } from "./new-events-banner";

export const metadata = { title: "Events · Billing control room" };

const DAY = 86_400_000;

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  const [raw, jar] = await Promise.all([searchParams, cookies()]);
  const { params, cursor } = parseExplorerParams(raw, jar.get(TZ_COOKIE)?.value);
  const filter = toEventFilter(params);
  const [page, latestId, options] = await Promise.all([
    listEvents(filter, decodeCursor(cursor)),
    latestEventId(),
    filterOptions(new Date(Date.now() - 30 * DAY)),
  ]);
  const query = explorerQuery(params);
  const link = (extra: Record<string, string | undefined> = {}) => {
    const q = explorerQuery(params, extra);
    return q ? `/events?${q}` : "/events";
  };
  return (
    <>
      <PageHeader
        title="Events"
        description="Every billing event in the ledger, newest first. Filters live in the URL, so a view can be shared."
        actions={
          <div className="flex gap-2">
            <a href={`/api/events/export${query ? `?${query}` : ""}`} className="rounded-md border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-700" data-testid="export-csv" download>
              Export CSV
            </a>
            {hasRole(user.role, "operator") && (
              <Link href="/events/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white">Send an event</Link>
            )}
          </div>
        }
      />
      <Card>
        <FilterPanel active={query ? query.split("&").length : 0}>
          <ExplorerFilters
            params={params} options={options} codes={options.codes}
            fromValue={filter.from ? zonedInputValue(filter.from, params.tz) : ""}
            toValue={filter.to ? zonedInputValue(filter.to, params.tz) : ""}
          />
        </FilterPanel>
      </Card>
      <div className="mt-4">
        {!cursor && <NewEventsBanner query={query} sinceId={latestId.toString()} newestHref={link()} />}
        <Card>
          {page.rows.length === 0 ? (
            <EmptyState title="No events match">Change the filters, or send an event from the ingest API.</EmptyState>
          ) : (
            <EventsTable rows={page.rows} />
          )}
          <nav className="mt-4 flex justify-between text-sm" aria-label="Pages">
            {cursor ? <Link href={link()} className="text-indigo-600 dark:text-indigo-400">← Newest</Link> : <span />}
            {page.nextCursor && (
              <Link href={link({ cursor: page.nextCursor })} className="text-indigo-600 dark:text-indigo-400" data-testid="older-page">Older →</Link>
            )}
          </nav>
        </Card>
      </div>
    </>
  );
}
