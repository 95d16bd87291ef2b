import Link from "next/link";
import type { ReactNode } from "react";
import { VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/card";
import { Decimal, formatMoney } from "@/lib/domain/money";
import type { ScenarioRunView, ScenarioStepView } from "@/lib/services/test-charges/scenario";
import { LiveRefresh } from "@/components/live-refresh";

const grid = "lg:grid lg:grid-cols-[minmax(0,1.4fr)_minmax(0,1.1fr)_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1.3fr)_3.5rem] lg:gap-4";
const muted = "text-xs text-zinc-500 dark:text-zinc-400";

function Outcome({ v }: { v: { verdict: string; code: string | null } | null }) {
  if (!v) return <Badge tone="zinc">pending</Badge>;
  if (v.verdict === "duplicate") return <Badge tone="indigo">duplicate</Badge>;
  if (v.verdict === "accepted" || v.verdict === "held") return <Badge tone="zinc">{v.verdict}</Badge>;
  return <VerdictBadge verdict={v.verdict} code={v.code} />;
}

/** A cell with its column name shown above it on narrow screens, where the row stacks. */
function Cell({ label, children, className = "" }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={`mt-2 lg:mt-0 ${className}`}>
      <p className={`${muted} mb-0.5 lg:hidden`}>{label}</p>
      {children}
    </div>
  );
}

export function ScenarioRun({ view }: { view: ScenarioRunView }) {
  if (view.status === "running") {
    return (
      <div className="mt-4 rounded-md border border-zinc-200 p-4 text-sm dark:border-zinc-800">
        Run {view.runId} on {view.shopDomain} is still running. <LiveRefresh active label="This updates by itself." />
      </div>
    );
  }
  const { run, steps, waiting, matched } = view;
  const total = steps.length;
  const allMatch = matched === total;
  return (
    <section className="mt-6 border-t border-zinc-200 pt-4 dark:border-zinc-800" data-testid="scenario-run">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h3 className="font-semibold">
            Run {run.runId} · {run.shopDomain} · {run.planHandle}
          </h3>
          <p className={muted}>
            <LocalTime iso={run.startedAt} withSeconds /> · {run.connectionName}
          </p>
        </div>
        <div className="flex items-center gap-3">
          <LiveRefresh active={waiting} label="Waiting for the platform's verdicts…" />
          <span data-testid="scenario-summary">
            <Badge tone={allMatch ? "green" : waiting ? "zinc" : "red"}>
              {matched} of {total} match
            </Badge>
          </span>
        </div>
      </div>
      <div
        className={`mt-3 hidden border-b border-zinc-200 pb-2 text-xs font-medium text-zinc-500 dark:border-zinc-800 dark:text-zinc-400 ${grid}`}
        aria-hidden
      >
        <span>Step</span>
        <span>Sent</span>
        <span>Expected</span>
        <span>Predicted</span>
        <span>Platform</span>
        <span className="text-center">Match</span>
      </div>
      <ol className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {steps.map((s) => (
          <StepRow key={s.n} s={s} currency={run.currency} />
        ))}
      </ol>
      <Footer view={view} />
    </section>
  );
}

