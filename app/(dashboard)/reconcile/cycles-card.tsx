import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Badge, Card } from "@/components/ui/card";
import type { CycleCharge, CycleMeter } from "@/lib/domain/reconcile";
import { formatMoney, toDecimal } from "@/lib/domain/money";
import type { ReconcileCycle } from "@/lib/generated/prisma/client";
import type { CycleState } from "@/lib/generated/prisma/enums";
import { CloseCycleForm, RefreshButton } from "./reconcile-forms";

const STATE: Record<CycleState, { label: string; tone: "amber" | "green" | "indigo" | "red" }> = {
  open: { label: "open", tone: "amber" },
  balanced: { label: "balanced", tone: "green" },
  closed: { label: "closed", tone: "indigo" },
  closed_with_gap: { label: "closed with a known gap", tone: "red" },
};
const money = (amount: string | null, currency: string) =>
  amount === null ? "—" : formatMoney({ amount: toDecimal(amount), currency }, "en-US", { exact: true });
const link = "text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300";

/** Every kept cycle, newest end first: ours beside the platform's per meter, and its sign-off. */
export function CyclesCard({
  platform,
  connectionId,
  refreshing,
  cycles,
  counts,
  state,
  query,
  operator,
  admin,
}: {
  platform: "shopify" | "wix";
  connectionId: string;
  /** A pull of the platform's figures is waiting or running. */
  refreshing: boolean;
  cycles: { rows: ReconcileCycle[]; next: string | null };
  counts: Partial<Record<CycleState, number>>;
  state: CycleState | undefined;
  query: (extra: Record<string, string | undefined>) => string;
  operator: boolean;
  admin: boolean;
}) {
  const total = Object.values(counts).reduce((a, n) => a + (n ?? 0), 0);
  const wix = platform === "wix";
  return (
    <Card className="mt-4" title="Billing cycles">
      <nav aria-label="Cycles by state" className="mb-3 flex flex-wrap gap-2 text-sm">
        <Link className={state ? link : "font-semibold"} aria-current={state ? undefined : "page"} href={query({ cycles: undefined, cyclesAfter: undefined })}>
          All ({total})
        </Link>
        {(Object.keys(STATE) as CycleState[]).map((s) => (
          <Link
            key={s}
            className={state === s ? "font-semibold" : link}
            aria-current={state === s ? "page" : undefined}
            href={query({ cycles: s, cyclesAfter: undefined })}
          >
            {STATE[s].label} ({counts[s] ?? 0})
          </Link>
        ))}
      </nav>
      {cycles.rows.length === 0 && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          No cycle here yet: cycles appear once the worker has reconciled the connection (or after an import).
        </p>
      )}
      <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {cycles.rows.map((c) => {
          const meters = c.meters as CycleMeter[];
          const closed = c.state === "closed" || c.state === "closed_with_gap";
          const gap = (c.gap as { currency: string; amount: string }[] | null) ?? [];
          const ended = c.cycleEnd.getTime() <= Date.now();
          const charges = (c.charges as CycleCharge[] | null) ?? [];
          const recurring = charges.filter((x) => x.type === "recurring");
          const answers = wix ? charges : [];
          // Signed off only on the platform's charges read after the cycle's end.
          const unread = ended && (!c.platformReadAt || c.platformReadAt.getTime() <= c.cycleEnd.getTime());
          // No platform figure read for any meter: nothing was compared, so "balanced" would claim what nobody checked.
          const uncompared = !wix && c.state === "balanced" && meters.length > 0 && meters.every((m) => !m.fetchedAt);
          return (
            <li key={c.id} className="py-3" data-testid={`cycle-${c.subjectLabel}`}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{c.subjectLabel}</span>
                <span className="text-xs text-zinc-600 dark:text-zinc-400">
                  <LocalTime iso={c.cycleStart.toISOString()} /> → <LocalTime iso={c.cycleEnd.toISOString()} />
                </span>
                {c.planHandle && (
                  <span className="text-xs text-zinc-600 dark:text-zinc-400">
                    priced with plan <span className="font-mono">{c.planHandle}</span>
                  </span>
                )}
                {uncompared ? (
                  <Badge tone="zinc">not compared yet: no platform figure read</Badge>
                ) : (
                  <Badge tone={STATE[c.state].tone}>{STATE[c.state].label}</Badge>
                )}
                {c.reopenedAt && (
                  <>
                    <Badge tone="red">reopened</Badge>
                    <span className="text-xs text-red-700 dark:text-red-300">
                      <LocalTime iso={c.reopenedAt.toISOString()} />: {c.reopenReason ?? "changed since signed off"}
                    </span>
                  </>
                )}
                {c.openCount > 0 && (
                  <Link className={`${link} text-sm`} href={query({ cycle: c.id, after: undefined, state: "open" })}>
                    {c.openCount} open difference{c.openCount === 1 ? "" : "s"}
                  </Link>
                )}
              </div>
              {meters.length === 0 && (
                <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">No usage meter on this plan: only its recurring fee is billed.</p>
              )}
              {meters.length > 0 && (
                <div role="region" aria-label="Cycle figures per meter" tabIndex={0} className="mt-2 overflow-x-auto scroll-cue">
                  <table className="w-full min-w-[42rem] text-right text-sm tabular-nums [&_td+td]:pl-3 [&_th+th]:pl-3">
                    <thead className="text-xs text-zinc-600 dark:text-zinc-400">
                      {wix ? (
                        <tr>
                          <th scope="col" className="py-1 text-left">
                            Meter
                          </th>
                          <th scope="col">Usage events</th>
                          <th scope="col">Platform units</th>
                          <th scope="col">Our ledger</th>
                          <th scope="col">Proposed to Wix</th>
                          <th scope="col">Invoiced by Wix</th>
                          <th scope="col">Difference</th>
                          <th scope="col" className="text-left pl-3">
                            Last answer
                          </th>
                        </tr>
                      ) : (
                        <tr>
                          <th scope="col" className="py-1 text-left">
                            Meter
                          </th>
                          <th scope="col">Our units</th>
                          <th scope="col">Platform units</th>
                          <th scope="col">Ours</th>
                          <th scope="col">Platform</th>
                          <th scope="col">Charged by Shopify</th>
                          <th scope="col">Difference</th>
                          <th scope="col" className="text-left pl-3">
                            Platform figure read
                          </th>
                        </tr>
                      )}
                    </thead>
                    <tbody>
                      {meters.map((m) => {
                        // Wix: what the ledger priced is proposed, carried or invoiced; its differences are listed below, not a subtraction here.
                        const diff =
                          !wix && m.ourAmount !== null && m.platformAmount !== null ? toDecimal(m.ourAmount).minus(toDecimal(m.platformAmount)) : null;
                        const differs = (!!diff && !diff.isZero()) || (m.platformUnits !== null && !toDecimal(m.ourUnits).eq(toDecimal(m.platformUnits)));
                        return (
                          <tr key={m.handle} className={differs ? "text-red-700 dark:text-red-300" : ""}>
                            <td className="py-1 text-left font-mono text-xs">{m.handle}</td>
                            <td>
                              {m.ourUnits}
                              {m.ourPending !== "0" && <span className="block text-xs text-zinc-600 dark:text-zinc-400">+{m.ourPending} pending</span>}
                              {m.inFlight && (
                                <span className="block text-xs text-indigo-800 dark:text-indigo-300" data-testid={`in-flight-${m.handle}`}>
                                  in flight — sent after the last read at <LocalTime iso={m.inFlight.readAt} />: {m.inFlight.count.toLocaleString("en")} event
                                  {m.inFlight.count === 1 ? "" : "s"}
                                  {!wix && <>, {m.inFlight.units} units</>}
                                  {m.inFlight.amount !== null && <>, {money(m.inFlight.amount, m.currency)}</>}
                                </span>
                              )}
                            </td>
                            <td>{m.platformUnits ?? "—"}</td>
                            <td>{money(m.ourAmount, m.currency)}</td>
                            <td>{money(m.platformAmount, m.currency)}</td>
                            <td data-testid={`charged-${m.handle}`}>
                              {m.chargedAmount != null ? (
                                <>
                                  {money(m.chargedAmount, m.currency)}
                                  {m.chargedUnits != null && <span className="block text-xs text-zinc-600 dark:text-zinc-400">{m.chargedUnits} units</span>}
                                  {wix && m.carriedAmount !== undefined && m.carriedAmount !== "0" && (
                                    <span className="block text-xs text-zinc-600 dark:text-zinc-400" data-testid={`carried-${m.handle}`}>
                                      + {money(m.carriedAmount, m.currency)} carried
                                    </span>
                                  )}
                                </>
                              ) : (
                                <span className="text-xs text-zinc-600 dark:text-zinc-400">
                                  {wix ? "not invoiced" : m.neverCharged ? "test — never charged" : ended ? "not read yet" : "at cycle end"}
                                </span>
                              )}
                            </td>
                            <td>{diff ? money(diff.toFixed(), m.currency) : "—"}</td>
                            <td className="pl-3 text-left text-xs">{m.fetchedAt ? <LocalTime iso={m.fetchedAt} /> : "never"}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
              {wix && answers.length > 0 && (
                <p className="mt-1 text-xs text-zinc-700 dark:text-zinc-300" data-testid="wix-charges">
                  Our List Charges answers:{" "}
                  {answers.map((x, i) => (
                    <span key={x.chargeId}>
                      {i > 0 && ", "}
                      {money(x.amount, x.currency)} <span className="font-mono">{x.chargeId}</span> ({x.handle})
                    </span>
                  ))}
                </p>
              )}
              {recurring.length > 0 && (
                <p className="mt-1 text-xs text-zinc-700 dark:text-zinc-300" data-testid="recurring-charged">
                  Recurring fee charged by Shopify:{" "}
                  {recurring.map((x) => (
                    <span key={x.chargeId}>
                      {money(x.amount, x.currency)} (<LocalTime iso={x.at} />)
                    </span>
                  ))}
                </p>
              )}
              {closed || c.closedAt ? (
                <p className="mt-2 text-xs text-zinc-700 dark:text-zinc-300">
                  Signed off by {c.closedByEmail} <LocalTime iso={c.closedAt?.toISOString()} />: “{c.closeNote}”
                  {gap.length > 0 && <> — known gap {gap.map((g) => money(g.amount, g.currency)).join(", ")}</>}
                </p>
              ) : null}
              {unread && (!closed || c.reopenedAt) && (
                <div className="mt-2 flex flex-wrap items-center gap-2 text-xs text-amber-800 dark:text-amber-300" data-testid="charges-unread">
                  <span>
                    {wix ? "Wix" : "Shopify"}&apos;s charges for this cycle have not been read since it ended (
                    {c.platformReadAt ? (
                      <>
                        last read <LocalTime iso={c.platformReadAt.toISOString()} />
                      </>
                    ) : (
                      "never read"
                    )}
                    ): it can be signed off after the next read.
                  </span>
                  {operator && <RefreshButton connectionId={connectionId} disabled={refreshing} />}
                </div>
              )}
              {operator && (!closed || c.reopenedAt) && (
                <CloseCycleForm cycleId={c.id} connectionId={connectionId} refreshing={refreshing} admin={admin} ended={ended} open={c.openCount} />
              )}
            </li>
          );
        })}
      </ul>
      {cycles.next && (
        <Link className={`${link} mt-2 inline-block text-sm`} href={query({ cyclesAfter: cycles.next })}>
          Older cycles →
        </Link>
      )}
    </Card>
  );
}
