import Link from "next/link";
import { notFound } from "next/navigation";
import { CodeExplanation } from "@/components/code-explanation";
import { StoryBadge, VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import { TextWithTimes } from "@/components/text-with-times";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { LiveRefresh } from "@/components/live-refresh";
import { EventActions, MarkVerdictForm, VoidEventForm } from "./event-actions";
import { db } from "@/lib/db/client";
import { getEvent } from "@/lib/db/events";
import { personalDataMessage, type PersonalDataFinding } from "@/lib/domain/personal-data";
import { shopifyEventBodyOf } from "@/lib/domain/shopify-event";
import { explorerQuery, parseExplorerParams } from "@/lib/dashboard-params";
import { deliveryStory, verdictSourceWords } from "@/lib/domain/delivery-story";
import { historyLine, personActors } from "@/lib/domain/history-words";
import { formatAmount, formatQuantity } from "@/lib/domain/money";

export const metadata = { title: "Event · Billing control room" };

const pre = "max-h-80 overflow-auto rounded-md bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-950";

/**
 * The Events list this event was opened from (its filters and page, passed as `list`), checked
 * like the list's own URL; without one, the newest events.
 */
function backHref(list: string | string[] | undefined): string {
  if (typeof list !== "string" || list.length > 2000) return "/events";
  const { params, cursor } = parseExplorerParams(Object.fromEntries(new URLSearchParams(list)));
  const query = explorerQuery(params, { cursor });
  return query ? `/events?${query}` : "/events";
}

const SOURCE_WORDS: Record<string, string> = {
  api: "from the ingest API",
  ui: "from the dashboard's form",
  import: "by an import",
  scenario: "by a test-charge scenario",
};

export default async function EventPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePageUser();
  const [{ id }, raw] = await Promise.all([params, searchParams]);
  if (!/^\d{1,19}$/.test(id)) notFound();
  const event = await getEvent(BigInt(id));
  if (!event) notFound();
  // Wix usage is never sent (Wix asks for it through the Custom Charges plugin); other kinds are sent once claimed.
  const payloadTitle = event.kind === "wix_usage" ? "Usage as recorded" : event.attemptCount > 0 ? "Payload as sent" : "Payload to send";
  // A Shopify usage row stores its attributes only: the body shown is the one the worker sends (a correction or void keeps its own note).
  const shownPayload =
    event.kind === "shopify_usage" && event.shop && !event.correctsId
      ? shopifyEventBodyOf({
          payload: event.payload,
          shopNumber: event.shop.shopId,
          handle: event.handle,
          occurredAt: event.occurredAt,
          idempotencyKey: event.idempotencyKey,
        })
      : event.payload;
  const personal = Array.isArray(event.personalData) ? (event.personalData as PersonalDataFinding[]) : null;
  const story = deliveryStory({
    kind: event.kind,
    state: event.state,
    attemptCount: event.attemptCount,
    attemptsRecorded: event.attempts.length,
    platformVerdict: event.platformVerdict,
    platformCode: event.platformCode,
    verdictSource: event.verdictSource,
    nextAttemptPlanned: event.nextAttemptAt !== null && ["retrying", "outcome_unknown", "queued"].includes(event.state),
    source: event.source,
  });
  const actors = personActors(event.transitions);
  const people = new Map(
    (actors.length ? await db().user.findMany({ where: { email: { in: actors } }, select: { email: true, name: true } }) : []).map((u) => [
      u.email.toLowerCase(),
      u,
    ]),
  );
  const who = event.createdBy
    ? `${event.createdBy.name} (${event.createdBy.email})`
    : event.apiKey
      ? `API key ${event.apiKey.name} (${event.apiKey.prefix}…)`
      : event.source === "import"
        ? null
        : "the dashboard";
  const back = backHref(raw.list);
  const platform = event.platform;
  return (
    <>
      <Link href={back} className="mb-2 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300" data-testid="back-to-events">
        ← {back === "/events" ? "Events" : "Back to the filtered Events list"}
      </Link>
      <PageHeader
        title={`Event #${event.id}`}
        description={
          <>
            {event.platform} · {event.connection.name} · {event.shop?.domain ?? event.wixInstance?.siteName} · key{" "}
            <span className="font-mono break-all">{event.idempotencyKey}</span>
          </>
        }
      />
      {personal && (
        <p
          role="alert"
          data-testid="personal-data-warning"
          className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          Held: {personalDataMessage(personal)} Void it and send it again without them, or send it anyway if you are sure none is personal.
        </p>
      )}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2 [&>*]:min-w-0">
        <Card title="Verdict" action={<LiveRefresh active={story.waiting} label="Waiting for the platform… this page updates by itself." />}>
          <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-x-2 gap-y-2 text-sm break-words sm:grid-cols-[10rem_minmax(0,1fr)]">
            <dt className="text-zinc-500 dark:text-zinc-400">Predicted</dt>
            <dd data-testid="predicted-verdict">
              <VerdictBadge verdict={event.predictedVerdict} code={event.predictedCode} />{" "}
              <span className="text-zinc-500 dark:text-zinc-400">
                <TextWithTimes text={event.predictedDetails} />
              </span>
              {event.predictedHint && <span className="block text-xs text-amber-700 dark:text-amber-400">Hint: {event.predictedHint}</span>}
              {!event.platformCode && <CodeExplanation code={event.predictedCode} platform={platform} testId="predicted-code-explained" />}
            </dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Platform</dt>
            <dd data-testid="platform-verdict">
              {event.kind === "wix_usage" && !event.platformVerdict ? (
                <span className="text-zinc-600 dark:text-zinc-400">none yet: Wix decides when it invoices the site</span>
              ) : (
                <>
                  <VerdictBadge verdict={event.platformVerdict} code={event.platformCode} />{" "}
                  <span className="text-zinc-500 dark:text-zinc-400">
                    <TextWithTimes text={event.platformDetails} />
                  </span>
                </>
              )}
              {event.verdictSource && (
                <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                  from {verdictSourceWords(event.verdictSource)} · <LocalTime iso={event.verdictAt?.toISOString()} />
                </span>
              )}
              <CodeExplanation code={event.platformCode} platform={platform} testId="platform-code-explained" />
            </dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Delivery</dt>
            <dd data-testid="delivery-state">
              <StoryBadge story={story} /> <span data-testid="delivery-summary">{story.summary}</span>
              {event.state === "retrying" && event.nextAttemptAt && (
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                  Next attempt <LocalTime iso={event.nextAttemptAt.toISOString()} withSeconds />
                </span>
              )}
              {event.lastError && (
                <span
                  className={`block text-xs ${event.state === "outcome_unknown" ? "text-amber-700 dark:text-amber-400" : "text-red-600 dark:text-red-400"}`}
                >
                  Last error: <TextWithTimes text={event.lastError} />
                </span>
              )}
              {event.state === "failed" && !event.platformCode && <CodeExplanation code="DELIVERY_FAILED" platform={platform} />}
            </dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Occurred</dt>
            <dd>
              <LocalTime iso={event.occurredAt.toISOString()} withSeconds />
            </dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Recorded</dt>
            <dd>
              <LocalTime iso={event.createdAt.toISOString()} withSeconds /> {SOURCE_WORDS[event.source] ?? event.source}
              {who && `, by ${who}`}
            </dd>
            {event.quantity && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Quantity</dt>
                <dd className="tabular-nums" data-testid="event-quantity">
                  {formatQuantity(event.quantity.toString())}
                </dd>
              </>
            )}
            {event.amount && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Amount</dt>
                <dd className="tabular-nums" data-testid="event-amount">
                  {event.currency ? formatAmount(event.amount.toString(), event.currency) : formatQuantity(event.amount.toString())}{" "}
                  <span className="text-xs text-zinc-500 dark:text-zinc-400">
                    {event.currency}
                    {event.currency && " · stored exactly as "}
                    {event.amount.toFixed()}
                  </span>
                </dd>
              </>
            )}
            {event.corrects && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">{event.state === "voided" ? "Voids" : "Corrects"}</dt>
                <dd>
                  <Link className="text-indigo-600 dark:text-indigo-400" href={`/events/${event.corrects.id}`}>
                    #{event.corrects.id.toString()}
                  </Link>
                </dd>
              </>
            )}
          </dl>
          {hasRole(user.role, "operator") && <EventActions id={event.id.toString()} state={event.state} />}
          {hasRole(user.role, "operator") && event.state === "held" && <VoidEventForm id={event.id.toString()} />}
          {!hasRole(user.role, "operator") && ["held", "failed"].includes(event.state) && (
            <p className="mt-4 border-t border-zinc-200 pt-4 text-sm text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
              Sending, retrying or voiding needs the operator role: ask an admin.
            </p>
          )}
          {hasRole(user.role, "operator") && event.kind === "shopify_usage" && event.state === "accepted" && <MarkVerdictForm id={event.id.toString()} />}
        </Card>
        <Card title={`${payloadTitle} (its timestamps are UTC, as stored)`}>
          <pre className={pre} tabIndex={0} aria-label={payloadTitle}>
            {JSON.stringify(shownPayload, null, 2)}
          </pre>
        </Card>
      </div>
      <Card title={`Delivery attempts (${event.attempts.length})`} className="mt-4">
        {event.attempts.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="attempts-note">
            {story.attempts}
          </p>
        ) : (
          <ol className="space-y-3" data-testid="attempts">
            {event.attempts.map((a) => (
              <li key={a.id.toString()} className="rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
                <p className="font-medium">
                  Attempt {a.number} · <LocalTime iso={a.startedAt.toISOString()} withSeconds /> · {a.status ? `HTTP ${a.status}` : "no response"} ·{" "}
                  {a.latencyMs.toLocaleString("en-US")} ms
                  {a.error && (
                    <span className="text-red-600 dark:text-red-400">
                      {" "}
                      · <TextWithTimes text={a.error} />
                    </span>
                  )}
                </p>
                {a.responseBody && (
                  <pre className={`${pre} mt-2`} tabIndex={0} aria-label={`Response to attempt ${a.number}`}>
                    {a.responseBody}
                  </pre>
                )}
              </li>
            ))}
          </ol>
        )}
        {event.attempts.length > 0 && event.attemptCount > event.attempts.length && event.state !== "sending" && (
          <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
            {event.attemptCount - event.attempts.length} earlier attempt(s) were counted but not recorded here (before an import, or a worker that stopped
            mid-send).
          </p>
        )}
      </Card>
      <Card title="History" className="mt-4">
        <ol className="space-y-2 text-sm" data-testid="history">
          <li>
            <LocalTime iso={event.createdAt.toISOString()} withSeconds /> ·{" "}
            {who ? (
              <>
                <span className="font-medium">{who}</span> recorded it {SOURCE_WORDS[event.source] ?? ""}
              </>
            ) : (
              "Recorded by an import, with its history"
            )}
            {event.state === "held" || event.transitions.some((t) => t.fromState === "held") ? ", held as predicted to fail" : ""}.
          </li>
          {event.transitions.map((t) => {
            const line = historyLine(t, people);
            return (
              <li key={t.id.toString()} data-actor={line.person ? "person" : "system"}>
                <LocalTime iso={t.at.toISOString()} withSeconds /> ·{" "}
                <span className={line.person ? "font-medium" : ""}>{line.person ? line.who : line.who[0]!.toUpperCase() + line.who.slice(1)}</span>:{" "}
                <TextWithTimes text={line.what} />
                {t.fromState !== t.toState && (
                  <span className="text-xs text-zinc-500 dark:text-zinc-400">
                    {" "}
                    ({t.fromState ?? "new"} → {t.toState.replace("_", " ")})
                  </span>
                )}
              </li>
            );
          })}
          {event.corrections.map((c) => (
            <li key={c.id.toString()}>
              {c.state === "voided" ? "Voided by" : "Corrected by"}{" "}
              <Link className="text-indigo-600 dark:text-indigo-400" href={`/events/${c.id}`}>
                #{c.id.toString()}
              </Link>
              {c.correctionNote && <span className="text-zinc-500 dark:text-zinc-400"> · {c.correctionNote}</span>}
              {event.superseded && (
                <span className="text-zinc-500 dark:text-zinc-400" data-testid="superseded-note">
                  {" "}
                  ·{" "}
                  {c.state === "voided"
                    ? "never sent; the charts and totals leave this entry out"
                    : `the charts and totals count #${c.id.toString()} instead of this entry`}
                </span>
              )}
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}
