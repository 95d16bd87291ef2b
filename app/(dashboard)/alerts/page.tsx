import Link from "next/link";
import { AlertItem } from "@/components/alert-item";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { listAlerts, type AlertFilter } from "@/lib/services/alerts/views";
import { redactUrl } from "@/lib/services/alerts/alerts";
import { AcknowledgeButton, WebhookForm } from "./alert-actions";

export const metadata = { title: "Alerts · Billing control room" };

type Search = Promise<{ status?: string; before?: string }>;

const TABS: { status: AlertFilter["status"]; label: string }[] = [
  { status: "open", label: "Open" },
  { status: "acknowledged", label: "Acknowledged" },
  { status: "all", label: "All" },
];

export default async function AlertsPage({ searchParams }: { searchParams: Search }) {
  const user = await requirePageUser();
  const params = await searchParams;
  const status: AlertFilter["status"] = params.status === "acknowledged" || params.status === "all" ? params.status : "open";
  const [{ alerts, next, counts }, connections] = await Promise.all([
    listAlerts({ status, before: params.before }),
    db().connection.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, alertWebhookUrl: true } }),
  ]);
  const canAck = hasRole(user.role, "operator");
  const count = (s: AlertFilter["status"]) => (s === "open" ? counts.open : s === "acknowledged" ? counts.acknowledged : counts.open + counts.acknowledged);
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Warnings that need a person: Wix instances nearing or at their charge limit (Wix does not warn the site owner), and the delivery worker's warnings. Newest first."
      />
      <nav aria-label="Alert status" className="mb-4 flex flex-wrap gap-2">
        {TABS.map((t) => (
          <Link
            key={t.status}
            href={t.status === "open" ? "/alerts" : `/alerts?status=${t.status}`}
            aria-current={t.status === status ? "page" : undefined}
            className="rounded-full border border-zinc-300 px-3 py-1 text-sm text-zinc-700 hover:bg-zinc-100 aria-[current=page]:border-indigo-600 aria-[current=page]:bg-indigo-600 aria-[current=page]:text-white dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:aria-[current=page]:border-indigo-500 dark:aria-[current=page]:bg-indigo-500"
          >
            {t.label} <span className="tabular-nums opacity-80">{count(t.status)}</span>
          </Link>
        ))}
      </nav>
      <Card>
        {alerts.length === 0 ? (
          <EmptyState title={status === "open" ? "No open alerts" : "No alerts"}>
            {status === "open" ? "Nothing needs attention right now." : "Alerts appear here when a check raises one."}
          </EmptyState>
        ) : (
          <ul className="space-y-3" data-testid="alerts-list">
            {alerts.map((a) => (
              <AlertItem
                key={a.id}
                alert={a}
                subject={
                  a.subject.href ? (
                    <Link href={a.subject.href} className="text-indigo-600 hover:underline dark:text-indigo-400">
                      {a.subject.label}
                    </Link>
                  ) : (
                    <span>{a.subject.label}</span>
                  )
                }
                action={canAck && !a.acknowledgedAt ? <AcknowledgeButton id={a.id} /> : undefined}
              />
            ))}
          </ul>
        )}
        {next && (
          <div className="mt-4 text-right">
            <Link
              href={`/alerts?${new URLSearchParams({ ...(status !== "open" && { status }), before: next })}`}
              className="text-sm text-indigo-600 hover:underline dark:text-indigo-400"
            >
              Older alerts →
            </Link>
          </div>
        )}
      </Card>
      <Card title="Where alerts are sent" className="mt-4">
        <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
          Each new alert is POSTed as JSON to its connection&apos;s webhook (5 s timeout, retried with backoff up to 5 times); the outcome shows on the alert.
        </p>
        {connections.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No connections yet.</p>
        ) : hasRole(user.role, "admin") ? (
          <div className="space-y-3">
            {connections.map((c) => (
              <WebhookForm key={c.id} connectionId={c.id} name={c.name} value={c.alertWebhookUrl ?? ""} />
            ))}
          </div>
        ) : (
          <ul className="space-y-1 text-sm">
            {connections.map((c) => (
              <li key={c.id}>
                <span className="font-medium">{c.name}</span>:{" "}
                {c.alertWebhookUrl ? (
                  <span className="break-all font-mono text-xs">{redactUrl(c.alertWebhookUrl)}</span>
                ) : (
                  <span className="text-zinc-500 dark:text-zinc-400">no webhook</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
