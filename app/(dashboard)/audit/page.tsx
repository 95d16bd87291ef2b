import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { db } from "@/lib/db/client";

export const metadata = { title: "Audit log · Billing control room" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requirePageUser();
  const { before } = await searchParams;
  const beforeId = before && /^\d{1,19}$/.test(before) ? BigInt(before) : undefined;
  const rows = await db().auditLog.findMany({ where: beforeId ? { id: { lt: beforeId } } : {}, orderBy: { id: "desc" }, take: 51 });
  const page = rows.slice(0, 50);
  return (
    <>
      <PageHeader title="Audit log" description="Every change a person made: who, what, when, before and after." />
      <Card>
        {page.length === 0 ? (
          <EmptyState title="Nothing recorded yet">Changes to users, keys, connections and events appear here.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="audit-table">
              <thead className="text-xs text-zinc-500"><tr><th className="py-2 pr-3">When</th><th className="pr-3">Who</th><th className="pr-3">Action</th><th className="pr-3">On</th><th className="pr-3">Before → after</th></tr></thead>
              <tbody className="divide-y divide-zinc-200 align-top dark:divide-zinc-800">
                {page.map((r) => (
                  <tr key={r.id.toString()}>
                    <td className="py-2 pr-3 whitespace-nowrap"><LocalTime iso={r.at.toISOString()} withSeconds /></td>
                    <td className="pr-3">{r.actorEmail}</td>
                    <td className="pr-3 font-medium">{r.action}{r.note && <span className="block text-xs font-normal text-zinc-500">“{r.note}”</span>}</td>
                    <td className="pr-3 text-xs">{r.entityType} <span className="font-mono">{r.entityId}</span></td>
                    <td className="pr-3 font-mono text-xs">
                      {r.before !== null && <span className="block text-red-700 dark:text-red-400">− {JSON.stringify(r.before)}</span>}
                      {r.after !== null && <span className="block text-emerald-700 dark:text-emerald-400">+ {JSON.stringify(r.after)}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {rows.length > 50 && <Link className="mt-4 block text-right text-sm text-indigo-600" href={`/audit?before=${page.at(-1)!.id}`}>Older →</Link>}
      </Card>
    </>
  );
}
