import Link from "next/link";
import { StateBadge, VerdictBadge } from "@/components/event-badges";
import { LocalTime } from "@/components/local-time";
import { Badge, Card } from "@/components/ui/card";
import { Decimal, formatMoney } from "@/lib/domain/money";
import type { Projection, getTestChargeView } from "@/lib/services/test-charges/test-charges";
import { LiveRefresh } from "@/components/live-refresh";

type View = NonNullable<Awaited<ReturnType<typeof getTestChargeView>>>;

const money = (amount: string, currency: string) => formatMoney({ amount: new Decimal(amount), currency }, "en-US", { exact: true });

/** The fired charge as the ledger has it, refreshed every second until the platform's verdict is in. */
export function ChargeResult({ view: { event, projection } }: { view: View }) {
  const wixUsage = event.kind === "wix_usage";
  const waiting = ["received", "queued", "sending", "retrying"].includes(event.state) || (event.state === "accepted" && !event.platformVerdict && !wixUsage);
  const target = event.shop
    ? `${event.shop.domain}${event.shop.isDevStore ? " (dev store)" : ""}`
    : `${event.wixInstance?.siteName}${event.wixInstance?.isTest ? " (test)" : ""}`;
  return (
    <Card
      title={
        <>
          Result ·{" "}
          <Link className="text-indigo-600 hover:underline dark:text-indigo-400" href={`/events/${event.id}`}>
            event #{event.id.toString()}
          </Link>
        </>
      }
      action={<LiveRefresh active={waiting} label="Waiting for the platform…" />}
    >
      <div data-testid="charge-result" className="space-y-4">
        <dl className="grid grid-cols-[7rem_minmax(0,1fr)] gap-x-3 gap-y-2 text-sm">
          <dt className="text-zinc-500 dark:text-zinc-400">Charge</dt>
          <dd>
            <span className="font-medium">
              {event.quantity?.toString()} × {event.handle}
            </span>{" "}
            · {target}
            <span className="block text-xs text-zinc-500 dark:text-zinc-400">
              {event.connection.name} · <LocalTime iso={event.occurredAt.toISOString()} withSeconds />
            </span>
          </dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Key</dt>
          <dd className="break-all font-mono text-xs leading-5">{event.idempotencyKey}</dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Predicted</dt>
          <dd>
            <VerdictBadge verdict={event.predictedVerdict} code={event.predictedCode} />{" "}
            <span className="text-zinc-500 dark:text-zinc-400">{event.predictedDetails}</span>
            {event.predictedHint && <span className="block text-xs text-amber-700 dark:text-amber-400">Hint: {event.predictedHint}</span>}
          </dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Platform</dt>
          <dd data-testid="charge-verdict">
            {wixUsage && !event.platformVerdict ? (
              <>
                <Badge tone="indigo">at invoice time</Badge>{" "}
                <span className="text-zinc-500 dark:text-zinc-400">Wix asks for custom charges when it invoices the site; the verdict arrives then.</span>
              </>
            ) : (
              <>
                <VerdictBadge verdict={event.platformVerdict} code={event.platformCode} />{" "}
                <span className="text-zinc-500 dark:text-zinc-400">{event.platformDetails}</span>
              </>
            )}
          </dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Delivery</dt>
          <dd data-testid="charge-state">
            <StateBadge state={event.state} /> {event.lastError && <span className="text-xs text-red-600 dark:text-red-400">{event.lastError}</span>}
            {event.state === "held" && (
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                Held because it is predicted to fail;{" "}
                <Link className="text-indigo-600 underline dark:text-indigo-400" href={`/events/${event.id}`}>
                  send it anyway
                </Link>{" "}
                from its page.
              </span>
            )}
          </dd>
        </dl>
        <section>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Delivery attempts ({event.attempts.length})</h3>
          {event.attempts.length === 0 ? (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">
              {wixUsage ? "None: Wix pulls usage through the Custom Charges plugin." : event.state === "held" ? "None: held." : "Not sent yet."}
            </p>
          ) : (
            <ol className="space-y-1 text-sm" data-testid="charge-attempts">
              {event.attempts.map((a) => (
                <li key={a.id.toString()}>
                  Attempt {a.number} · <LocalTime iso={a.startedAt.toISOString()} withSeconds /> ·{" "}
                  <span className="font-medium">{a.status ?? "no response"}</span> · {a.latencyMs} ms
                  {a.error && <span className="text-red-600 dark:text-red-400"> · {a.error}</span>}
                </li>
              ))}
            </ol>
          )}
        </section>
        {projection ? (
          <ProjectionTable p={projection} devStore={!!event.shop?.isDevStore} />
        ) : (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            No projection: the {event.shop ? "store has no plan or billing cycle" : "instance has no billing cycle"} in the ledger.
          </p>
        )}
      </div>
    </Card>
  );
}

