import { Spinner } from "./spinner";

/**
 * A dashboard section's loading.tsx: shown at once while the next page is read, so a slow
 * navigation never looks like a dead click. Announced politely as busy; the grey blocks stand
 * where the header and the first card will be.
 */
export function SectionLoading({ what }: { what: string }) {
  return (
    <div role="status" aria-busy="true" aria-live="polite" data-testid="section-loading">
      <p className="mb-6 flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-300">
        <Spinner />
        Loading {what}…
      </p>
      <div aria-hidden className="animate-pulse space-y-4 motion-reduce:animate-none">
        <div className="h-7 w-56 rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-40 rounded-xl bg-zinc-100 dark:bg-zinc-900" />
        <div className="h-24 rounded-xl bg-zinc-100 dark:bg-zinc-900" />
      </div>
    </div>
  );
}
