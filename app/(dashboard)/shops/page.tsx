import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { db } from "@/lib/db/client";

export const metadata = { title: "Shops & instances · Billing control room" };

export default async function ShopsPage() {
  await requirePageUser();
  const [shops, instances] = await Promise.all([
    db().shop.findMany({ orderBy: [{ connectionId: "asc" }, { domain: "asc" }], include: { connection: { select: { name: true, environment: true } } } }),
    db().wixInstance.findMany({ orderBy: [{ connectionId: "asc" }, { siteName: "asc" }], include: { connection: { select: { name: true, environment: true } } } }),
  ]);
  return (
    <>
      <PageHeader title="Shops & instances" description="Every Shopify shop and Wix instance the connections bill." />
      <Card title={`Shopify shops (${shops.length})`}>
        {shops.length === 0 ? (
          <EmptyState title="No Shopify shops">Shops appear once a Shopify connection is added and synced.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="shops-table">
              <thead className="text-xs text-zinc-500"><tr><th className="py-2 pr-3">Shop</th><th className="pr-3">Connection</th><th className="pr-3">Install</th><th className="pr-3">Plan</th><th className="pr-3">Billing cycle</th></tr></thead>
              <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {shops.map((s) => (
                  <tr key={s.id}>
                    <td className="py-2 pr-3"><span className="font-medium">{s.domain}</span> {s.isDevStore && <Badge tone="indigo">dev store</Badge>}<span className="block text-xs text-zinc-500">{s.shopId}</span></td>
                    <td className="pr-3">{s.connection.name} <Badge>{s.connection.environment}</Badge></td>
                    <td className="pr-3">{s.installState === "installed" ? <Badge tone="green">installed</Badge> : <Badge tone="red">uninstalled</Badge>}{s.uninstalledAt && <span className="block text-xs text-zinc-500"><LocalTime iso={s.uninstalledAt.toISOString()} /></span>}</td>
                    <td className="pr-3">{s.planHandle ?? <span className="text-zinc-400">no subscription</span>} {s.subscriptionStatus && <span className="text-xs text-zinc-500">({s.subscriptionStatus})</span>}</td>
                    <td className="pr-3 text-xs">{s.cycleStart && s.cycleEnd ? <><LocalTime iso={s.cycleStart.toISOString()} /> → <LocalTime iso={s.cycleEnd.toISOString()} /></> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title={`Wix instances (${instances.length})`} className="mt-4">
        {instances.length === 0 ? (
          <EmptyState title="No Wix instances">Instances appear once a Wix connection is added.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="instances-table">
              <thead className="text-xs text-zinc-500"><tr><th className="py-2 pr-3">Site</th><th className="pr-3">Connection</th><th className="pr-3">Install</th><th className="pr-3">Currency</th><th className="pr-3 text-right">Charge limit</th></tr></thead>
              <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {instances.map((i) => (
                  <tr key={i.id}>
                    <td className="py-2 pr-3"><span className="font-medium">{i.siteName}</span> {i.isTest && <Badge tone="indigo">test</Badge>}<span className="block font-mono text-xs text-zinc-500">{i.instanceId}</span></td>
                    <td className="pr-3">{i.connection.name} <Badge>{i.connection.environment}</Badge></td>
                    <td className="pr-3">{i.installState === "installed" ? <Badge tone="green">installed</Badge> : <Badge tone="red">uninstalled</Badge>}</td>
                    <td className="pr-3">{i.currency}</td>
                    <td className="pr-3 text-right tabular-nums">{i.chargeLimit ? `${i.chargeLimit.toFixed(2)} ${i.currency}` : <span className="text-zinc-400">not upgraded</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
