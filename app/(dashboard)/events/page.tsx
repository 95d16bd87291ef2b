import { cookies } from "next/headers";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { explorerQuery, parseExplorerParams, toEventFilter, TZ_COOKIE } from "@/lib/dashboard-params";
import { decodeCursor, eventRowView, listEvents } from "@/lib/db/events";
import { filterOptions } from "@/lib/db/filter-options";
import { conflictCount } from "@/lib/db/idempotency-conflicts";
import { personalDataCatchCount } from "@/lib/db/personal-data-catches";
import { zonedInputValue } from "@/lib/domain/dashboard-range";
import { FilterPanel } from "../filter-panel";
import { ExplorerFilters } from "./explorer-filters";
import { LiveEvents } from "./live-events";

export const metadata = { title: "Events · Billing control room" };

const DAY = 86_400_000;

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  const [raw, jar] = await Promise.all([searchParams, cookies()]);
  const { params, cursor } = parseExplorerParams(raw, jar.get(TZ_COOKIE)?.value);
  const filter = toEventFilter(params);
  const renderedAt = Date.now();
  const [page, options, conflicts, personal] = await Promise.all([
    listEvents(filter, decodeCursor(cursor)),
    filterOptions(new Date(Date.now() - 30 * DAY)),
    conflictCount(new Date(Date.now() - 30 * DAY)),
    personalDataCatchCount(new Date(Date.now() - 30 * DAY)),
  ]);
  const query = explorerQuery(params);
  return (
    <>
      <PageHeader
        title="Events"
        description="Every billing event in the ledger, newest first. Filters live in the URL, so a view can be shared."
        actions={
          <div className="flex gap-2">
            <a
              href={`/api/events/export${query ? `?${query}` : ""}`}
              className="rounded-md border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-700"
              data-testid="export-csv"
              download
            >
              Export CSV
            </a>
            {hasRole(user.role, "operator") ? (
              <Link href="/events/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white">
                Send an event
              </Link>
            ) : (
              <p className="self-center text-xs text-zinc-600 dark:text-zinc-400">Sending events needs the operator role: ask an admin.</p>
            )}
          </div>
        }
      />
      <p className="mb-4 text-sm text-zinc-700 dark:text-zinc-300" data-testid="conflict-count">
        {conflicts.keys === 0
          ? "No idempotency conflicts in the last 30 days."
          : `${conflicts.keys.toLocaleString("en")} idempotency ${conflicts.keys === 1 ? "conflict" : "conflicts"} in the last 30 days (${conflicts.sends.toLocaleString("en")} ${conflicts.sends === 1 ? "send" : "sends"}): a key already used was sent again with a different event; each was refused and nothing changed.`}
      </p>
      <p className="mb-4 text-sm text-zinc-700 dark:text-zinc-300" data-testid="personal-data-count">
        {personal.refused + personal.held === 0
          ? "No personal data caught in Shopify attributes in the last 30 days."
          : `Personal data caught in Shopify attributes in the last 30 days: ${personal.refused.toLocaleString("en")} ${personal.refused === 1 ? "event" : "events"} refused, ${personal.held.toLocaleString("en")} held with a warning (Shopify forbids it there).`}
        {personal.held > 0 && (
          <>
            {" "}
            <Link href="/events?state=held" className="text-indigo-600 underline dark:text-indigo-400">
              See held events
            </Link>
          </>
        )}
      </p>
      {raw.denied === "send" && (
        <p role="status" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Sending events needs the operator role; you are signed in as a {user.role}. Ask an admin to change your role.
        </p>
      )}
      <Card>
        <FilterPanel active={query ? query.split("&").length : 0}>
          <ExplorerFilters
            params={params}
            options={options}
            codes={options.codes}
            zone={params.tz}
            fromValue={filter.from ? zonedInputValue(filter.from, params.tz) : ""}
            toValue={filter.to ? zonedInputValue(filter.to, params.tz) : ""}
          />
        </FilterPanel>
      </Card>
      <div className="mt-4">
        <Card>
          <LiveEvents
            initial={{ rows: page.rows.map(eventRowView), nextCursor: page.nextCursor }}
            initialAt={renderedAt}
            query={query}
            cursor={cursor ?? null}
          />
        </Card>
      </div>
    </>
  );
}
