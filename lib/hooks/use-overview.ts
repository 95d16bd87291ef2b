"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { OverviewData } from "../db/overview";
import { overviewKeys } from "./query-keys";

const OVERVIEW_POLL_MS = 15_000;

/**
 * The Overview's data, server-rendered first, then polled every 15 s while the tab is visible
 * (TanStack pauses interval refetches in background tabs). `changedAt` is when the data last
 * differed from the previous answer, not merely when it was fetched.
 */
export function useOverview(query: string, initial: OverviewData, initialAt: number) {
  const result = useQuery({
    queryKey: overviewKeys.detail(query),
    queryFn: async ({ signal }): Promise<OverviewData> => {
      const res = await fetch(`/api/overview?${query}`, { signal, headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(`overview: HTTP ${res.status}`);
      return res.json();
    },
    initialData: initial,
    initialDataUpdatedAt: initialAt,
    refetchInterval: OVERVIEW_POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: OVERVIEW_POLL_MS,
  });
  // Structural sharing keeps each part the same object while it did not change (the range's end,
  // "now", moves on every answer, so it is left out).
  const { volume, failures, kpis, revenue, limits } = result.data;
  const parts = [volume, failures, kpis, revenue, limits];
  const [seen, setSeen] = useState({ parts, at: initialAt });
  if (parts.some((p, i) => p !== seen.parts[i])) setSeen({ parts, at: result.dataUpdatedAt });
  return { ...result, changedAt: seen.at };
}
