import Link from "next/link";
import { VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { formatMoney } from "@/lib/domain/money";
import { shopifyReconciliation } from "@/lib/services/reconcile";
import { CloseCycleForm, ImportPanel, MarkVerdictsForm, ResolveForm } from "./reconcile-forms";
import { WixReconcile } from "./wix-reconcile";

export const metadata = { title: "Reconcile · Billing control room" };

const num = (d: { toFixed(): string } | null) => (d ? d.toFixed() : "—");
const money = (d: { toFixed(n: number): string } | null, currency: string) => (d ? formatMoney({ amount: d as never, currency }, "en-US", { exact: true }) : "—");

export default async function ReconcilePage({ searchParams }: { searchParams: Promise<{ connection?: string }> }) {
  const user = await requirePageUser();
  const operator = hasRole(user.role, "operator");
  const { connection: chosen } = await searchParams;
  const connections = await db().connection.findMany({ orderBy: [{ platform: "asc" }, { name: "asc" }] });
  if (!connections.length) {
    return (<><PageHeader title="Reconcile" /><EmptyState title="No connection">An admin adds one in Settings.</EmptyState></>);
  }
  const connection = connections.find((c) => c.id === chosen) ?? connections[0]!;
  const picker = (
    <form className="flex max-w-full flex-wrap items-center gap-2 text-sm" method="get">
      <label htmlFor="connection" className="text-zinc-500">Connection</label>
      <select id="connection" name="connection" defaultValue={connection.id} className="max-w-full min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900">
        {connections.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
      </select>
      <button className="rounded-md border border-zinc-300 px-2 py-1 dark:border-zinc-700" type="submit">Show</button>
    </form>
  );
  if (connection.platform === "wix") return <WixReconcile connectionId={connection.id} picker={picker} />;
  const { cycles } = await shopifyReconciliation(connection.id);
  const entries = await db().platformLogEntry.aggregate({ where: { connectionId: connection.id }, _count: true, _max: { importedAt: true } });
  return (
    <>
      <PageHeader
        title="Reconcile"
        description="Our ledger beside what the platform says, per shop, meter and billing cycle, and event by event (matched by idempotency key)."
        actions={picker}
      />
      <Card title="The platform's verdicts">
        <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
          {entries._count ? <>{entries._count.toLocaleString("en")} log rows imported, last <LocalTime iso={entries._max.importedAt?.toISOString()} />.</> : "Nothing imported yet."}{" "}
          Shopify shows verdicts only in its Dev Dashboard log: import it to match events and record verdicts.
        </p>
        {operator ? <ImportPanel connectionId={connection.id} sandbox={connection.environment === "sandbox"} /> : <p className="text-sm text-zinc-500">Operators import logs and resolve differences.</p>}
      </Card>
      {cycles.length === 0 && <EmptyState title="No shop has a billing cycle yet">Shops get one when they subscribe to a plan.</EmptyState>}
      {cycles.map((c) => {
        const diffs = c.match.missingHere.length + c.match.missingThere.length + c.match.verdictDiffs.length + c.match.unitDiffs.length;
        return (
          <Card
            key={c.shop.id}
            className="mt-4"
            title={<span data-testid={`cycle-${c.shop.shopId}`}>{c.shop.domain} {c.shop.isDevStore && <Badge tone="indigo">dev store</Badge>} <span className="font-normal text-zinc-500">· {c.shop.planHandle} · <LocalTime iso={c.cycleStart.toISOString()} /> → <LocalTime iso={c.cycleEnd.toISOString()} /></span></span>}
            action={
              c.close ? (c.reopened ? <Badge tone="red">reopened: changed since closed</Badge> : <Badge tone="green">closed as reconciled</Badge>) : c.balanced ? <Badge tone="green">balanced</Badge> : <Badge tone="amber">{diffs} event difference{diffs === 1 ? "" : "s"}</Badge>
            }
          >
            {c.platformError && <p className="mb-2 text-sm text-amber-700 dark:text-amber-400">{c.platformError}</p>}
            <div className="overflow-x-auto">
              <table className="w-full text-right text-sm tabular-nums" data-testid={`totals-${c.shop.shopId}`}>
                <thead className="text-xs text-zinc-500"><tr><th className="py-1 text-left">Meter</th><th>Sent</th><th>Predicted billable</th><th>Confirmed billable</th><th>Shopify units</th><th>Difference</th><th>Ours</th><th>Shopify</th><th>Difference</th></tr></thead>
                <tbody>
                  {c.totals.map((t) => (
                    <tr key={t.handle} className={t.diffUnits && !t.diffUnits.isZero() ? "text-red-700 dark:text-red-400" : ""}>
                      <td className="py-1 text-left font-mono text-xs">{t.handle}</td><td>{num(t.ours.sent)}</td><td>{num(t.ours.predictedBillable)}</td><td>{num(t.ours.confirmedBillable)}</td>
                      <td>{num(t.platformUnits)}</td><td>{num(t.diffUnits)}</td><td>{money(t.ourAmount, t.currency)}</td><td>{money(t.platformAmount, t.currency)}</td><td>{money(t.diffAmount, t.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {c.close && (
              <p className="mt-2 text-xs text-zinc-500">Closed <LocalTime iso={c.close.closedAt.toISOString()} />: “{c.close.note}”{c.reopened && <> — figures then: <span className="font-mono">{JSON.stringify((c.close.snapshot as { totals: unknown }).totals)}</span></>}</p>
            )}
            <Mismatches cycle={c} operator={operator} />
            {operator && <CloseCycleForm connectionId={connection.id} shopId={c.shop.id} reclose={!!c.close} />}
          </Card>
        );
      })}
    </>
  );
}

function Mismatches({ cycle, operator }: { cycle: Awaited<ReturnType<typeof shopifyReconciliation>>["cycles"][number]; operator: boolean }) {
  const rows = [
    ...cycle.match.missingThere.map((l) => ({ kind: "Sent by us, not in Shopify's log", key: l.key, eventId: l.eventId, ours: <VerdictBadge verdict={l.recorded?.verdict ?? null} code={l.recorded?.code ?? null} />, theirs: "—" as React.ReactNode, resolutions: ["resend", "correct"] as const })),
    ...cycle.match.missingHere.map((l) => ({ kind: "In Shopify's log, not in our ledger", key: l.key, eventId: null, ours: "—" as React.ReactNode, theirs: <VerdictBadge verdict={l.verdict} code={l.code} />, resolutions: [] as const })),
    ...cycle.match.verdictDiffs.map((d) => ({ kind: "Verdict differs from our prediction", key: d.line.key, eventId: d.line.eventId, ours: <VerdictBadge verdict={d.line.predicted.verdict} code={d.line.predicted.code} />, theirs: <VerdictBadge verdict={d.platform.verdict} code={d.platform.code} />, resolutions: ["accept_platform", "correct"] as const })),
    ...cycle.match.unitDiffs.map((d) => ({ kind: `Units differ: ours ${d.line.quantity}, Shopify ${d.platform.quantity}`, key: d.line.key, eventId: d.line.eventId, ours: d.line.quantity, theirs: d.platform.quantity, resolutions: ["correct", "resend"] as const })),
  ];
  if (!rows.length) return <p className="mt-3 text-sm text-emerald-700 dark:text-emerald-400">Every event matches Shopify's log.</p>;
  // The first differences of each kind, with the count of the rest: a long list is resolved in batches.
  const perKind = new Map<string, number>();
  const shown = rows.filter((r) => {
    const kind = r.kind.startsWith("Units differ") ? "units" : r.kind;
    perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
    return perKind.get(kind)! <= 15;
  });
  const hidden = rows.length - shown.length;
  const selectable = shown.filter((r) => r.eventId).map((r) => ({ eventId: r.eventId!, key: r.key }));
  return (
    <div className="mt-4">
      <h3 className="mb-2 text-sm font-semibold">Event differences ({rows.length})</h3>
      <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid={`mismatches-${cycle.shop.shopId}`}>
        {shown.map((r) => (
          <li key={`${r.kind}-${r.key}`} className="flex flex-wrap items-center gap-2 py-2">
            <span className="min-w-64 font-medium">{r.kind}</span>
            {r.eventId ? <Link className="font-mono text-xs text-indigo-600 dark:text-indigo-400" href={`/events/${r.eventId}`}>{r.key}</Link> : <span className="font-mono text-xs">{r.key}</span>}
            <span className="text-xs text-zinc-500">ours</span> {r.ours} <span className="text-xs text-zinc-500">Shopify</span> {r.theirs}
            {operator && r.eventId && r.resolutions.length > 0 && <ResolveForm eventId={r.eventId} resolutions={[...r.resolutions]} />}
          </li>
        ))}
      </ul>
      {hidden > 0 && <p className="mt-2 text-xs text-zinc-500">{hidden} more differences: resolve these first, or filter the events by shop.</p>}
      {operator && selectable.length > 0 && <MarkVerdictsForm events={selectable} />}
    </div>
  );
}
