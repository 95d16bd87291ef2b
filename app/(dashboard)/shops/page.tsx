import Link from "next/link";
import { LimitGauge } from "@/components/limit-gauge";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { z } from "zod";
import { Button, inputClass } from "@/components/ui/form";
import { listShopPage } from "@/lib/db/shops-page";
import { parseSearchParams, toQuery } from "@/lib/search-params";
import { uninstallWindow } from "@/lib/domain/uninstall-window";
import { listWixInstances } from "@/lib/services/wix/instances";
import { DefaultLimitForm } from "./wix/default-limit-form";

export const metadata = { title: "Shops & instances · Billing control room" };

/** What the 24 hours after an uninstall still allow (the same rule ingest predicts with). */
function UninstallNote({ shop }: { shop: { installState: "installed" | "uninstalled"; uninstalledAt: Date | null } }) {
  const window = uninstallWindow(shop, new Date());
  if (window.state === "installed" || !window.deadline) return null;
  return window.state === "open" ? (
    <span className="block text-xs text-amber-700 dark:text-amber-300">
      usage reported until <LocalTime iso={window.deadline.toISOString()} /> is still billed
    </span>
  ) : (
    <span className="block text-xs text-zinc-500 dark:text-zinc-400">
      closed for usage since <LocalTime iso={window.deadline.toISOString()} />
    </span>
  );
}

const paramsSchema = z.object({ q: z.string().max(200).optional(), shops: z.string().max(400).optional(), instances: z.string().max(400).optional() });

