import { randomUUID } from "node:crypto";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AlertItem } from "@/components/alert-item";
import { LimitGauge } from "@/components/limit-gauge";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { getWixInstance, moneyText } from "@/lib/services/wix/instances";
import { AcknowledgeButton } from "@/app/(dashboard)/alerts/alert-actions";
import { ChargesTable, CyclesTable, InvoicesList, LimitHistory, RejectionsList } from "./sections";
import { InitialLimitForm, UsageForm, WixPreviewButton } from "./instance-forms";
import { PlanFacts, WebhookHistory } from "./lifecycle";

export const metadata = { title: "Wix instance · Billing control room" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const dl = "grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-2 text-sm";

export default async function WixInstancePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const view = await getWixInstance(id);
  if (!view) notFound();
  const { instance, gauge, preview, previewError } = view;
  const money = (amount: { toString(): string } | null | undefined, currency = instance.currency) => moneyText(amount, currency);
  const isOperator = hasRole(user.role, "operator");
  const openAlerts = view.alerts.filter((a) => !a.acknowledgedAt);
  const lastChange = view.limitChanges[0];
  const fallbackLimit = instance.connection.defaultChargeLimit?.toFixed(2) ?? "";
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/shops" className="text-indigo-600 hover:underline dark:text-indigo-400">
          ← Shops &amp; instances
        </Link>
      </p>
      <PageHeader
        title={instance.siteName}
        description={
          <>
            Wix instance <span className="break-all font-mono">{instance.instanceId}</span> · {instance.connection.name} · {instance.currency}
          </>
        }
        actions={
          <span className="flex flex-wrap gap-1">
            {instance.installState === "installed" ? <Badge tone="green">installed</Badge> : <Badge tone="red">uninstalled</Badge>}
            {instance.isTest && <Badge tone="indigo">test instance</Badge>}
            {!instance.cycleStart && <Badge>no usage plan yet</Badge>}
          </span>
        }
      />
      <div className="grid items-start gap-4 lg:grid-cols-3">
        <Card title="Charge limit this cycle" className="lg:col-span-2">
          {gauge ? (
            <div data-testid="instance-gauge">
              <LimitGauge size="lg" label={`${instance.siteName}: charge limit used this cycle`} {...gauge} />
              <dl className={`${dl} mt-4`}>
                <dt className="text-zinc-500 dark:text-zinc-400">Cycle</dt>
                <dd>
                  <LocalTime iso={gauge.cycleStart} /> → <LocalTime iso={gauge.cycleEnd} />
                </dd>
                <dt className="text-zinc-500 dark:text-zinc-400">Limit in force</dt>
                <dd className="tabular-nums">
                  {gauge.limitText}
                  {lastChange && (
                    <span className="text-zinc-500 dark:text-zinc-400">
                      {" "}
                      ·{" "}
                      {lastChange.source === "initial"
                        ? "answered on upgrade"
                        : lastChange.source === "raised"
                          ? "raised by the site owner"
                          : "as Wix named it when rejecting"}{" "}
                      <LocalTime iso={lastChange.at.toISOString()} />
                    </span>
                  )}
                  {!instance.chargeLimit && (
                    <span className="text-amber-700 dark:text-amber-400"> · assumed: Wix has not told us this instance&apos;s limit</span>
                  )}
                </dd>
                <dt className="text-zinc-500 dark:text-zinc-400">Left this cycle</dt>
                <dd className="tabular-nums">{gauge.remainingText}</dd>
                <dt className="text-zinc-500 dark:text-zinc-400">At this pace</dt>
                <dd className="tabular-nums" data-testid="gauge-projected">
                  {gauge.projectedText === null ? (
                    <span className="text-zinc-500 dark:text-zinc-400">too early in the cycle to project (shown after the first day)</span>
                  ) : (
                    <>
                      {gauge.projectedText} by the cycle&apos;s end ({gauge.projectedPercent?.toFixed(0)} %)
                      {gauge.reachesLimitAt && (
                        <span className="text-red-600 dark:text-red-400">
                          {" "}
                          · reaches the limit <LocalTime iso={gauge.reachesLimitAt} />
                        </span>
                      )}
                    </>
                  )}
                </dd>
                {preview && (
                  <>
                    <dt className="text-zinc-500 dark:text-zinc-400">If Wix invoiced now</dt>
                    <dd data-testid="invoice-now">
                      <span className="tabular-nums">
                        {preview.result.charges.length} charge{preview.result.charges.length === 1 ? "" : "s"}, {money(preview.result.total)}
                      </span>
                      {preview.carriedTotal.gt(0) && (
                        <span className="block text-amber-700 dark:text-amber-400">
                          {money(preview.carriedTotal)} carried, not proposed (
                          {[...new Set(preview.carried.filter((c) => c.reason !== "no_price" && c.reason !== "counter").map((c) => reasonText[c.reason]))].join(
                            ", ",
                          )}
                          )
                        </span>
                      )}
                    </dd>
                  </>
                )}
                {previewError && (
                  <>
                    <dt className="text-zinc-500 dark:text-zinc-400">If Wix invoiced now</dt>
                    <dd className="text-red-600 dark:text-red-400">{previewError}</dd>
                  </>
                )}
              </dl>
            </div>
          ) : (
            <EmptyState title={instance.cycleStart ? "No charge limit known" : "No usage plan yet"}>
              {instance.cycleStart
                ? "Set an initial charge limit for the connection or this instance."
                : "Wix asks for the charge limit when the site owner upgrades to the usage-based plan; the gauge starts then."}
            </EmptyState>
          )}
          {hasRole(user.role, "admin") && (
            <div className="mt-4 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <InitialLimitForm
                instanceRowId={instance.id}
                value={instance.initialChargeLimit?.toFixed(2) ?? ""}
                fallback={fallbackLimit ? `${fallbackLimit} (connection default)` : "no default set"}
              />
            </div>
          )}
        </Card>
        <Card
          title={`Open alerts (${openAlerts.length})`}
          action={
            <Link href="/alerts" className="text-xs text-indigo-600 hover:underline dark:text-indigo-400">
              All alerts →
            </Link>
          }
        >
          {openAlerts.length === 0 ? (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">None. Alerts fire at 80 % and 100 % of the charge limit.</p>
          ) : (
            <ul className="space-y-3" data-testid="instance-alerts">
              {openAlerts.slice(0, 3).map((a) => (
                <AlertItem key={a.id} alert={a} action={isOperator ? <AcknowledgeButton id={a.id} /> : undefined} />
              ))}
            </ul>
          )}
          {openAlerts.length > 3 && (
            <p className="mt-3 text-sm">
              <Link href="/alerts" className="text-indigo-600 hover:underline dark:text-indigo-400">
                {openAlerts.length - 3} older open alert{openAlerts.length === 4 ? "" : "s"} on the Alerts page →
              </Link>
            </p>
          )}
        </Card>
      </div>

      {isOperator && (
        <div className="mt-4 grid items-start gap-4 lg:grid-cols-2">
          <Card title="Record usage">
            <UsageForm
              instanceRowId={instance.id}
              currency={instance.currency}
              initialNonce={randomUUID()}
              kinds={view.priceItems.map((p) => ({ kind: p.kind, description: p.description, unitPrice: p.unitPrice.toFixed() }))}
            />
          </Card>
          <Card title="Test: what would Wix invoice now?">
            <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
              Calls Wix&apos;s metered-billing-charges as this instance; Wix asks this app&apos;s List Charges (display only) and relays the answer. Nothing is
              invoiced or recorded.
            </p>
            <WixPreviewButton instanceRowId={instance.id} disabled={!instance.cycleStart || instance.installState !== "installed"} />
          </Card>
        </div>
      )}

      <Card title="Billing cycles" className="mt-4">
        <CyclesTable
          periods={view.periods}
          current={
            gauge && preview
              ? {
                  start: gauge.cycleStart,
                  usage: preview.usageTotal,
                  proposed: preview.result.total,
                  carried: preview.carried,
                  carriedTotal: preview.carriedTotal,
                }
              : null
          }
          currency={instance.currency}
        />
      </Card>
      <Card title="Charges proposed to Wix" className="mt-4">
        <ChargesTable periods={view.periods} />
      </Card>
      <div className="mt-4 grid items-start gap-4 lg:grid-cols-2">
        <Card title={`Invoices (${view.invoices.length})`}>
          <InvoicesList invoices={view.invoices} statuses={view.invoiceStatuses} />
        </Card>
        <Card title={`Rejections (${view.rejections.length})`}>
          <RejectionsList rejections={view.rejections} />
        </Card>
      </div>
      <div className="mt-4 grid items-start gap-4 lg:grid-cols-2">
        <Card title="Plan (from Wix)">
          <PlanFacts instance={instance} />
        </Card>
        <Card title="Limit history">
          <LimitHistory changes={view.limitChanges} />
        </Card>
      </div>
      <Card title={`Webhooks from Wix (last ${Math.min(view.webhooks.length, 20)})`} className="mt-4">
        <WebhookHistory webhooks={view.webhooks} />
      </Card>
    </>
  );
}

const reasonText: Record<string, string> = {
  charge_limit: "over the limit",
  below_minimum: "under the 0.50 minimum",
  minor_unit: "fractions of the smallest unit",
  no_price: "no price",
  counter: "counted by Wix",
};
