"use client";

import { useSyncExternalStore } from "react";

const TICK_MS = 5_000;
const subscribe = (onTick: () => void) => {
  const id = setInterval(onTick, TICK_MS);
  return () => clearInterval(id);
};
/** The clock, in 5-second steps (null on the server, so the server render and hydration agree). */
const useClock = () =>
  useSyncExternalStore(
    subscribe,
    () => Math.floor(Date.now() / TICK_MS) * TICK_MS,
    () => null,
  );

const time = (ms: number, tz: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" }).format(
    new Date(ms),
  );

const day = (ms: number, tz: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: tz, year: "numeric", month: "short", day: "2-digit" }).format(new Date(ms));
/** A moment of another day than `now` carries its date: "11:02:30 UTC" alone would read as today. */
const moment = (ms: number, now: number | null, tz: string) => {
  const on = day(ms, tz);
  return now !== null && on === day(now, tz) ? time(ms, tz) : `${on}, ${time(ms, tz)}`;
};

/** "Live" line: when the data last changed, when it was last checked, and the newest event's arrival. */
export function LiveStatus({
  changedAt,
  fetchedAt,
  latestEventAt,
  fetching,
  failed,
  tz,
}: {
  changedAt: number;
  fetchedAt: number;
  latestEventAt: string | null;
  fetching: boolean;
  failed: boolean;
  tz: string;
}) {
  const now = useClock();
  const ago = now === null ? null : Math.max(0, Math.round((now - fetchedAt) / 1000));
  return (
    <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite" data-testid="live-status">
      <span className="inline-flex items-center gap-1.5">
        <span className={`inline-block size-2 rounded-full ${failed ? "bg-red-500" : fetching ? "animate-pulse bg-indigo-500" : "bg-emerald-500"}`} />
        {failed ? "Refresh failed; retrying" : "Live"}
      </span>
      <span>Data changed {time(changedAt, tz)}</span>
      {ago !== null && <span>checked {ago < 5 ? "just now" : `${ago} s ago`}</span>}
      {latestEventAt && <span>newest event received {moment(Date.parse(latestEventAt), now ?? changedAt, tz)}</span>}
    </p>
  );
}
