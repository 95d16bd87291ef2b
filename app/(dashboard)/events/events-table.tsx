"use client";

import Link from "next/link";
import { StoryBadge, VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import type { EventRowView } from "@/lib/db/events";

const subject = (e: EventRowView) => e.shopOrInstance ?? "—";

/**
 * One explorer page: a table on wide screens, a list on phones. Values exactly as stored (amounts
 * with their currency's minor units); delivery in the event page's words. Each row opens its
 * event with `list` = this list's query, so the event's back link returns here.
 */
export function EventsTable({ rows, listQuery, fresh }: { rows: EventRowView[]; listQuery: string; fresh?: ReadonlySet<string> }) {
  const href = (e: EventRowView) => (listQuery ? `/events/${e.id}?${new URLSearchParams({ list: listQuery })}` : `/events/${e.id}`);
  const isNew = (e: EventRowView) => fresh?.has(e.id);
  const newBadge = <span className="ml-1 rounded bg-indigo-100 px-1 text-[10px] font-medium text-indigo-800 dark:bg-indigo-900 dark:text-indigo-100">new</span>;
  return (
    <>
      <div role="region" aria-label="Events" tabIndex={0} className="hidden overflow-x-auto md:block scroll-cue">
        <table className="w-full text-left text-sm" data-testid="events-table">
          <thead className="text-xs text-zinc-500 dark:text-zinc-400">
            <tr>
              <th className="py-2 pr-3">Event</th>
              <th className="pr-3">Occurred</th>
              <th className="hidden pr-3 2xl:table-cell">Connection</th>
              <th className="pr-3">Shop / instance</th>
              <th className="pr-3">Handle</th>
              <th className="pr-3 text-right">Quantity / amount</th>
              <th className="hidden pr-3 lg:table-cell">Predicted</th>
              <th className="pr-3">Delivery</th>
              <th className="pr-3">Verdict</th>
              <th className="hidden 2xl:table-cell">Source</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {rows.map((e) => (
              <tr key={e.id} data-key={e.idempotencyKey} data-new={isNew(e) || undefined}>
                <td className="py-2 pr-3 whitespace-nowrap">
                  <Link className="font-mono text-xs text-indigo-600 dark:text-indigo-400" href={href(e)}>
                    #{e.id}
                  </Link>
                  {isNew(e) && newBadge}
                </td>
                <td className="pr-3 whitespace-nowrap">
                  <LocalTime iso={e.occurredAt} />
                </td>
                <td className="hidden pr-3 whitespace-nowrap 2xl:table-cell">{e.connection}</td>
                <td className="max-w-48 truncate pr-3" title={`${subject(e)} · ${e.connection}`}>
                  {subject(e)}
                </td>
                <td className="pr-3 font-mono text-xs">{e.handle}</td>
                <td className="pr-3 text-right whitespace-nowrap tabular-nums">{e.valueText}</td>
                <td className="hidden pr-3 lg:table-cell">
                  <VerdictBadge verdict={e.predictedVerdict} code={e.predictedCode} />
                </td>
                <td className="pr-3" title={e.delivery.summary}>
                  <StoryBadge story={e.delivery} />
                </td>
                <td className="pr-3">
                  <VerdictBadge verdict={e.platformVerdict} code={e.platformCode} />
                </td>
                <td className="hidden text-xs text-zinc-500 dark:text-zinc-400 2xl:table-cell">{e.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="divide-y divide-zinc-200 md:hidden dark:divide-zinc-800" aria-label="Events" data-testid="events-list">
        {rows.map((e) => (
          <li key={e.id} className="py-2 text-sm" data-key={e.idempotencyKey}>
            <div className="flex items-center gap-2">
              <Link className="font-mono text-xs text-indigo-600 dark:text-indigo-400" href={href(e)}>
                #{e.id}
              </Link>
              {isNew(e) && newBadge}
              <span className="font-mono text-xs">{e.handle}</span>
              <span className="ml-auto tabular-nums">{e.valueText}</span>
            </div>
            <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400">
              <span className="max-w-40 truncate">{subject(e)}</span>
              <LocalTime iso={e.occurredAt} />
              <span className="ml-auto flex gap-1">
                <StoryBadge story={e.delivery} />
                <VerdictBadge verdict={e.platformVerdict} code={e.platformCode} />
              </span>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
