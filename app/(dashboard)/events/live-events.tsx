"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { EmptyState } from "@/components/ui/card";
import type { EventRowView } from "@/lib/db/events";
import { eventKeys } from "@/lib/hooks/query-keys";
import { EventsTable } from "./events-table";

const EVENTS_POLL_MS = 10_000;

type Page = { rows: EventRowView[]; nextCursor: string | null };

/**
 * The explorer's page, refreshed like the Overview: the newest page (no cursor) is fetched again
 * from /api/events every 10 s while the tab is visible, under the same filters, and new events
 * appear at the top. Rows keep their keys, so nothing under the reader is re-created: focus stays
 * where it was, and the browser's scroll anchoring keeps what is on screen in place. Older pages
 * are history and stay as rendered.
 */
export function LiveEvents({ initial, initialAt, query, cursor }: { initial: Page; initialAt: number; query: string; cursor: string | null }) {
  const live = !cursor;
  const { data, isError, isFetching } = useQuery({
    queryKey: eventKeys.page(query),
    queryFn: async ({ signal }): Promise<Page> => {
      const res = await fetch(`/api/events${query ? `?${query}` : ""}`, { signal, headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(`events: HTTP ${res.status}`);
      return res.json();
    },
    initialData: initial,
    initialDataUpdatedAt: initialAt,
    enabled: live,
    refetchInterval: live ? EVENTS_POLL_MS : false,
    refetchIntervalInBackground: false,
    staleTime: EVENTS_POLL_MS,
  });
  const page = live ? data : initial;
  // Rows that arrived after the page was opened, marked "new" (and counted for screen readers).
  const [seen] = useState(() => new Set(initial.rows.map((r) => r.id)));
  const fresh = new Set(page.rows.filter((r) => !seen.has(r.id)).map((r) => r.id));
  const withCursor = (c: string | null) => [query, c ? `cursor=${encodeURIComponent(c)}` : ""].filter(Boolean).join("&");
  const listQuery = withCursor(cursor);
  return (
    <>
      {live && (
        <p className="mb-3 flex flex-wrap items-center gap-x-3 text-xs text-zinc-600 dark:text-zinc-400" data-testid="events-live">
          <span className="inline-flex items-center gap-1.5">
            <span
              aria-hidden
              className={`inline-block size-2 rounded-full ${isError ? "bg-red-500" : isFetching ? "animate-pulse bg-indigo-500" : "bg-emerald-500"}`}
            />
            {isError ? "Refresh failed; retrying" : `Refreshes every ${EVENTS_POLL_MS / 1000} s`}
          </span>
          <span aria-live="polite" data-testid="new-events-count">
            {fresh.size > 0 ? `${fresh.size} new event${fresh.size === 1 ? "" : "s"} since you opened this page` : ""}
          </span>
        </p>
      )}
      {page.rows.length === 0 ? (
        <EmptyState title="No events match">Change the filters, or send an event from the ingest API.</EmptyState>
      ) : (
        <EventsTable rows={page.rows} listQuery={listQuery} fresh={fresh} />
      )}
      <nav className="mt-4 flex justify-between text-sm" aria-label="Pages">
        {cursor ? (
          <Link href={query ? `/events?${query}` : "/events"} className="text-indigo-600 dark:text-indigo-400">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor && (
          <Link href={`/events?${withCursor(page.nextCursor)}`} className="text-indigo-600 dark:text-indigo-400" data-testid="older-page">
            Older →
          </Link>
        )}
      </nav>
    </>
  );
}
