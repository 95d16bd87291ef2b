"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { PendingLink } from "@/components/pending-link";
import { Spinner } from "@/components/spinner";
import { inputClass } from "@/components/ui/form";
import type { FilterOptions } from "@/lib/db/filter-options";
import type { OverviewParams } from "@/lib/dashboard-params";
import { useFilterNavigation } from "@/lib/hooks/use-filter-navigation";
import { FilterPanel } from "./filter-panel";

const RANGES = [
  { key: "1h", label: "Last hour" },
  { key: "24h", label: "24 h" },
  { key: "7d", label: "7 days" },
  { key: "30d", label: "30 days" },
] as const;

/**
 * The Overview's filters, as a GET form (the URL is the state, so a view can be shared). Nothing
 * applies until "Apply" (or Enter), so moving through a select with the arrow keys reloads
 * nothing (WCAG 3.2.2); while the next view loads the form is marked busy and dimmed, and a range
 * link shows its own spinner.
 */
export function OverviewFilters({ params, options, range }: { params: OverviewParams; options: FilterOptions; range: string }) {
  const pathname = usePathname();
  const { submit, pending } = useFilterNavigation(pathname);
  const keep = (extra: Record<string, string>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, ...extra })) if (v && k !== "tz" && !(k in extra && !extra[k])) q.set(k, v);
    return `${pathname}?${q.toString()}`;
  };
  const select = (name: keyof OverviewParams, label: string, choices: { value: string; label: string }[]) => (
    <label className="text-xs">
      <span className="mb-1 block text-zinc-500 dark:text-zinc-400">{label}</span>
      <select name={name} defaultValue={params[name] ?? ""} className={inputClass}>
        <option value="">All</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="mb-4 space-y-3">
      <nav aria-label="Time range" className="flex flex-wrap items-center gap-1">
        {RANGES.map((r) => (
          <PendingLink
            key={r.key}
            href={keep({ range: r.key, from: "", to: "", bucket: "" })}
            aria-current={range === r.key ? "true" : undefined}
            className="rounded-md border border-zinc-300 py-1.5 pr-2 pl-3 text-sm aria-[current=true]:border-indigo-600 aria-[current=true]:bg-indigo-600 aria-[current=true]:text-white dark:border-zinc-700"
          >
            {r.label}
          </PendingLink>
        ))}
        {(range === "7d" || range === "30d" || range === "custom") && (
          <span className="ml-2 inline-flex gap-1 text-xs">
            {(["day", "hour"] as const).map((b) => (
              <PendingLink
                key={b}
                href={keep({ bucket: b })}
                aria-current={(params.bucket ?? "day") === b ? "true" : undefined}
                className="rounded py-1 pr-1 pl-2 text-zinc-600 aria-[current=true]:bg-zinc-200 aria-[current=true]:font-medium dark:text-zinc-300 dark:aria-[current=true]:bg-zinc-800"
              >
                {b === "day" ? "Daily" : "Hourly"}
              </PendingLink>
            ))}
          </span>
        )}
      </nav>
      <FilterPanel active={["connection", "platform", "handle", "shop", "instance", "from"].filter((k) => params[k as keyof OverviewParams]).length}>
        <form
          action={pathname}
          onSubmit={submit}
          aria-busy={pending}
          data-testid="overview-filters"
          className={`grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7 ${pending ? "opacity-70" : ""}`}
        >
          <input type="hidden" name="range" value={range} />
          {params.bucket && <input type="hidden" name="bucket" value={params.bucket} />}
          <label className="text-xs">
            <span className="mb-1 block text-zinc-500 dark:text-zinc-400">From (custom range)</span>
            <input type="date" name="from" defaultValue={params.from} className={inputClass} />
          </label>
          <label className="text-xs">
            <span className="mb-1 block text-zinc-500 dark:text-zinc-400">To (inclusive)</span>
            <input type="date" name="to" defaultValue={params.to} className={inputClass} />
          </label>
          {select(
            "connection",
            "Connection",
            options.connections.map((c) => ({ value: c.id, label: `${c.name} (${c.platform})` })),
          )}
          {select("platform", "Platform", [
            { value: "shopify", label: "Shopify" },
            { value: "wix", label: "Wix" },
          ])}
          {select(
            "handle",
            "Meter / handle",
            [...new Set([...options.handles, ...(params.handle ? [params.handle] : [])])].map((h) => ({ value: h, label: h })),
          )}
          {select(
            "shop",
            "Shop",
            options.shops.map((s) => ({ value: s.id, label: s.label })),
          )}
          {select(
            "instance",
            "Wix instance",
            options.instances.map((i) => ({ value: i.id, label: i.label })),
          )}
          <div className="col-span-2 flex items-end gap-2 md:col-span-4 xl:col-span-7">
            <button
              type="submit"
              disabled={pending}
              aria-busy={pending}
              className="inline-flex items-center gap-2 rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white disabled:bg-indigo-400"
            >
              {pending && <Spinner className="h-3.5 w-3.5" />}
              {pending ? "Applying…" : "Apply"}
            </button>
            <Link href={pathname} className="px-2 py-1.5 text-sm text-zinc-500 dark:text-zinc-400">
              Reset
            </Link>
          </div>
        </form>
      </FilterPanel>
    </div>
  );
}