/** Shopify never charges a development store (docs/platforms/shopify.md §2.1): its totals are what a real store would pay. */
function ProjectionTable({ p, devStore }: { p: Projection; devStore: boolean }) {
  const cell = "py-1.5 pl-3 text-right tabular-nums";
  const wide = `${cell} hidden sm:table-cell`; // narrow screens show billable units under the units
  const spacer = (
    <>
      <td className="hidden sm:table-cell" />
      <td className="hidden sm:table-cell" />
    </>
  );
  return (
    <section data-testid="projection">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Projected charge for the cycle</h3>
      <p className="mb-2 text-xs text-zinc-500 dark:text-zinc-400">
        {p.title} · <LocalTime iso={p.cycleStart.toISOString()} /> → <LocalTime iso={p.cycleEnd.toISOString()} /> · billable usage in the ledger, priced like
        the platform does
      </p>
      <div role="region" aria-label="Projected charge per meter" tabIndex={0} className="overflow-x-auto scroll-cue">
        <table className="w-full text-sm">
          <thead className="text-xs text-zinc-500 dark:text-zinc-400">
            <tr>
              <th className="py-1.5 text-left font-medium">Meter</th>
              <th className={`${cell} font-medium`}>Units</th>
              <th className={`${wide} font-medium`}>Included</th>
              <th className={`${wide} font-medium`}>Billable</th>
              <th className={`${cell} font-medium`}>Charge</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {p.lines.map((l) => (
              <tr key={l.handle} data-testid={`projection-${l.handle}`}>
                <td className="py-1.5">
                  <span className="font-mono text-xs">{l.handle}</span>
                  <span className="block text-xs text-zinc-500 dark:text-zinc-400">{l.name}</span>
                </td>
                <td className={cell}>
                  {l.quantity}
                  <span className="block text-xs text-zinc-500 sm:hidden dark:text-zinc-400">{l.billable} billable</span>
                  {l.pending !== "0" && <span className="block text-xs text-zinc-500 dark:text-zinc-400">{l.pending} awaiting verdict</span>}
                </td>
                <td className={wide}>{l.included}</td>
                <td className={wide}>{l.billable}</td>
                <td className={cell}>{money(l.charge, p.currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot className="border-t border-zinc-300 dark:border-zinc-700">
            <tr data-testid="projected-fee">
              <td colSpan={2} className="py-1.5 text-zinc-500 dark:text-zinc-400">
                {p.monthlyFee === "0" ? "No monthly fee known (Wix bills its own plan)" : "Monthly fee"}
              </td>
              {spacer}
              <td className={cell}>{money(p.monthlyFee, p.currency)}</td>
            </tr>
            <tr className="font-semibold" data-testid="projected-total">
              <td colSpan={2} className="py-1.5">
                Total so far
                {devStore && (
                  <span className="block text-xs font-medium text-indigo-700 dark:text-indigo-300" data-testid="never-charged">
                    test — never charged
                  </span>
                )}
              </td>
              {spacer}
              <td className={`${cell} whitespace-nowrap`}>
                {money(p.total, p.currency)} <span className="text-xs font-normal text-zinc-500 dark:text-zinc-400">{p.currency}</span>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      {devStore && (
        <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
          A development store: Shopify never charges it, so nobody pays these amounts. They show what a real store on this plan would be charged.
        </p>
      )}
      {p.thisCharge && (
        <p className="mt-2 text-sm" data-testid="this-charge">
          This charge:{" "}
          <span className="font-medium">
            +{p.thisCharge.quantity} {p.thisCharge.handle}
          </span>{" "}
          → <span className="font-medium tabular-nums">+{money(p.thisCharge.charge, p.currency)}</span>
        </p>
      )}
      {p.limit && (
        <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          Charge limit {money(p.limit, p.currency)}:{" "}
          {new Decimal(p.total).gt(p.limit)
            ? "this cycle's usage is over it, so Wix would reject the charges"
            : `${money(new Decimal(p.limit).minus(p.total).toFixed(), p.currency)} left`}
          .
        </p>
      )}
    </section>
  );
}
