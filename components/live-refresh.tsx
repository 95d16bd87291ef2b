"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the page every second while something on it still waits for the platform. */
export function LiveRefresh({ active, label }: { active: boolean; label: string }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, 1000);
    return () => clearInterval(timer);
  }, [active, router]);
  if (!active) return null;
  return (
    <p className="inline-flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
      <span className="inline-block size-2 animate-pulse rounded-full bg-indigo-500" />
      {label}
    </p>
  );
}
