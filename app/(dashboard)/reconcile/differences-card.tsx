import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Card } from "@/components/ui/card";
import type { DifferenceFilter, DifferenceRow } from "@/lib/db/reconcile";
import { formatMoney, toDecimal } from "@/lib/domain/money";
import { DIFFERENCE_KINDS, KIND_LABEL, moneyByCurrency, type DifferenceKind } from "@/lib/domain/reconcile";
import { BulkResolveForm } from "./reconcile-forms";

const link = "text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300";
const money = (amount: string, currency: string) => formatMoney({ amount: toDecimal(amount), currency }, "en-US", { exact: true });
const select = "rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";

/** The differences to work through: summary per kind, filters, one page, and one action for many. */
export function DifferencesCard({
  filter,
  summary,
  page,
  facets,
  query,
  operator,
}: {
  filter: DifferenceFilter;
  summary: { kind: DifferenceKind; currency: string; count: number; amount: string }[];
  page: { rows: DifferenceRow[]; next: string | null };
  facets: { shops: { id: string; domain: string }[]; meters: string[] };
  query: (extra: Record<string, string | undefined>) => string;
  operator: boolean;
}) {
  const count = summary.reduce((a, s) => a + s.count, 0);
  const totals = moneyByCurrency(summary);
  return (
    <Card className="mt-4" title={`Differences: ${filter.state} (${count.toLocaleString("en")})`}>
      <div role="region" aria-label="Difference totals" tabIndex={0} className="overflow-x-auto scroll-cue">
        <table className="w-full text-left text-sm tabular-nums" data-testid="difference-summary">
          <caption className="sr-only">Count and money per kind</caption>
          <thead className="text-xs text-zinc-600 dark:text-zinc-400">
            <tr>
              <th scope="col" className="py-1">
                Kind
              </th>
              <th scope="col" className="text-right">
                Count
              </th>
              <th scope="col" className="text-right">
                Money (ours − platform)
              </th>
            </tr>
          </thead>
          <tbody>
            {DIFFERENCE_KINDS.map((k) => {
              const rows = summary.filter((s) => s.kind === k);
              if (!rows.length) return null;
              return (
                <tr key={k}>
                  <td className="py-1">
                    <Link className={link} href={query({ kind: k, after: undefined })}>
                      {KIND_LABEL[k]}
                    </Link>
                  </td>
                  <td className="text-right">{rows.reduce((a, r) => a + r.count, 0).toLocaleString("en")}</td>
                  <td className="text-right">{rows.map((r) => money(r.amount, r.currency)).join(" · ")}</td>
                </tr>
              );
            })}
            <tr className="border-t border-zinc-200 font-medium dark:border-zinc-800">
              <td className="py-1">All</td>
              <td className="text-right">{count.toLocaleString("en")}</td>
              <td className="text-right">{totals.length ? totals.map((t) => money(t.amount, t.currency)).join(" · ") : "—"}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <form method="get" className="mt-3 flex flex-wrap items-end gap-2" aria-label="Filter differences">
        <input type="hidden" name="connection" value={filter.connectionId} />
        {filter.cycleId && <input type="hidden" name="cycle" value={filter.cycleId} />}
        <label className="text-xs text-zinc-700 dark:text-zinc-300">
          Shop
          <br />
          <select name="shop" defaultValue={filter.subjectId ?? ""} className={`${select} max-w-[12rem]`}>
            <option value="">all</option>
            {facets.shops.map((s) => (
              <option key={s.id} value={s.id}>
                {s.domain}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs text-zinc-700 dark:text-zinc-300">
          Meter
          <br />
          <select name="meter" defaultValue={filter.handle ?? ""} className={select}>
            <option value="">all</option>
            {facets.meters.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label className="text-xs text-zinc-700 dark:text-zinc-300">
          Kind
          <br />
          <select name="kind" defaultValue={filter.kind ?? ""} className={select}>
            <option value="">all</option>
            {DIFFERENCE_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs text-zinc-700 dark:text-zinc-300">
          State
          <br />
          <select name="state" defaultValue={filter.state} className={select}>
            <option value="open">open</option>
            <option value="resolved">resolved</option>
            <option value="cleared">cleared (match now)</option>
          </select>
        </label>
        <button type="submit" className="rounded-md border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-700">
          Filter
        </button>
        {(filter.subjectId || filter.handle || filter.kind || filter.cycleId || filter.state !== "open") && (
          <Link className={`${link} text-sm`} href={`/reconcile?connection=${filter.connectionId}`}>
            Clear filters
          </Link>
        )}
      </form>
      {page.rows.length === 0 ? (
        <p className="mt-3 text-sm text-emerald-800 dark:text-emerald-300">
          {filter.state === "open" ? "No open difference here: every number matches the platform's stored figures." : "None."}
        </p>
      ) : (
        <BulkResolveForm enabled={operator && filter.state === "open"}>
          <div role="region" aria-label="Difference rows" tabIndex={0} className="mt-3 overflow-x-auto scroll-cue">
            <table className="w-full min-w-[56rem] text-left text-sm tabular-nums" data-testid="differences">
              <caption className="sr-only">Differences, oldest first</caption>
              <thead className="text-xs text-zinc-600 dark:text-zinc-400">
                <tr>
                  {operator && filter.state === "open" && (
                    <th scope="col" className="w-8 py-1">
                      <span className="sr-only">Select</span>
                    </th>
                  )}
                  <th scope="col" className="py-1">
                    When
                  </th>
                  <th scope="col">Shop</th>
                  <th scope="col">Meter</th>
                  <th scope="col">Kind</th>
                  <th scope="col" className="text-right">
                    Units ours / platform
                  </th>
                  <th scope="col" className="text-right">
                    Money
                  </th>
                  <th scope="col" className="pl-3">
                    Verdict ours / platform
                  </th>
                  <th scope="col">Event</th>
                  {filter.state !== "open" && <th scope="col">Resolved</th>}
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {page.rows.map((d) => (
                  <tr key={d.id} data-testid={`difference-${d.key}`}>
                    {operator && filter.state === "open" && (
                      <td className="py-1.5">
                        <input type="checkbox" name={`d-${d.id}`} aria-label={`Select ${KIND_LABEL[d.kind]} ${d.key}`} className="size-4" />
                      </td>
                    )}
                    <td className="py-1.5 text-xs whitespace-nowrap">
                      <LocalTime iso={d.occurred_at?.toISOString() ?? null} />
                    </td>
                    <td className="max-w-[12rem] truncate text-xs">{d.subject ?? "—"}</td>
                    <td className="font-mono text-xs">{d.handle}</td>
                    <td className="text-xs">
                      {KIND_LABEL[d.kind]}
                      <span className="block font-mono text-zinc-600 dark:text-zinc-400">{d.key}</span>
                    </td>
                    <td className="text-right">
                      {d.our_units ?? "—"} / {d.platform_units ?? "—"}
                    </td>
                    <td className="text-right whitespace-nowrap">{money(d.amount, d.currency)}</td>
                    <td className="pl-3 text-xs">
                      {d.our_verdict ?? "—"} / {d.platform_verdict ?? "—"}
                    </td>
                    <td className="text-xs whitespace-nowrap">
                      {d.eventId ? (
                        <>
                          <Link className={link} href={`/events/${d.eventId}`}>
                            #{d.eventId}
                          </Link>{" "}
                          ·{" "}
                          <Link className={link} href={`/events/${d.eventId}#attempts`}>
                            {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                          </Link>
                        </>
                      ) : (
                        "not in our ledger"
                      )}
                    </td>
                    {filter.state !== "open" && (
                      <td className="text-xs">
                        {d.resolved_by} · <LocalTime iso={d.resolved_at?.toISOString() ?? null} />
                        {d.resolution && <> · {d.resolution.replace("_", " ")}</>}
                        {d.note && <span className="block">“{d.note}”</span>}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </BulkResolveForm>
      )}
      {page.next && (
        <Link className={`${link} mt-2 inline-block text-sm`} href={query({ after: page.next })}>
          Next page →
        </Link>
      )}
      {filter.state === "open" && (
        <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
          Money is the difference at the meter&apos;s unit price; a meter&apos;s total (with included units and tiers) is its own row.
        </p>
      )}
    </Card>
  );
}
