import Link from "next/link";
import { z } from "zod";
import { StateBadge, VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/form";
import { requirePageUser } from "@/lib/auth/auth";
import { decodeCursor, listEvents } from "@/lib/db/events";
import { parseSearchParams, toQuery } from "@/lib/search-params";

export const metadata = { title: "Events · Billing control room" };

const filterSchema = z.object({
  platform: z.enum(["shopify", "wix"]).optional(),
  state: z.enum(["received", "held", "queued", "sending", "accepted", "retrying", "failed"]).optional(),
  verdict: z.enum(["billable", "non_billable", "failed", "pending"]).optional(),
  code: z.string().max(64).optional(),
  handle: z.string().max(128).optional(),
  q: z.string().max(64).optional(),
  cursor: z.string().max(80).optional(),
});

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser();
  const { cursor, ...filter } = parseSearchParams(filterSchema, await searchParams);
  const page = await listEvents(filter, decodeCursor(cursor));
  const select = (name: keyof typeof filter, options: string[], label: string) => (
    <label className="text-xs">
      <span className="mb-1 block text-zinc-500">{label}</span>
      <select name={name} defaultValue={filter[name] ?? ""} className={inputClass}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </select>
    </label>
  );
  return (
    <>
      <PageHeader title="Events" description="Every billing event in the ledger, newest first. Filters live in the URL, so a view can be shared." />
      <Card>
        <form className="grid grid-cols-2 gap-3 md:grid-cols-7" method="get">
          {select("platform", ["shopify", "wix"], "Platform")}
          {select("state", ["received", "held", "queued", "sending", "accepted", "retrying", "failed"], "Delivery")}
          {select("verdict", ["billable", "non_billable", "failed", "pending"], "Platform verdict")}
          <label className="text-xs"><span className="mb-1 block text-zinc-500">Code</span><input name="code" defaultValue={filter.code} className={inputClass} placeholder="NO_SUBSCRIPTION" /></label>
          <label className="text-xs"><span className="mb-1 block text-zinc-500">Handle</span><input name="handle" defaultValue={filter.handle} className={inputClass} placeholder="sms_sent" /></label>
          <label className="text-xs"><span className="mb-1 block text-zinc-500">Idempotency key contains</span><input name="q" defaultValue={filter.q} className={inputClass} /></label>
          <div className="flex items-end gap-2">
            <button className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white" type="submit">Filter</button>
            <Link className="px-2 py-2 text-sm text-zinc-500" href="/events">Clear</Link>
          </div>
        </form>
      </Card>
      <Card className="mt-4">
        {page.rows.length === 0 ? (
          <EmptyState title="No events match">Change the filters, or send an event from the ingest API.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="events-table">
              <thead className="text-xs text-zinc-500">
                <tr>
                  <th className="py-2 pr-3">Event</th><th className="pr-3">Occurred</th><th className="pr-3">Platform</th><th className="pr-3">Shop / instance</th>
                  <th className="pr-3">Handle</th><th className="pr-3 text-right">Quantity / amount</th><th className="pr-3">Predicted</th><th className="pr-3">Delivery</th><th>Verdict</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {page.rows.map((e) => (
                  <tr key={e.id.toString()}>
                    <td className="py-2 pr-3"><Link className="font-mono text-xs text-indigo-600 dark:text-indigo-400" href={`/events/${e.id}`}>#{e.id.toString()}</Link></td>
                    <td className="pr-3 whitespace-nowrap"><LocalTime iso={e.occurredAt.toISOString()} /></td>
                    <td className="pr-3">{e.platform}</td>
                    <td className="pr-3">{e.shop?.domain ?? e.wixInstance?.siteName ?? "—"}</td>
                    <td className="pr-3 font-mono text-xs">{e.handle}</td>
                    <td className="pr-3 text-right tabular-nums">{e.quantity?.toString() ?? (e.amount ? `${e.amount.toFixed(2)} ${e.currency ?? ""}` : "—")}</td>
                    <td className="pr-3"><VerdictBadge verdict={e.predictedVerdict} code={e.predictedCode} /></td>
                    <td className="pr-3"><StateBadge state={e.state} /></td>
                    <td><VerdictBadge verdict={e.platformVerdict} code={e.platformCode} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="mt-4 flex justify-between text-sm">
          {cursor ? <Link href={`/events${toQuery(filter)}`} className="text-indigo-600 dark:text-indigo-400">← Newest</Link> : <span />}
          {page.nextCursor && (
            <Link href={`/events${toQuery({ ...filter, cursor: page.nextCursor })}`} className="text-indigo-600 dark:text-indigo-400">Older →</Link>
          )}
        </div>
      </Card>
    </>
  );
}
