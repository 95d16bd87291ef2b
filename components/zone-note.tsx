"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** Says once per page which zone its times are shown in (LocalTime's: the browser's; UTC until it loads). */
export function ZoneNote() {
  const zone = useSyncExternalStore(subscribe, browserZone, () => "UTC");
  return (
    <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="zone-note">
      Times in <span className="font-medium">{zone}</span>
    </p>
  );
}
