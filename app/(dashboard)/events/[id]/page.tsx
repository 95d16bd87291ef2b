import Link from "next/link";
import { notFound } from "next/navigation";
import { StateBadge, VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { LiveRefresh } from "@/components/live-refresh";
import { EventActions, MarkVerdictForm } from "./event-actions";
import { getEvent } from "@/lib/db/events";

export const metadata = { title: "Event · Billing control room" };

const pre = "max-h-80 overflow-auto rounded-md bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-950";

export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  if (!/^\d{1,19}$/.test(id)) notFound();
  const event = await getEvent(BigInt(id));
  if (!event) notFound();
  const waiting = ["received", "queued", "sending", "retrying"].includes(event.state) || (event.state === "accepted" && !event.platformVerdict && event.kind !== "wix_usage");
  const who = event.createdBy ? `${event.createdBy.name} (${event.createdBy.email})` : event.apiKey ? `API key ${event.apiKey.name} (${event.apiKey.prefix}…)` : "—";
  return (
    <>
      <PageHeader
        title={`Event #${event.id}`}
        description={<>{event.platform} · {event.connection.name} · {event.shop?.domain ?? event.wixInstance?.siteName} · key <span className="font-mono">{event.idempotencyKey}</span></>}
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Verdict" action={<LiveRefresh active={waiting} label="Waiting for the platform… this page updates by itself." />}>
          <dl className="grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
            <dt className="text-zinc-500">Predicted</dt>
            <dd data-testid="predicted-verdict">
              <VerdictBadge verdict={event.predictedVerdict} code={event.predictedCode} /> <span className="text-zinc-500">{event.predictedDetails}</span>
              {event.predictedHint && <span className="block text-xs text-amber-700 dark:text-amber-400">Hint: {event.predictedHint}</span>}
            </dd>
            <dt className="text-zinc-500">Platform</dt>
            <dd data-testid="platform-verdict">
              <VerdictBadge verdict={event.platformVerdict} code={event.platformCode} /> <span className="text-zinc-500">{event.platformDetails}</span>
              {event.verdictSource && <span className="block text-xs text-zinc-500">from {event.verdictSource.replace("_", " ")} · <LocalTime iso={event.verdictAt?.toISOString()} /></span>}
            </dd>
            <dt className="text-zinc-500">Delivery</dt>
            <dd data-testid="delivery-state"><StateBadge state={event.state} /> {event.lastError && <span className="text-xs text-red-600">{event.lastError}</span>}</dd>
            <dt className="text-zinc-500">Occurred</dt><dd><LocalTime iso={event.occurredAt.toISOString()} withSeconds /></dd>
            <dt className="text-zinc-500">Recorded</dt><dd><LocalTime iso={event.createdAt.toISOString()} withSeconds /> via {event.source}, by {who}</dd>
            {event.quantity && (<><dt className="text-zinc-500">Quantity</dt><dd className="tabular-nums">{event.quantity.toString()}</dd></>)}
            {event.amount && (<><dt className="text-zinc-500">Amount</dt><dd className="tabular-nums">{event.amount.toString()} {event.currency}</dd></>)}
            {event.corrects && (<><dt className="text-zinc-500">Corrects</dt><dd><Link className="text-indigo-600" href={`/events/${event.corrects.id}`}>#{event.corrects.id.toString()}</Link></dd></>)}
          </dl>
          {hasRole(user.role, "operator") && <EventActions id={event.id.toString()} state={event.state} />}
          {hasRole(user.role, "operator") && event.kind === "shopify_usage" && event.state === "accepted" && <MarkVerdictForm id={event.id.toString()} />}
        </Card>
        <Card title="Payload as sent">
          <pre className={pre}>{JSON.stringify(event.payload, null, 2)}</pre>
        </Card>
      </div>
      <Card title={`Delivery attempts (${event.attempts.length})`} className="mt-4">
        {event.attempts.length === 0 ? (
          <p className="text-sm text-zinc-500">Not sent yet.</p>
        ) : (
          <ol className="space-y-3">
            {event.attempts.map((a) => (
              <li key={a.id.toString()} className="rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
                <p className="font-medium">
                  Attempt {a.number} · <LocalTime iso={a.startedAt.toISOString()} withSeconds /> · {a.status ?? "no response"} · {a.latencyMs} ms
                  {a.error && <span className="text-red-600"> · {a.error}</span>}
                </p>
                {a.responseBody && <pre className={`${pre} mt-2`}>{a.responseBody}</pre>}
              </li>
            ))}
          </ol>
        )}
      </Card>
      <Card title="History" className="mt-4">
        <ol className="space-y-1 text-sm">
          {event.transitions.map((t) => (
            <li key={t.id.toString()}>
              <LocalTime iso={t.at.toISOString()} withSeconds /> · {t.fromState ?? "—"} → <strong>{t.toState}</strong> · {t.actor}
              {t.reason && <span className="text-zinc-500"> · {t.reason}</span>}
            </li>
          ))}
          {event.corrections.map((c) => (
            <li key={c.id.toString()}>
              Corrected by <Link className="text-indigo-600" href={`/events/${c.id}`}>#{c.id.toString()}</Link>
              {c.correctionNote && <span className="text-zinc-500"> · {c.correctionNote}</span>}
              {event.superseded && <span className="text-zinc-500"> · the charts and totals count #{c.id.toString()} instead of this entry</span>}
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}
