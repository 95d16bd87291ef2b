import Link from "next/link";
import { StateBadge, VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import type { listEvents } from "@/lib/db/events";

type Row = Awaited<ReturnType<typeof listEvents>>["rows"][number];

const subject = (e: Row) => e.shop?.domain ?? e.wixInstance?.siteName ?? "—";
const units = (e: Row) => (e.quantity ? e.quantity.toFixed() : e.amount ? `${e.amount.toFixed()} ${e.currency ?? ""}` : "—");

/** One explorer page: a table on wide screens, a list on phones. Quantities and amounts exactly as stored. */
export function EventsTable({ rows }: { rows: Row[] }) {
  return (
    <>
      <div className="hidden overflow-x-auto md:block">
        <table className="w-full text-left text-sm" data-testid="events-table">
          <thead className="text-xs text-zinc-500">
            <tr>
              <th className="py-2 pr-3">Event</th><th className="pr-3">Occurred</th><th className="hidden pr-3 2xl:table-cell">Connection</th>
              <th className="pr-3">Shop / instance</th><th className="pr-3">Handle</th><th className="pr-3 text-right">Quantity / amount</th>
              <th className="hidden pr-3 lg:table-cell">Predicted</th><th className="pr-3">Delivery</th><th className="pr-3">Verdict</th>
              <th className="hidden xl:table-cell">Source</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {rows.map((e) => (
              <tr key={e.id.toString()} data-key={e.idempotencyKey}>
                <td className="py-2 pr-3"><Link className="font-mono text-xs text-indigo-600 dark:text-indigo-400" href={`/events/${e.id}`}>#{e.id.toString()}</Link></td>
                <td className="pr-3 whitespace-nowrap"><LocalTime iso={e.occurredAt.toISOString()} /></td>
                <td className="hidden pr-3 whitespace-nowrap 2xl:table-cell">{e.connection.name}</td>
                <td className="max-w-48 truncate pr-3" title={`${subject(e)} · ${e.connection.name}`}>{subject(e)}</td>
                <td className="pr-3 font-mono text-xs">{e.handle}</td>
                <td className="pr-3 text-right whitespace-nowrap tabular-nums">{units(e)}</td>
                <td className="hidden pr-3 lg:table-cell"><VerdictBadge verdict={e.predictedVerdict} code={e.predictedCode} /></td>
                <td className="pr-3"><StateBadge state={e.state} /></td>
                <td className="pr-3"><VerdictBadge verdict={e.platformVerdict} code={e.platformCode} /></td>
                <td className="hidden text-xs text-zinc-500 xl:table-cell">{e.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="divide-y divide-zinc-200 md:hidden dark:divide-zinc-800" aria-label="Events">
        {rows.map((e) => (
          <li key={e.id.toString()} className="py-2 text-sm">
            <div className="flex items-center gap-2">
              <Link className="font-mono text-xs text-indigo-600 dark:text-indigo-400" href={`/events/${e.id}`}>#{e.id.toString()}</Link>
              <span className="font-mono text-xs">{e.handle}</span>
              <span className="ml-auto tabular-nums">{units(e)}</span>
            </div>
            <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-zinc-500">
              <span className="max-w-40 truncate">{subject(e)}</span>
              <LocalTime iso={e.occurredAt.toISOString()} />
              <span className="ml-auto flex gap-1"><StateBadge state={e.state} /><VerdictBadge verdict={e.platformVerdict} code={e.platformCode} /></span>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
