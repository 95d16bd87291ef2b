"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** A timestamp shown in the viewer's time zone (UTC on the server render, then the browser's). */
export function LocalTime({ iso, withSeconds = false }: { iso: string | null | undefined; withSeconds?: boolean }) {
  const onClient = useSyncExternalStore(subscribe, () => true, () => false);
  if (!iso) return <span className="text-zinc-400">—</span>;
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = {
    year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
    ...(onClient ? {} : { timeZone: "UTC", timeZoneName: "short" }),
  };
  return (
    <time dateTime={iso} title={iso} suppressHydrationWarning>
      {new Intl.DateTimeFormat("en-GB", options).format(date)}
    </time>
  );
}
