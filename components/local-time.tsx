"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * A timestamp shown in the viewer's time zone, always with the zone's name (UTC on the server
 * render, then the browser's), so no time on a page is ambiguous.
 */
export function LocalTime({ iso, withSeconds = false }: { iso: string | null | undefined; withSeconds?: boolean }) {
  const onClient = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  if (!iso) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
    timeZoneName: "short",
    ...(onClient ? {} : { timeZone: "UTC" }),
  };
  return (
    <time dateTime={iso} title={iso} suppressHydrationWarning>
      {new Intl.DateTimeFormat("en-GB", options).format(date)}
    </time>
  );
}
