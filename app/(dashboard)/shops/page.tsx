import Link from "next/link";
import { LimitGauge } from "@/components/limit-gauge";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { listWixInstances } from "@/lib/services/wix-instances";
import { DefaultLimitForm } from "./wix/default-limit-form";

export const metadata = { title: "Shops & instances · Billing control room" };

export default async function ShopsPage() {
  const user = await requirePageUser();
  const canAdmin = hasRole(user.role, "admin");
  const [shops, instances, wixConnections] = await Promise.all([
    db().shop.findMany({ orderBy: [{ connectionId: "asc" }, { domain: "asc" }], include: { connection: { select: { name: true, environment: true } } } }),
    listWixInstances(),
    db().connection.findMany({ where: { platform: "wix" }, orderBy: { name: "asc" }, select: { id: true, name: true, defaultChargeLimit: true } }),
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
          <>
          <ul className="space-y-4 md:hidden" aria-label="Wix instances">
            {instances.map((i) => (
              <li key={i.id} className="border-b border-zinc-200 pb-4 last:border-0 last:pb-0 dark:border-zinc-800">
                <p className="flex flex-wrap items-center gap-2">
                  <Link href={`/shops/wix/${i.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{i.siteName}</Link>
                  {i.isTest && <Badge tone="indigo">test</Badge>}
                  <span className="text-xs text-zinc-500">{i.currency} · {i.connection.name}</span>
                </p>
                <div className="mt-1"><InstanceStatus installed={i.installState === "installed"} upgraded={!!i.cycleStart} percent={i.gauge?.percentUsed ?? null} alerts={i.openAlerts} /></div>
                <div className="mt-2">
                  {i.gauge ? <LimitGauge label={`${i.siteName}: charge limit used this cycle`} {...i.gauge} /> : <span className="text-sm text-zinc-400">{i.cycleStart ? "no charge limit known" : "not upgraded"}</span>}
                </div>
              </li>
            ))}
          </ul>
          <div className="hidden overflow-x-auto md:block">
            <table className="w-full text-left text-sm" data-testid="instances-table">
              <thead className="text-xs text-zinc-500"><tr><th className="py-2 pr-3">Site</th><th className="pr-3">Connection</th><th className="pr-3">Status</th><th className="pr-3">Currency</th><th className="pr-3">Charge limit this cycle</th></tr></thead>
              <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {instances.map((i) => (
                  <tr key={i.id} data-testid={`instance-${i.instanceId}`}>
                    <td className="py-2 pr-3">
                      <Link href={`/shops/wix/${i.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{i.siteName}</Link> {i.isTest && <Badge tone="indigo">test</Badge>}
                      <span className="block font-mono text-xs text-zinc-500">{i.instanceId}</span>
                    </td>
                    <td className="pr-3">{i.connection.name} <Badge>{i.connection.environment}</Badge></td>
                    <td className="pr-3"><InstanceStatus installed={i.installState === "installed"} upgraded={!!i.cycleStart} percent={i.gauge?.percentUsed ?? null} alerts={i.openAlerts} /></td>
                    <td className="pr-3">{i.currency}</td>
                    <td className="py-2 pr-3">
                      {i.gauge ? (
                        <LimitGauge label={`${i.siteName}: charge limit used this cycle`} {...i.gauge} />
                      ) : (
                        <span className="text-zinc-400">{i.cycleStart ? "no charge limit known" : "not upgraded"}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          </>
        )}
      </Card>
      {wixConnections.length > 0 && canAdmin && (
        <Card title="Wix: initial charge limit" className="mt-4">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
            Answered when a site upgrades (Get Charge Limit); an instance may override it. Wix never lets the app change a limit afterwards: only the site owner can raise it.
          </p>
          <div className="space-y-3">
            {wixConnections.map((c) => <DefaultLimitForm key={c.id} connectionId={c.id} name={c.name} value={c.defaultChargeLimit?.toFixed(2) ?? ""} />)}
          </div>
        </Card>
      )}
    </>
  );
}

function InstanceStatus({ installed, upgraded, percent, alerts }: { installed: boolean; upgraded: boolean; percent: number | null; alerts: number }) {
  return (
    <span className="flex flex-wrap gap-1">
      {installed ? <Badge tone="green">installed</Badge> : <Badge tone="red">uninstalled</Badge>}
      {!upgraded && <Badge>no usage plan</Badge>}
      {percent !== null && (percent >= 100 ? <Badge tone="red">limit reached</Badge> : percent >= 80 && <Badge tone="amber">over 80 % of limit</Badge>)}
      {alerts > 0 && <Link href="/alerts"><Badge tone="amber">{alerts} open alert{alerts === 1 ? "" : "s"}</Badge></Link>}
    </span>
  );
}
