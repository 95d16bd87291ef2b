import Link from "next/link";
import { VerdictBadge, StateBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { db } from "@/lib/db/client";
import { listEvents, overviewStats } from "@/lib/db/events";

export const metadata = { title: "Overview · Billing control room" };

export default async function OverviewPage() {
  await requirePageUser();
  const connections = await db().connection.count();
  if (connections === 0) {
    return (
      <>
        <PageHeader title="Overview" />
        <EmptyState title="No platform connection yet">
          An admin adds a Shopify or Wix app under <Link className="text-indigo-600 underline" href="/settings">Settings</Link>; events and
          verdicts then show here.
        </EmptyState>
      </>
    );
  }
  const since = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  const [stats, recent] = await Promise.all([overviewStats(since), listEvents({}, null, 10)]);
  const share = (n: number) => (stats.total ? `${((n / stats.total) * 100).toFixed(1)} %` : "—");
  const kpis = [
    { label: "Events (30 days)", value: stats.total.toLocaleString("en"), note: stats.byPlatform.map((p) => `${p.platform} ${p.total.toLocaleString("en")}`).join(" · ") },
    { label: "Billable", value: stats.billable.toLocaleString("en"), note: `${share(stats.billable)} of events`, href: "/events?verdict=billable" },
    { label: "Non-billable", value: stats.nonBillable.toLocaleString("en"), note: `${share(stats.nonBillable)} of events`, href: "/events?verdict=non_billable" },
    { label: "Failed", value: stats.failed.toLocaleString("en"), note: `error rate ${share(stats.failed)}`, href: "/events?verdict=failed" },
    { label: "Pending delivery", value: stats.pendingDelivery.toLocaleString("en"), note: `${stats.held} held · ${stats.awaitingVerdict} awaiting verdict`, href: "/events?state=queued" },
  ];
  return (
    <>
      <PageHeader title="Overview" description="Last 30 days, from the ledger: what was sent and what the platforms decided." />
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        {kpis.map((k) => (
          <Card key={k.label}>
            <p className="text-xs text-zinc-500 dark:text-zinc-400">{k.label}</p>
            <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`kpi-${k.label}`}>
              {k.href ? <Link href={k.href}>{k.value}</Link> : k.value}
            </p>
            <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{k.note}</p>
          </Card>
        ))}
      </div>
      <Card title="Latest events" className="mt-6" action={<Link className="text-sm text-indigo-600 dark:text-indigo-400" href="/events">All events →</Link>}>
        {recent.rows.length === 0 ? (
          <EmptyState title="No events yet">Send one from Events, or post to the ingest API with an API key from Settings.</EmptyState>
        ) : (
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {recent.rows.map((e) => (
              <li key={e.id.toString()} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
                <Link href={`/events/${e.id}`} className="font-mono text-xs text-indigo-600 dark:text-indigo-400">#{e.id.toString()}</Link>
                <span className="font-medium">{e.handle}</span>
                <span className="text-zinc-500">{e.shop?.domain ?? e.wixInstance?.siteName}</span>
                <span className="ml-auto flex items-center gap-2">
                  <StateBadge state={e.state} />
                  <VerdictBadge verdict={e.platformVerdict} code={e.platformCode} />
                  <span className="text-xs text-zinc-500"><LocalTime iso={e.occurredAt.toISOString()} /></span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
