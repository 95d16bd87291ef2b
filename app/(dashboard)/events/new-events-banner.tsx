"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { eventKeys } from "@/lib/hooks/query-keys";

const POLL_MS = 10_000;

/**
 * Polls for matching events that arrived after the page was rendered (every 10 s while the tab is
 * visible) and offers them in a banner; rows are never inserted above the reader. "Show" reloads
 * the newest page.
 */
export function NewEventsBanner({ query, sinceId, newestHref }: { query: string; sinceId: string; newestHref: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const { data } = useQuery({
    queryKey: eventKeys.newer(query, sinceId),
    queryFn: async ({ signal }): Promise<{ count: number; capped: boolean }> => {
      const res = await fetch(`/api/events?${query}${query ? "&" : ""}since=${sinceId}`, { signal });
      if (!res.ok) throw new Error(`events: HTTP ${res.status}`);
      return res.json();
    },
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: POLL_MS,
  });
  if (!data?.count) return null;
  const label = `${data.capped ? `${data.count.toLocaleString("en")}+` : data.count.toLocaleString("en")} new event${data.count === 1 ? "" : "s"}`;
  return (
    <div role="status" className="mb-3 flex items-center justify-between rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-2 text-sm text-indigo-800 dark:border-indigo-900 dark:bg-indigo-950 dark:text-indigo-200" data-testid="new-events-banner">
      <span>{label} since this page loaded</span>
      <button
        type="button" disabled={pending} className="font-medium underline disabled:opacity-50"
        onClick={() => startTransition(() => { router.push(newestHref); router.refresh(); })}
      >
        Show
      </button>
    </div>
  );
}
