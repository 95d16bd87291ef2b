"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Tells the server the browser's IANA time zone (cookie `tz`, a year), and re-renders once when it
 * differed from the zone the page was rendered in, so buckets follow the viewer's days.
 */
export function TimeZoneSync({ rendered }: { rendered: string }) {
  const router = useRouter();
  useEffect(() => {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!tz) return;
    document.cookie = `tz=${encodeURIComponent(tz)}; path=/; max-age=31536000; samesite=lax`;
    if (tz !== rendered) router.refresh();
  }, [rendered, router]);
  return null;
}
