import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Badge, Card } from "@/components/ui/card";
import { db } from "@/lib/db/client";

const tone = { critical: "red", warning: "amber", info: "zinc" } as const;

/** The open warnings (not yet acknowledged), most serious first: value about to be lost. */
export async function OverviewWarnings() {
  const [open, count] = await Promise.all([
    db().alert.findMany({ where: { acknowledgedAt: null }, orderBy: [{ severity: "desc" }, { createdAt: "desc" }], take: 5 }),
    db().alert.count({ where: { acknowledgedAt: null } }),
  ]);
  if (!count) return null;
  return (
    <Card
      title={`Open warnings (${count})`}
      className="mb-4"
      action={
        <Link className="text-sm text-indigo-600 dark:text-indigo-400" href="/alerts">
          All alerts →
        </Link>
      }
    >
      <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="overview-warnings">
        {open.map((a) => (
          <li key={a.id} className="flex flex-wrap items-center gap-2 py-2">
            <Badge tone={tone[a.severity]}>{a.severity}</Badge>
            <span className="font-medium">{a.title}</span>
            <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
              <LocalTime iso={a.createdAt.toISOString()} />
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
