import Link from "next/link";
import { notFound } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { recentWebhooks } from "@/lib/services/wix/webhooks";
import type { CheckStep } from "@/lib/services/connections/checks";
import { CheckSteps, DeleteConnectionButton, EditConnectionForm, EnableToggle, RotateSecretForm, TestCredentialsButton } from "./connection-manage";
import { DiscoveryStatus } from "./discovery-status";
import { AddMeterForm, AddPlanForm, AddPriceItemForm, RefreshButton, RemoveMeterButton, SandboxImport } from "./plan-forms";

export const metadata = { title: "Connection · Billing control room" };

type Tier = { upTo: string | null; unitPrice: string };

export default async function ConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const admin = hasRole(user.role, "admin");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/.test(id)) notFound();
  const c = await db().connection.findUnique({
    where: { id },
    include: {
      plans: { orderBy: { handle: "asc" }, include: { meters: { orderBy: { handle: "asc" } } } },
      wixPriceItems: { orderBy: [{ kind: "asc" }, { currency: "asc" }] },
      _count: { select: { shops: true, wixInstances: true } },
    },
  });
  if (!c) notFound();
  const webhooks = c.platform === "wix" ? await recentWebhooks({ connectionId: c.id }) : [];
  return (
    <>
      <PageHeader
        title={c.name}
        description={
          <>
            {c.platform} · {c.environment} · <span className="font-mono">{c.apiBaseUrl}</span> ·{" "}
            {c.platform === "shopify" ? `${c._count.shops} shops` : `${c._count.wixInstances} instances`} · last send{" "}
            <LocalTime iso={c.lastSendAt?.toISOString()} />
            {c.lastSendError && <span className="text-red-600 dark:text-red-400"> ({c.lastSendError})</span>}
          </>
        }
        actions={
          hasRole(user.role, "operator") &&
          (c.environment === "sandbox" ? (
            <SandboxImport connectionId={c.id} />
          ) : (
            <RefreshButton connectionId={c.id} label={c.platform === "shopify" ? "Sync shops now (Partner API)" : null} />
          ))
        }
      />
      {c.platform === "shopify" && <DiscoveryStatus connectionId={c.id} />}
      {(c.disabledAt || c.archivedAt) && (
        <p
          role="status"
          className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
          data-testid="paused-banner"
        >
          {c.archivedAt ? "Archived" : "Disabled"} since <LocalTime iso={(c.archivedAt ?? c.disabledAt)!.toISOString()} />: events for this connection are still
          taken in and held; nothing is sent to {c.platform === "shopify" ? "Shopify" : "Wix"} and discovery waits until an admin enables it.
        </p>
      )}
      {admin && (
        <Card title="Manage the connection" className="mb-4">
          <div className="space-y-6">
            <EditConnectionForm
              c={{
                id: c.id,
                name: c.name,
                platform: c.platform,
                apiBaseUrl: c.apiBaseUrl,
                partnerApiUrl: c.partnerApiUrl,
                alertWebhookUrl: c.alertWebhookUrl,
                personalDataMode: c.personalDataMode,
                disabled: !!c.disabledAt,
                archived: !!c.archivedAt,
              }}
            />
            <section aria-labelledby="m-test" className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <h3 id="m-test" className="mb-2 text-sm font-semibold">
                Credentials
              </h3>
              <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
                {c.platform === "shopify"
                  ? "Fetches an App Events token and runs a Partner API query."
                  : "Fetches a token for an installed instance and reads it from the App Instance API."}{" "}
                Last tested:{" "}
                {c.lastTestAt ? (
                  <>
                    <LocalTime iso={c.lastTestAt.toISOString()} /> ·{" "}
                    {c.lastTestOk ? (
                      <span className="text-emerald-700 dark:text-emerald-400">passed</span>
                    ) : (
                      <span className="text-red-600 dark:text-red-400">failed</span>
                    )}
                  </>
                ) : (
                  "never"
                )}
                .
              </p>
              <TestCredentialsButton id={c.id} />
              {c.lastTestOk === false && Array.isArray((c.lastTestResult as { steps?: unknown } | null)?.steps) && (
                <CheckSteps steps={(c.lastTestResult as { steps: CheckStep[] }).steps} />
              )}
            </section>
            <section aria-labelledby="m-rotate" className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <h3 id="m-rotate" className="mb-2 text-sm font-semibold">
                Rotate a secret
              </h3>
              <RotateSecretForm id={c.id} platform={c.platform} />
            </section>
            <section aria-labelledby="m-life" className="flex flex-wrap items-start gap-4 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <h3 id="m-life" className="sr-only">
                Pause or remove
              </h3>
              <EnableToggle id={c.id} disabled={!!c.disabledAt} archived={!!c.archivedAt} />
              {!c.archivedAt && <DeleteConnectionButton id={c.id} name={c.name} />}
            </section>
          </div>
        </Card>
      )}
      {c.platform === "shopify" ? (
        <Card title="Plans and usage meters (Shopify App Pricing)">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
            Pre-validation uses them (a handle that is no meter is non-billable), and the projections price usage with them. Shopify has no API to read them:{" "}
            {c.environment === "sandbox" ? "this sandbox connection imports them." : "enter them as they are in the Partner Dashboard."}
          </p>
          {c.plans.length === 0 && <EmptyState title="No plans yet">{admin ? "Add the app's plans below." : "An admin adds them."}</EmptyState>}
          <div className="space-y-4">
            {c.plans.map((p) => (
              <div key={p.id} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800" data-testid={`plan-${p.handle}`}>
                <p className="font-medium">
                  {p.name} <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{p.handle}</span> · {p.monthlyFee.toFixed(2)} {p.currency} /
                  month
                </p>
                {p.meters.length === 0 ? (
                  <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
                    No usage meters: billing events on this plan fail with SUBSCRIPTION_NOT_METERED.
                  </p>
                ) : (
                  <table className="mt-2 w-full text-left text-sm">
                    <thead className="text-xs text-zinc-500 dark:text-zinc-400">
                      <tr>
                        <th className="py-1">Meter</th>
                        <th>Structure</th>
                        <th>Price</th>
                        <th>Included</th>
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {p.meters.map((m) => (
                        <tr key={m.id}>
                          <td className="py-1">
                            <span className="font-mono text-xs">{m.handle}</span> <span className="text-zinc-500 dark:text-zinc-400">{m.name}</span>
                          </td>
                          <td>
                            <Badge>{m.structure}</Badge>
                          </td>
                          <td className="tabular-nums">
                            {m.structure === "fixed"
                              ? `${m.unitPrice.toFixed()} ${m.currency}`
                              : ((m.tiers as Tier[] | null) ?? []).map((t) => `${t.upTo ?? "∞"} @ ${t.unitPrice}`).join(" · ")}
                          </td>
                          <td className="tabular-nums">{m.includedUnits.toFixed()}</td>
                          <td className="text-right">{admin && <RemoveMeterButton id={m.id} handle={m.handle} />}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {admin && p.meters.length < 5 && <AddMeterForm planId={p.id} />}
              </div>
            ))}
          </div>
          {admin && <AddPlanForm connectionId={c.id} />}
        </Card>
      ) : (
        <Card title="Price list for custom charges">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
            What one unit of each usage kind costs, per currency: List Charges prices each instance&apos;s usage with it.
          </p>
          {c.wixPriceItems.length === 0 ? (
            <EmptyState title="No prices yet">{admin ? "Add them below." : "An admin adds them."}</EmptyState>
          ) : (
            <table className="w-full text-left text-sm" data-testid="price-list">
              <thead className="text-xs text-zinc-500 dark:text-zinc-400">
                <tr>
                  <th className="py-1">Kind</th>
                  <th>Description</th>
                  <th className="text-right">Unit price</th>
                </tr>
              </thead>
              <tbody>
                {c.wixPriceItems.map((i) => (
                  <tr key={i.id}>
                    <td className="py-1 font-mono text-xs">{i.kind}</td>
                    <td>{i.description}</td>
                    <td className="text-right tabular-nums">
                      {i.unitPrice.toFixed()} {i.currency}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {admin && <AddPriceItemForm connectionId={c.id} />}
        </Card>
      )}
      {c.platform === "wix" && (
        <Card title="Webhooks from Wix" className="mt-4">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
            In the Wix app dashboard, give every App Instance webhook (installed, removed, plan purchased, changed, cancelled, converted, reactivated,
            transferred) and Invoice Status Updated this callback URL. Each is checked with the app&apos;s public key and recorded once, however often Wix
            retries it.
          </p>
          <p
            className="mb-4 break-all rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs dark:bg-zinc-800"
            data-testid="webhook-url"
          >{`${env().APP_URL.replace(/\/$/, "")}/api/wix/${c.id}/webhooks`}</p>
          {webhooks.length === 0 ? (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">No webhook received yet.</p>
          ) : (
            <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="connection-webhooks">
              {webhooks.map((w) => (
                <li key={w.id.toString()} className="flex flex-wrap items-center gap-2 py-2">
                  <span className="font-mono text-xs">{w.eventType}</span>
                  {w.wixInstance ? (
                    <Link href={`/shops/wix/${w.wixInstance.id}`} className="text-indigo-600 hover:underline dark:text-indigo-400">
                      {w.wixInstance.siteName}
                    </Link>
                  ) : (
                    <span className="font-mono text-xs">{w.instanceId}</span>
                  )}
                  <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
                    <LocalTime iso={w.receivedAt.toISOString()} />
                  </span>
                  <span className="basis-full break-words text-zinc-600 dark:text-zinc-300">{w.summary}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      )}
    </>
  );
}
