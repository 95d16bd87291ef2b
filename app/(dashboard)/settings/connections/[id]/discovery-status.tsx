import { LocalTime } from "@/components/local-time";
import { Badge, Card } from "@/components/ui/card";
import { db } from "@/lib/db/client";
import { canDiscover } from "@/lib/services/discovery/shopify";

/** Discovery of a Shopify connection's shops (Partner API events): last synced, lag, last error. */
export async function DiscoveryStatus({ connectionId }: { connectionId: string }) {
  const [c, lookups, latest] = await Promise.all([
    db().connection.findUniqueOrThrow({ where: { id: connectionId } }),
    db().shop.groupBy({ by: ["lookupState"], where: { connectionId, lookupState: { not: null } }, _count: true }),
    db().shopifyPartnerEvent.findFirst({ where: { connectionId }, orderBy: { occurredAt: "desc" }, select: { occurredAt: true } }),
  ]);
  const count = (state: string) => lookups.find((l) => l.lookupState === state)?._count ?? 0;
  const scanning = !!c.discoveryScan;
  const lagSeconds = c.discoveryWatermark ? Math.max(0, Math.round((Date.now() - c.discoveryWatermark.getTime()) / 1000)) : null;
  const failing = !!c.discoveryErrorAt && (!c.discoverySyncedAt || c.discoveryErrorAt > c.discoverySyncedAt);
  return (
    <Card title="Shop discovery (Partner API events)" className="mb-4">
      {!canDiscover(c) ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="discovery-off">
          Add the Partner API URL, token and app GID to this connection: the worker then finds every shop by itself (installs, uninstalls, plan changes) and
          keeps them current.
        </p>
      ) : (
        <dl className="grid gap-3 text-sm sm:grid-cols-2 lg:grid-cols-4" data-testid="discovery-status">
          <div>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">State</dt>
            <dd>
              {failing ? (
                <Badge tone="red">failing</Badge>
              ) : !c.discoveryBackfilledAt ? (
                <Badge tone="amber">{scanning ? "backfilling" : "backfill not started"}</Badge>
              ) : (
                <Badge tone="green">polling</Badge>
              )}
              {c.discoveryFailures > 0 && (
                <span className="ml-1 text-xs text-zinc-500 dark:text-zinc-400">
                  {c.discoveryFailures} failed round{c.discoveryFailures === 1 ? "" : "s"}, next try <LocalTime iso={c.discoveryNextAt?.toISOString()} />
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">Last synced</dt>
            <dd>
              <LocalTime iso={c.discoverySyncedAt?.toISOString()} />
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">Lag</dt>
            <dd data-testid="discovery-lag">
              {scanning && !c.discoveryBackfilledAt ? (
                <>
                  read up to <LocalTime iso={latest?.occurredAt.toISOString()} />
                </>
              ) : lagSeconds === null ? (
                "—"
              ) : (
                formatLag(lagSeconds)
              )}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">New shops being looked up</dt>
            <dd>
              {count("pending")}
              {count("not_found") > 0 && <span className="text-xs text-zinc-500 dark:text-zinc-400"> · {count("not_found")} unknown to Shopify</span>}
            </dd>
          </div>
          {c.discoveryError && (
            <div className="sm:col-span-2 lg:col-span-4">
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">
                Last error <LocalTime iso={c.discoveryErrorAt?.toISOString()} />
              </dt>
              <dd className={failing ? "text-red-700 dark:text-red-400" : "text-zinc-500 dark:text-zinc-400"} data-testid="discovery-error">
                {c.discoveryError}
              </dd>
            </div>
          )}
        </dl>
      )}
    </Card>
  );
}

function formatLag(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
