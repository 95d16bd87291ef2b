"use client";

import Form from "next/form";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { inputClass } from "@/components/ui/form";
import type { FilterOptions } from "@/lib/db/filter-options";
import type { OverviewParams } from "@/lib/dashboard-params";
import { FilterPanel } from "./filter-panel";

const RANGES = [
  { key: "1h", label: "Last hour" },
  { key: "24h", label: "24 h" },
  { key: "7d", label: "7 days" },
  { key: "30d", label: "30 days" },
] as const;

/**
 * The Overview's filters, as a GET form (the URL is the state, so a view can be shared); a
 * change submits it, and next/form navigates without a full reload.
 */
export function OverviewFilters({ params, options, range }: { params: OverviewParams; options: FilterOptions; range: string }) {
  const pathname = usePathname();
  const submit = (e: React.ChangeEvent<HTMLSelectElement>) => e.currentTarget.form?.requestSubmit();
  const keep = (extra: Record<string, string>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, ...extra })) if (v && k !== "tz" && !(k in extra && !extra[k])) q.set(k, v);
    return `${pathname}?${q.toString()}`;
  };
  const select = (name: keyof OverviewParams, label: string, choices: { value: string; label: string }[]) => (
    <label className="text-xs">
      <span className="mb-1 block text-zinc-500 dark:text-zinc-400">{label}</span>
      <select name={name} defaultValue={params[name] ?? ""} onChange={submit} className={inputClass}>
        <option value="">All</option>
        {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
      </select>
    </label>
  );
  return (
    <div className="mb-4 space-y-3">
      <nav aria-label="Time range" className="flex flex-wrap items-center gap-1">
        {RANGES.map((r) => (
          <Link
            key={r.key} href={keep({ range: r.key, from: "", to: "", bucket: "" })} aria-current={range === r.key ? "true" : undefined}
            className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm aria-[current=true]:border-indigo-600 aria-[current=true]:bg-indigo-600 aria-[current=true]:text-white dark:border-zinc-700"
          >
            {r.label}
          </Link>
        ))}
        {(range === "7d" || range === "30d" || range === "custom") && (
          <span className="ml-2 inline-flex gap-1 text-xs">
            {(["day", "hour"] as const).map((b) => (
              <Link key={b} href={keep({ bucket: b })} aria-current={(params.bucket ?? "day") === b ? "true" : undefined}
                className="rounded px-2 py-1 text-zinc-600 aria-[current=true]:bg-zinc-200 aria-[current=true]:font-medium dark:text-zinc-300 dark:aria-[current=true]:bg-zinc-800">
                {b === "day" ? "Daily" : "Hourly"}
              </Link>
            ))}
          </span>
        )}
      </nav>
      <FilterPanel active={["connection", "platform", "handle", "shop", "instance", "from"].filter((k) => params[k as keyof OverviewParams]).length}>
        <Form action={pathname} className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7">
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
          {select("connection", "Connection", options.connections.map((c) => ({ value: c.id, label: `${c.name} (${c.platform})` })))}
          {select("platform", "Platform", [{ value: "shopify", label: "Shopify" }, { value: "wix", label: "Wix" }])}
          {select("handle", "Meter / handle", [...new Set([...options.handles, ...(params.handle ? [params.handle] : [])])].map((h) => ({ value: h, label: h })))}
          {select("shop", "Shop", options.shops.map((s) => ({ value: s.id, label: s.label })))}
          {select("instance", "Wix instance", options.instances.map((i) => ({ value: i.id, label: i.label })))}
          <div className="col-span-2 flex items-end gap-2 md:col-span-4 xl:col-span-7">
            <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white">Apply</button>
            <Link href={pathname} className="px-2 py-1.5 text-sm text-zinc-500">Reset</Link>
          </div>
        </Form>
      </FilterPanel>
    </div>
  );
}
