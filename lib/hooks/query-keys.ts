/** TanStack Query keys of the dashboard's read paths (GET route handlers under app/api). */
export const overviewKeys = {
  all: ["overview"] as const,
  detail: (query: string) => [...overviewKeys.all, query] as const,
};

export const eventKeys = {
  all: ["events"] as const,
  /** The newest page of the explorer under these filters (refreshed while it is open). */
  page: (query: string) => [...eventKeys.all, "page", query] as const,
  /** Events newer than the first page a person is looking at, under their filters. */
  newer: (query: string, sinceId: string) => [...eventKeys.all, "newer", query, sinceId] as const,
};
