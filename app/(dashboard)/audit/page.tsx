import Link from "next/link";
import type { ReactNode } from "react";
import { LocalTime } from "@/components/local-time";
import { PendingLink } from "@/components/pending-link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { auditPage } from "@/lib/db/audit-page";
import { describeAudit, type Named, type Value } from "@/lib/domain/audit-history";

export const metadata = { title: "Audit log · Billing control room" };

const ID = /^\d{1,19}$/;
const link = "text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700 dark:text-indigo-300 dark:decoration-indigo-700";

function NamedLink({ named }: { named: Named }) {
  return named.href ? (
    <Link href={named.href} className={link}>
      {named.label}
    </Link>
  ) : (
    <span>{named.label}</span>
  );
}

function Shown({ value }: { value: Value }): ReactNode {
  if (value.kind === "none") return <span className="text-zinc-600 italic dark:text-zinc-400">none</span>;
  if (value.kind === "ref") return <NamedLink named={value.named} />;
  if (value.kind === "time") return <LocalTime iso={value.iso} withSeconds />;
  return <span className="break-words">{value.text}</span>;
}

/**
 * Every change a person (or the system) made, as a history: who, what in words, on what by name
 * (linked), and each changed field as "before → after". Paged by id, 50 rows a page; the names a
 * page mentions are read in one query per kind of thing (lib/db/audit-page.ts).
 */
export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string; after?: string; entity?: string; id?: string }> }) {
  await requirePageUser();
  const sp = await searchParams;
  const before = sp.before && ID.test(sp.before) ? BigInt(sp.before) : undefined;
  const after = sp.after && ID.test(sp.after) ? BigInt(sp.after) : undefined;
  const filter = sp.entity && /^[a-z_]{1,40}$/.test(sp.entity) && sp.id && sp.id.length <= 200 ? { entityType: sp.entity, entityId: sp.id } : {};
  const page = await auditPage({ before, after }, filter);
  const keep = (extra: Record<string, string>) => {
    const q = new URLSearchParams(filter.entityType ? { entity: filter.entityType, id: filter.entityId! } : {});
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `/audit${q.size ? `?${q}` : ""}`;
  };
  const first = page.rows[0];
  const last = page.rows.at(-1);
  return (
    <>
      <PageHeader title="Audit log" description="Every change a person made, newest first: who, what, on what, and each field from before to after." />
      {filter.entityType && page.rows[0] && (
        <p className="mb-4 text-sm">
          The history of {describeAudit(page.rows[0], page.names).subject.label} only.{" "}
          <Link href="/audit" className={link}>
            Show everything
          </Link>
        </p>
      )}
      <Card>
        {page.rows.length === 0 ? (
          <EmptyState title="Nothing recorded yet">Changes to users, keys, connections and events appear here.</EmptyState>
        ) : (
          <table
            className="w-full text-left text-sm max-md:block max-md:[&_tbody]:block max-md:[&_td]:block max-md:[&_tr]:block max-md:[&_tr]:py-3"
            data-testid="audit-table"
          >
            <thead className="text-xs text-zinc-600 max-md:sr-only dark:text-zinc-400">
              <tr>
                <th className="py-2 pr-3">When</th>
                <th className="pr-3">Who</th>
                <th className="pr-3">What</th>
                <th className="pr-3">What changed</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 align-top dark:divide-zinc-800">
              {page.rows.map((r) => {
                const view = describeAudit(r, page.names);
                return (
                  <tr key={r.id.toString()} data-testid={`audit-${r.id}`}>
                    <td className="py-2 pr-3 whitespace-nowrap text-zinc-700 max-md:py-0 max-md:text-xs dark:text-zinc-300">
                      <LocalTime iso={r.at.toISOString()} withSeconds />
                    </td>
                    <td className="py-2 pr-3 max-md:py-0 max-md:text-xs">
                      {r.actor ? (
                        <>
                          {r.actor.name} <span className="text-zinc-600 dark:text-zinc-400">({r.actorEmail})</span>
                        </>
                      ) : r.actorEmail === "system" ? (
                        "the system"
                      ) : (
                        r.actorEmail
                      )}
                    </td>
                    <td className="py-2 pr-3 max-md:py-1">
                      <span className="font-medium">{view.action}</span>{" "}
                      <span className="text-zinc-700 dark:text-zinc-300">
                        · <NamedLink named={view.subject} />
                      </span>
                      <span className="mt-0.5 block font-mono text-xs text-zinc-600 dark:text-zinc-400">{r.action}</span>
                      {r.note && <span className="mt-1 block text-xs text-zinc-700 dark:text-zinc-300">Note: “{r.note}”</span>}
                    </td>
                    <td className="py-2 pr-3 max-md:py-0">
                      {view.changes.length > 0 && (
                        <ul className="space-y-0.5 text-xs">
                          {view.changes.map((c) => (
                            <li key={c.field}>
                              <span className="font-medium">{c.field}:</span> {c.before && <Shown value={c.before} />}
                              {c.before && c.after && <span className="text-zinc-600 dark:text-zinc-400"> → </span>}
                              {c.after && <Shown value={c.after} />}
                              {c.before && !c.after && <span className="text-zinc-600 dark:text-zinc-400"> (removed)</span>}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <nav aria-label="Audit log pages" className="mt-4 flex flex-wrap justify-end gap-4 text-sm">
          {page.newer && first && (
            <PendingLink className={link} href={keep({ after: first.id.toString() })}>
              ← Newer
            </PendingLink>
          )}
          {page.newer && (
            <PendingLink className={link} href={keep({})}>
              Newest
            </PendingLink>
          )}
          {page.older && last && (
            <PendingLink className={link} href={keep({ before: last.id.toString() })}>
              Older →
            </PendingLink>
          )}
        </nav>
      </Card>
    </>
  );
}
