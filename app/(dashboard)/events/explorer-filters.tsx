"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { inputClass } from "@/components/ui/form";
import type { FilterOptions } from "@/lib/db/filter-options";
import type { ExplorerParams } from "@/lib/dashboard-params";

const VERDICTS = ["billable", "non_billable", "failed"];

/**
 * Every explorer filter as a GET form: the URL holds the view, so it can be shared. Nothing
 * applies until "Filter" (or Enter), so moving through a select with the arrow keys reloads
 * nothing (WCAG 3.2.2); while the next page loads the form says so. Time bounds are read in
 * the viewer's zone, which the labels name.
 */
export function ExplorerFilters({
  params,
  options,
  fromValue,
  toValue,
  codes,
  zone,
}: {
  params: ExplorerParams;
  options: FilterOptions;
  fromValue: string;
  toValue: string;
  codes: string[];
  zone: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const query = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget)) if (typeof v === "string" && v.trim()) query.set(k, v.trim());
    startTransition(() => router.push(query.size ? `/events?${query}` : "/events"));
  };
  const select = (name: keyof ExplorerParams, label: string, choices: (string | { value: string; label: string })[]) => (
    <label className="text-xs">
      <span className="mb-1 block text-zinc-600 dark:text-zinc-400">{label}</span>
      <select name={name} defaultValue={params[name] ?? ""} className={inputClass}>
        <option value="">any</option>
        {choices
          .map((c) => (typeof c === "string" ? { value: c, label: c } : c))
          .map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
      </select>
    </label>
  );
  const text = (name: keyof ExplorerParams, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className="text-xs">
      <span className="mb-1 block text-zinc-600 dark:text-zinc-400">{label}</span>
      <input name={name} defaultValue={params[name]} className={inputClass} {...props} />
    </label>
  );
  return (
    <form
      action="/events"
      onSubmit={submit}
      aria-busy={pending}
      className={`grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7 ${pending ? "opacity-70" : ""}`}
      data-testid="explorer-filters"
    >
      {select("platform", "Platform", ["shopify", "wix"])}
      {select(
        "connection",
        "Connection",
        options.connections.map((c) => ({ value: c.id, label: c.name })),
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
      {text("handle", "Handle", { list: "explorer-handles", placeholder: "sms_sent" })}
      {select("state", "Delivery", ["received", "held", "queued", "sending", "accepted", "retrying", "failed", "outcome_unknown", "voided"])}
      {select("source", "Source", ["api", "ui", "import", "scenario"])}
      {select("predicted", "Predicted verdict", VERDICTS)}
      {select("verdict", "Platform verdict", [...VERDICTS, "pending"])}
      {select("outcome", "Outcome (as charted)", [...VERDICTS, "pending"])}
      {text("code", "Code", { list: "explorer-codes", placeholder: "NO_SUBSCRIPTION" })}
      <label className="text-xs">
        <span className="mb-1 block text-zinc-600 dark:text-zinc-400">From ({zone})</span>
        <input type="datetime-local" name="from" defaultValue={fromValue} className={inputClass} />
      </label>
      <label className="text-xs">
        <span className="mb-1 block text-zinc-600 dark:text-zinc-400">To, before ({zone})</span>
        <input type="datetime-local" name="to" defaultValue={toValue} className={inputClass} />
      </label>
      {text("q", "Key starts with", { spellCheck: false, autoComplete: "off" })}
      <datalist id="explorer-handles">
        {options.handles.map((h) => (
          <option key={h} value={h} />
        ))}
      </datalist>
      <datalist id="explorer-codes">
        {codes.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <div className="col-span-2 flex items-end gap-2 md:col-span-4 xl:col-span-7">
        <button
          className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white disabled:bg-indigo-400"
          type="submit"
          disabled={pending}
          aria-busy={pending}
        >
          {pending ? "Filtering…" : "Filter"}
        </button>
        <Link className="px-2 py-1.5 text-sm text-zinc-600 dark:text-zinc-400" href="/events">
          Clear
        </Link>
      </div>
    </form>
  );
}
