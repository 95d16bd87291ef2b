import { notFound } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { AddMeterForm, AddPlanForm, AddPriceItemForm, AddShopForm, RefreshButton, RemoveMeterButton } from "./plan-forms";

export const metadata = { title: "Connection · Billing control room" };

type Tier = { upTo: string | null; unitPrice: string };

export default async function ConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const admin = hasRole(user.role, "admin");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/.test(id)) notFound();
  const c = await db().connection.findUnique({
    where: { id },
    include: { plans: { orderBy: { handle: "asc" }, include: { meters: { orderBy: { handle: "asc" } } } }, wixPriceItems: { orderBy: [{ kind: "asc" }, { currency: "asc" }] }, _count: { select: { shops: true, wixInstances: true } } },
  });
  if (!c) notFound();
  return (
    <>
      <PageHeader
        title={c.name}
        description={<>{c.platform} · {c.environment} · <span className="font-mono">{c.apiBaseUrl}</span> · {c.platform === "shopify" ? `${c._count.shops} shops` : `${c._count.wixInstances} instances`} · last send <LocalTime iso={c.lastSendAt?.toISOString()} />{c.lastSendError && <span className="text-red-600"> ({c.lastSendError})</span>}</>}
        actions={hasRole(user.role, "operator") && <RefreshButton connectionId={c.id} label={c.environment === "sandbox" ? "Import from the sandbox" : c.platform === "shopify" ? "Refresh subscriptions (Partner API)" : null} />}
      />
      {c.platform === "shopify" ? (
        <Card title="Plans and usage meters (Shopify App Pricing)">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">Pre-validation uses them (a handle that is no meter is non-billable), and the projections price usage with them. Shopify has no API to read them: {c.environment === "sandbox" ? "this sandbox connection imports them." : "enter them as they are in the Partner Dashboard."}</p>
          {c.plans.length === 0 && <EmptyState title="No plans yet">{admin ? "Add the app's plans below." : "An admin adds them."}</EmptyState>}
          <div className="space-y-4">
            {c.plans.map((p) => (
              <div key={p.id} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800" data-testid={`plan-${p.handle}`}>
                <p className="font-medium">{p.name} <span className="font-mono text-xs text-zinc-500">{p.handle}</span> · {p.monthlyFee.toFixed(2)} {p.currency} / month</p>
                {p.meters.length === 0 ? <p className="mt-1 text-sm text-zinc-500">No usage meters: billing events on this plan fail with SUBSCRIPTION_NOT_METERED.</p> : (
                  <table className="mt-2 w-full text-left text-sm">
                    <thead className="text-xs text-zinc-500"><tr><th className="py-1">Meter</th><th>Structure</th><th>Price</th><th>Included</th><th /></tr></thead>
                    <tbody>
                      {p.meters.map((m) => (
                        <tr key={m.id}>
                          <td className="py-1"><span className="font-mono text-xs">{m.handle}</span> <span className="text-zinc-500">{m.name}</span></td>
                          <td><Badge>{m.structure}</Badge></td>
                          <td className="tabular-nums">{m.structure === "fixed" ? `${m.unitPrice.toFixed()} ${m.currency}` : ((m.tiers as Tier[] | null) ?? []).map((t) => `${t.upTo ?? "∞"} @ ${t.unitPrice}`).join(" · ")}</td>
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
          {admin && c.environment === "live" && <AddShopForm connectionId={c.id} />}
        </Card>
      ) : (
        <Card title="Price list for custom charges">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">What one unit of each usage kind costs, per currency: List Charges prices each instance&apos;s usage with it.</p>
          {c.wixPriceItems.length === 0 ? <EmptyState title="No prices yet">{admin ? "Add them below." : "An admin adds them."}</EmptyState> : (
            <table className="w-full text-left text-sm" data-testid="price-list">
              <thead className="text-xs text-zinc-500"><tr><th className="py-1">Kind</th><th>Description</th><th className="text-right">Unit price</th></tr></thead>
              <tbody>{c.wixPriceItems.map((i) => <tr key={i.id}><td className="py-1 font-mono text-xs">{i.kind}</td><td>{i.description}</td><td className="text-right tabular-nums">{i.unitPrice.toFixed()} {i.currency}</td></tr>)}</tbody>
            </table>
          )}
          {admin && <AddPriceItemForm connectionId={c.id} />}
        </Card>
      )}
    </>
  );
}