function StepRow({ s, currency }: { s: ScenarioStepView; currency: string }) {
  const cost = (amount: string) => formatMoney({ amount: new Decimal(amount), currency }, "en-US", { exact: true });
  return (
    <li className={`py-3 text-sm ${grid}`} data-testid={`scenario-step-${s.n}`} data-match={s.match === null ? "pending" : String(s.match)}>
      <div className="flex items-start justify-between gap-3 lg:block">
        <div>
          <p className="font-medium">
            {s.n}. {s.title}
          </p>
          <p className={`${muted} mt-0.5`}>{s.about}</p>
        </div>
        <MatchMark match={s.match} className="lg:hidden" />
      </div>
      <Cell label="Sent">
        {s.sent ? (
          <>
            <p>
              <span className="font-mono text-xs">{s.sent.handle}</span> × {s.sent.value}
            </p>
            <p className={`${muted} break-all font-mono`}>{s.sent.key}</p>
            {s.eventId && (
              <Link className="text-xs text-indigo-600 hover:underline dark:text-indigo-400" href={`/events/${s.eventId}`}>
                event #{s.eventId}
                {s.expected.verdict === "duplicate" ? " (step 2's)" : ""}
              </Link>
            )}
            {s.sentAnyway && <p className={muted}>held by pre-validation, sent anyway</p>}
          </>
        ) : (
          <p className={muted}>nothing sent</p>
        )}
      </Cell>
      <div className="grid grid-cols-2 gap-x-3 lg:contents">
        <Cell label="Expected">
          <Outcome v={s.expected} />
          {s.expected.verdict === "billable" && <span className="ml-1 tabular-nums">+{cost(s.expected.cost)}</span>}
          {s.expected.hint && <p className={`${muted} mt-0.5`}>hint: {s.expected.hint}</p>}
        </Cell>
        <Cell label="Predicted">
          {s.predicted ? <Outcome v={s.predicted} /> : <span className={muted}>—</span>}
          {s.predicted?.hint && <p className="mt-0.5 text-xs text-amber-700 dark:text-amber-400">hint: {s.predicted.hint}</p>}
          {s.predictedMatches === false && <p className="mt-0.5 text-xs text-red-600 dark:text-red-400">differs from the expected verdict</p>}
        </Cell>
      </div>
      <Cell label="Platform">
        {s.skipped ? <p className="text-xs text-red-700 dark:text-red-300">Skipped: {s.skipped}</p> : <Outcome v={s.actual} />}
        {s.actual?.details && <p className={`${muted} mt-0.5`}>{s.actual.details}</p>}
      </Cell>
      <MatchMark match={s.match} className="hidden lg:flex lg:justify-center" />
    </li>
  );
}

function MatchMark({ match, className }: { match: boolean | null; className: string }) {
  if (match === null)
    return (
      <span className={`${className} text-zinc-500 dark:text-zinc-400`} title="waiting for the platform">
        …
      </span>
    );
  return match ? (
    <span className={`${className} text-lg font-semibold text-emerald-600 dark:text-emerald-400`} role="img" aria-label="matches">
      ✓
    </span>
  ) : (
    <span className={`${className} text-lg font-semibold text-red-600 dark:text-red-400`} role="img" aria-label="does not match">
      ✗
    </span>
  );
}

function Footer({ view: { run, steps } }: { view: Extract<ScenarioRunView, { status: "finished" }> }) {
  const m = (amount: string) => formatMoney({ amount: new Decimal(amount), currency: run.currency }, "en-US", { exact: true });
  const expectedCost = steps.filter((s) => s.expected.verdict === "billable").reduce((sum, s) => sum.plus(s.expected.cost), new Decimal(0));
  const after = run.usageAfter;
  const actualCost = after ? new Decimal(after.cost).minus(run.usageBefore.cost) : null;
  const sb = run.sandbox;
  const hours = Math.floor(sb.clockAdvancedSeconds / 3600);
  const minutes = Math.round((sb.clockAdvancedSeconds % 3600) / 60);
  return (
    <div className="mt-3 space-y-1 border-t border-zinc-200 pt-3 text-sm dark:border-zinc-800" data-testid="scenario-footer">
      <p>
        <span className="text-zinc-500 dark:text-zinc-400">Platform usage of {run.meter} this cycle: </span>
        {after ? (
          <>
            {run.usageBefore.quantity} → {after.quantity} units, {m(run.usageBefore.cost)} → {m(after.cost)} (expected +{m(expectedCost.toFixed())}
            {actualCost && (actualCost.eq(expectedCost) ? ", got it ✓" : `, got +${m(actualCost.toFixed())} ✗`)})
          </>
        ) : (
          <>{run.usageBefore.quantity} units before the run; not read after it.</>
        )}
      </p>
      {sb.uninstalledAt && (
        <p>
          <span className="text-zinc-500 dark:text-zinc-400">Sandbox: </span>
          uninstalled at <LocalTime iso={sb.uninstalledAt} withSeconds />; clock moved +{hours} h {minutes} min{" "}
          {sb.clockRestored ? "and back ✓" : "and NOT moved back ✗"};{" "}
          {sb.reinstalled ? `reinstalled on ${sb.resubscribed ?? "no plan"} ✓` : "not reinstalled ✗"}; {sb.synced ? "re-synced ✓" : "not re-synced ✗"}
        </p>
      )}
      {run.notes.map((n) => (
        <p key={n} className="text-amber-800 dark:text-amber-300">
          {n}
        </p>
      ))}
    </div>
  );
}