export default async function ShopsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  const canAdmin = hasRole(user.role, "admin");
  const params = parseSearchParams(paramsSchema, await searchParams);
  const [shopPage, instancePage, wixConnections] = await Promise.all([
    listShopPage({ q: params.q, after: params.shops }),
    listWixInstances({ q: params.q, after: params.instances }),
    db().connection.findMany({ where: { platform: "wix" }, orderBy: { name: "asc" }, select: { id: true, name: true, defaultChargeLimit: true } }),
  ]);
  const shops = shopPage.rows;
  const instances = instancePage.rows;
  const link = (extra: Record<string, string | undefined>) => `/shops${toQuery({ q: params.q, shops: params.shops, instances: params.instances, ...extra })}`;
  return (
    <>
      <PageHeader
        title="Shops & instances"
        description="Every Shopify shop and Wix instance the connections bill: shops are found by themselves (Partner API events, and the first event of a new merchant)."
      />
      <Card>
        <form method="get" action="/shops" className="flex flex-wrap items-end gap-2" role="search">
          <label className="flex min-w-0 flex-1 flex-col gap-1 text-sm">
            <span className="text-xs text-zinc-500 dark:text-zinc-400">Search shops and instances</span>
            <input name="q" type="search" defaultValue={params.q ?? ""} placeholder="shop id, domain, site name or instance id" className={inputClass} />
          </label>
          <Button type="submit">Search</Button>
          {params.q && (
            <Link href="/shops" className="px-2 py-2 text-sm text-indigo-700 dark:text-indigo-300">
              Clear
            </Link>
          )}
        </form>
      </Card>
      <Card title={`Shopify shops (${shopPage.total.toLocaleString("en-US")})`} className="mt-4">
        {shops.length === 0 ? (
          <EmptyState title={params.q ? "No shop matches" : "No Shopify shops"}>
            {params.q
              ? "Try part of the domain, or the numeric shop id."
              : "Shops appear once a Shopify connection has its Partner API credentials, or with a merchant's first event."}
          </EmptyState>
        ) : (
          <>
            <ul className="space-y-3 md:hidden" aria-label="Shopify shops" data-testid="shops-cards">
              {shops.map((s) => (
                <li key={s.id} className="border-b border-zinc-200 pb-3 last:border-0 last:pb-0 dark:border-zinc-800">
                  <p className="flex flex-wrap items-center gap-2">
                    <span className="font-medium break-all">{s.domain || `Shop ${s.shopId}`}</span>
                    <InstallBadge shop={s} />
                    {s.isDevStore && <Badge tone="indigo">dev store</Badge>}
                    <ShopLookupBadge state={s.lookupState} />
                  </p>
                  <p className="mt-1 text-sm">
                    {s.planHandle ?? <span className="text-zinc-500 dark:text-zinc-400">no subscription</span>}{" "}
                    {s.subscriptionStatus && <span className="text-xs text-zinc-500 dark:text-zinc-400">({s.subscriptionStatus})</span>}
                    {s.cycleStart && s.cycleEnd && (
                      <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                        cycle <LocalTime iso={s.cycleStart.toISOString()} /> → <LocalTime iso={s.cycleEnd.toISOString()} />
                      </span>
                    )}
                  </p>
                  <UninstallNote shop={s} />
                  <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                    {s.shopId} · {s.connection.name} ({s.connection.environment})
                  </p>
                </li>
              ))}
            </ul>
            <div role="region" aria-label="Shopify shops" tabIndex={0} className="hidden overflow-x-auto md:block scroll-cue">
              <table className="w-full text-left text-sm" data-testid="shops-table">
                <thead className="text-xs text-zinc-500 dark:text-zinc-400">
                  <tr>
                    <th className="py-2 pr-3">Shop</th>
                    <th className="pr-3">Connection</th>
                    <th className="pr-3">Install</th>
                    <th className="pr-3">Plan</th>
                    <th className="pr-3">Billing cycle</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                  {shops.map((s) => (
                    <tr key={s.id}>
                      <td className="py-2 pr-3">
                        <span className="font-medium">{s.domain || `Shop ${s.shopId}`}</span> {s.isDevStore && <Badge tone="indigo">dev store</Badge>}
                        <ShopLookupBadge state={s.lookupState} />
                        <span className="block text-xs text-zinc-500 dark:text-zinc-400">{s.shopId}</span>
                      </td>
                      <td className="pr-3">
                        {s.connection.name} <Badge>{s.connection.environment}</Badge>
                      </td>
                      <td className="pr-3">
                        <InstallBadge shop={s} />
                        {s.installState === "installed" && s.installedAt && (
                          <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                            since <LocalTime iso={s.installedAt.toISOString()} />
                          </span>
                        )}
                        {s.uninstalledAt && (
                          <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                            <LocalTime iso={s.uninstalledAt.toISOString()} />
                          </span>
                        )}
                        <UninstallNote shop={s} />
                      </td>
                      <td className="pr-3">
                        {s.planHandle ?? <span className="text-zinc-500 dark:text-zinc-400">no subscription</span>}{" "}
                        {s.subscriptionStatus && <span className="text-xs text-zinc-500 dark:text-zinc-400">({s.subscriptionStatus})</span>}
                      </td>
                      <td className="pr-3 text-xs">
                        {s.cycleStart && s.cycleEnd ? (
                          <>
                            <LocalTime iso={s.cycleStart.toISOString()} /> → <LocalTime iso={s.cycleEnd.toISOString()} />
                          </>
                        ) : (
                          "—"
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <Pager first={params.shops ? link({ shops: undefined }) : null} next={shopPage.nextCursor ? link({ shops: shopPage.nextCursor }) : null} what="shops" />
      </Card>
      <Card title={`Wix instances (${instancePage.total.toLocaleString("en-US")})`} className="mt-4">
        {instances.length === 0 ? (
          <EmptyState title={params.q ? "No instance matches" : "No Wix instances"}>
            {params.q ? "Try part of the site name, or the instance id." : "Instances appear once a Wix connection is added."}
          </EmptyState>
        ) : (
          <>
            <ul className="space-y-4 md:hidden" aria-label="Wix instances">
              {instances.map((i) => (
                <li key={i.id} className="border-b border-zinc-200 pb-4 last:border-0 last:pb-0 dark:border-zinc-800">
                  <p className="flex flex-wrap items-center gap-2">
                    <Link href={`/shops/wix/${i.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                      {i.siteName}
                    </Link>
                    {i.isTest && <Badge tone="indigo">test</Badge>}
                    <LookupBadge state={i.lookupState} />
                    <span className="text-xs text-zinc-500 dark:text-zinc-400">
                      {i.currency} · {i.connection.name}
                    </span>
                  </p>
                  <div className="mt-1">
                    <InstanceStatus
                      installed={i.installState === "installed"}
                      upgraded={!!i.cycleStart}
                      percent={i.gauge?.percentUsed ?? null}
                      alerts={i.openAlerts}
                    />
                  </div>
                  <div className="mt-2">
                    {i.gauge ? (
                      <LimitGauge label={`${i.siteName}: charge limit used this cycle`} {...i.gauge} />
                    ) : (
                      <span className="text-sm text-zinc-500 dark:text-zinc-400">{i.cycleStart ? "no charge limit known" : "not upgraded"}</span>
                    )}
                  </div>
                </li>
              ))}
            </ul>
            <div role="region" aria-label="Wix instances" tabIndex={0} className="hidden overflow-x-auto md:block scroll-cue">
              <table className="w-full text-left text-sm" data-testid="instances-table">
                <thead className="text-xs text-zinc-500 dark:text-zinc-400">
                  <tr>
                    <th className="py-2 pr-3">Site</th>
                    <th className="pr-3">Connection</th>
                    <th className="pr-3">Status</th>
                    <th className="pr-3">Currency</th>
                    <th className="pr-3">Charge limit this cycle</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                  {instances.map((i) => (
                    <tr key={i.id} data-testid={`instance-${i.instanceId}`}>
                      <td className="py-2 pr-3">
                        <Link href={`/shops/wix/${i.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                          {i.siteName}
                        </Link>{" "}
                        {i.isTest && <Badge tone="indigo">test</Badge>} <LookupBadge state={i.lookupState} />
                        <span className="block font-mono text-xs text-zinc-500 dark:text-zinc-400">{i.instanceId}</span>
                      </td>
                      <td className="pr-3">
                        {i.connection.name} <Badge>{i.connection.environment}</Badge>
                      </td>
                      <td className="pr-3">
                        <InstanceStatus
                          installed={i.installState === "installed"}
                          upgraded={!!i.cycleStart}
                          percent={i.gauge?.percentUsed ?? null}
                          alerts={i.openAlerts}
                        />
                      </td>
                      <td className="pr-3">{i.currency}</td>
                      <td className="py-2 pr-3">
                        {i.gauge ? (
                          <LimitGauge label={`${i.siteName}: charge limit used this cycle`} {...i.gauge} />
                        ) : (
                          <span className="text-zinc-500 dark:text-zinc-400">{i.cycleStart ? "no charge limit known" : "not upgraded"}</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <Pager
          first={params.instances ? link({ instances: undefined }) : null}
          next={instancePage.nextCursor ? link({ instances: instancePage.nextCursor }) : null}
          what="instances"
        />
      </Card>
      {wixConnections.length > 0 && canAdmin && (
        <Card title="Wix: initial charge limit" className="mt-4">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
            Answered when a site upgrades (Get Charge Limit); an instance may override it. Wix never lets the app change a limit afterwards: only the site owner
            can raise it.
          </p>
          <div className="space-y-3">
            {wixConnections.map((c) => (
              <DefaultLimitForm key={c.id} connectionId={c.id} name={c.name} value={c.defaultChargeLimit?.toFixed(2) ?? ""} />
            ))}
          </div>
        </Card>
      )}
    </>
  );
}

function Pager({ first, next, what }: { first: string | null; next: string | null; what: string }) {
  if (!first && !next) return null;
  return (
    <nav className="mt-4 flex justify-between text-sm" aria-label={`Pages of ${what}`}>
      {first ? (
        <Link href={first} className="text-indigo-700 dark:text-indigo-300">
          ← First page
        </Link>
      ) : (
        <span />
      )}
      {next && (
        <Link href={next} className="text-indigo-700 dark:text-indigo-300" data-testid={`next-${what}`}>
          Next {what} →
        </Link>
      )}
    </nav>
  );
}

function InstanceStatus({ installed, upgraded, percent, alerts }: { installed: boolean; upgraded: boolean; percent: number | null; alerts: number }) {
  return (
    <span className="flex flex-wrap gap-1">
      {installed ? <Badge tone="green">installed</Badge> : <Badge tone="red">uninstalled</Badge>}
      {!upgraded && <Badge>no usage plan</Badge>}
      {percent !== null && (percent >= 100 ? <Badge tone="red">limit reached</Badge> : percent >= 80 && <Badge tone="amber">over 80 % of limit</Badge>)}
      {alerts > 0 && (
        <Link href="/alerts">
          <Badge tone="amber">
            {alerts} open alert{alerts === 1 ? "" : "s"}
          </Badge>
        </Link>
      )}
    </span>
  );
}

/** An instance first seen in an event or a plugin call, while (or after) the App Instance API is asked about it. */
function LookupBadge({ state }: { state: string | null }) {
  if (state === "pending") return <Badge tone="amber">instance not yet known</Badge>;
  if (state === "not_found") return <Badge tone="red">unknown to Wix</Badge>;
  return null;
}

function ShopLookupBadge({ state }: { state: string | null }) {
  if (state === "pending") return <Badge tone="amber">shop not yet known</Badge>;
  if (state === "not_found") return <Badge tone="red">unknown to Shopify</Badge>;
  return null;
}

function InstallBadge({ shop }: { shop: { lookupState: string | null; installState: "installed" | "uninstalled" } }) {
  if (shop.lookupState === "pending") return <span className="text-sm text-zinc-500 dark:text-zinc-400">looking up…</span>;
  return shop.installState === "installed" ? <Badge tone="green">installed</Badge> : <Badge tone="red">uninstalled</Badge>;
}
