import type { SessionUser } from "../../auth/auth";
import { recordAudit } from "../../audit";
import { decryptSecret } from "../../crypto";
import { env } from "../../env";
import { db } from "../../db/client";
import { AppError } from "../../errors";
import type { Connection } from "../../generated/prisma/client";
import { logger } from "../../logger";
import { PlatformError } from "../../platforms/errors";
import { createShopifyPartnerClient, type ShopifyPartnerClient } from "../../platforms/shopify/client";
import { reconcileConnection } from "./detect";
import { pullSandboxLog } from "./reconcile";

/**
 * The platform's figures, pulled by the worker and stored with their source and when they were
 * read, so the reconcile page reads the database only. Per Shopify connection with Partner API
 * credentials: each shop's usage and cost per meter for its current cycle (activeSubscription
 * items); for sandbox connections also the Dev Dashboard log, read last. Calls are paced under
 * PARTNER_API_RATE requests a second (Shopify does not document the limit; a third party reports
 * about 4/s) and a 429 or THROTTLED answer backs off (Retry-After, else 1 s doubling to 60 s) and
 * tries the same shop again. A run's progress (done / total, rate-limited answers) is kept on its
 * row, which the page shows while it runs. Afterwards the connection is reconciled again.
 */
const refreshEveryMs = () => env().RECONCILE_REFRESH_MINUTES * 60_000;
const rate = () => env().PARTNER_API_RATE;
const MAX_BACKOFF_MS = 60_000;
const MAX_TRIES = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "Refresh now": one run per connection at a time; a second request while one waits is refused. */
export async function requestRefresh(connectionId: string, user: SessionUser) {
  const c = await db().connection.findUnique({ where: { id: connectionId } });
  if (!c) throw new AppError("NOT_FOUND", "No such connection.");
  return db().$transaction(async (tx) => {
    const active = await tx.platformRefresh.findFirst({ where: { connectionId, status: { in: ["requested", "running"] } } });
    if (active)
      throw new AppError(
        "CONFLICT",
        `A refresh is already ${active.status === "running" ? `running (${active.done} of ${active.total} shops)` : "waiting for the worker"}.`,
      );
    const run = await tx.platformRefresh.create({ data: { connectionId, requestedBy: user.email } });
    await recordAudit(tx, user, {
      action: "reconcile.refresh_requested",
      entityType: "connection",
      entityId: connectionId,
      after: { refresh: run.id, status: "requested" },
    });
    return { id: run.id };
  });
}

/** Schedules a run for every connection whose last one is older than RECONCILE_REFRESH_MINUTES. */
export async function scheduleRefreshes(now = new Date()) {
  const due = await db().$queryRaw<{ id: string }[]>`
    SELECT c.id::text FROM connections c
    WHERE NOT EXISTS (SELECT 1 FROM platform_refreshes r WHERE r.connection_id = c.id
      AND (r.status IN ('requested', 'running') OR r.requested_at > ${new Date(now.getTime() - refreshEveryMs())}::timestamptz))`;
  for (const { id } of due) await db().platformRefresh.create({ data: { connectionId: id, requestedBy: "schedule" } });
  return due.length;
}

/** Claims the oldest requested run (one worker per run) and carries it out. */
export async function runNextRefresh(worker: string): Promise<string | null> {
  const [claimed] = await db().$queryRaw<{ id: string; connection_id: string }[]>`
    UPDATE platform_refreshes SET status = 'running', started_at = now()
    WHERE id = (SELECT id FROM platform_refreshes WHERE status = 'requested' ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id::text, connection_id::text`;
  if (!claimed) return null;
  const c = await db().connection.findUniqueOrThrow({ where: { id: claimed.connection_id } });
  try {
    await pullFigures(c, claimed.id, worker);
    await db().platformRefresh.update({ where: { id: claimed.id }, data: { status: "finished", finishedAt: new Date() } });
  } catch (err) {
    logger.warn({ worker, connection: c.id, err: (err as Error).message }, "platform refresh failed");
    await db().platformRefresh.update({
      where: { id: claimed.id },
      data: { status: "failed", finishedAt: new Date(), lastError: (err as Error).message.slice(0, 500) },
    });
  }
  return claimed.id;
}

async function pullFigures(c: Connection, runId: string, worker: string) {
  const partner =
    c.platform === "shopify" && c.partnerApiUrl && c.partnerApiTokenEnc && c.appGid
      ? createShopifyPartnerClient({ url: c.partnerApiUrl, accessToken: decryptSecret(c.partnerApiTokenEnc), timeoutMs: 15_000 })
      : null;
  const shops = partner
    ? await db().shop.findMany({ where: { connectionId: c.id, planHandle: { not: null } }, select: { id: true, shopId: true }, orderBy: { id: "asc" } })
    : [];
  await db().platformRefresh.update({ where: { id: runId }, data: { total: shops.length } });
  const gap = 1000 / rate();
  let next = Date.now();
  const progress = { done: 0, failed: 0, rateLimited: 0 };
  for (const [i, shop] of shops.entries()) {
    for (let attempt = 1; ; attempt++) {
      await sleep(Math.max(0, next - Date.now()));
      next = Math.max(next, Date.now()) + gap;
      try {
        await storeShopFigures(partner!, c, shop);
        progress.done++;
        break;
      } catch (err) {
        const throttled = err instanceof PlatformError && (err.status === 429 || err.code === "THROTTLED");
        if (throttled) progress.rateLimited++;
        if (!throttled || attempt >= MAX_TRIES) {
          progress.failed++;
          await db().platformRefresh.update({ where: { id: runId }, data: { lastError: `${shop.shopId}: ${(err as Error).message}`.slice(0, 500) } });
          break;
        }
        const wait = err.retryAfterSeconds ? err.retryAfterSeconds * 1000 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempt - 1));
        next = Date.now() + wait;
      }
    }
    if (i % 25 === 24 || i === shops.length - 1) await db().platformRefresh.update({ where: { id: runId }, data: progress });
  }
  // The log last, so that it is read after every shop's figure: an event accepted between the two is
  // then compared in the log and in flight for the figure. (What Shopify charged, the Partner API's
  // events, discovery reads every DISCOVERY_POLL_SECONDS; the reconciliation below dates the cycles with it.)
  if (c.platform === "shopify" && c.environment === "sandbox") await pullSandboxLog(c, worker);
  await reconcileConnection(c.id, worker);
}

/** One shop's subscription usage per meter, for the cycle Shopify says is current. */
async function storeShopFigures(partner: ShopifyPartnerClient, c: Connection, shop: { id: string; shopId: string }) {
  const sub = await partner.activeSubscription(c.appGid!, `gid://shopify/Shop/${shop.shopId}`);
  const cycle = sub?.currentBillingCycle;
  if (!sub || !cycle) return;
  const cycleStart = new Date(cycle.startTime),
    cycleEnd = new Date(cycle.endTime);
  const fetchedAt = new Date();
  for (const item of sub.items) {
    if (!item.handle || !item.usage) continue;
    const data = {
      cycleEnd,
      units: String(item.usage.quantity),
      amount: item.usage.cost?.amount ?? null,
      currency: item.usage.cost?.currencyCode ?? "USD",
      fetchedAt,
    };
    await db().platformFigure.upsert({
      where: {
        connectionId_subjectId_cycleStart_handle_source: {
          connectionId: c.id,
          subjectId: shop.id,
          cycleStart,
          handle: item.handle,
          source: "partner_api_usage",
        },
      },
      update: data,
      create: { connectionId: c.id, subjectId: shop.id, cycleStart, handle: item.handle, source: "partner_api_usage", ...data },
    });
  }
}
