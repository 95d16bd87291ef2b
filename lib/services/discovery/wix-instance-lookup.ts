import { db } from "../../db/client";
import type { Connection } from "../../generated/prisma/client";
import { logger } from "../../logger";
import { wixClientFor } from "../../platforms/clients";
import { PlatformError } from "../../platforms/errors";

/**
 * An instance the dashboard first heard of from Wix itself (a webhook, a service-plugin call) or
 * from an ingest event is read from the App Instance API (docs/platforms/wix.md §3) with an instance token: its
 * site name, payment currency and paid plan. The currency is taken only while no event of the
 * instance was priced yet (a later change would reprice history). A failure is kept on the row
 * (`lookupError`) and shown on the instance page; nothing else changes.
 *
 * An instance first seen in an ingest event or a plugin call waits in `lookupState` pending: it
 * becomes found once Wix answers (or says the site uninstalled the app: 403 on the token, §1.1),
 * not_found when Wix has no such instance of the app (404), and stays pending on anything else
 * (the worker tries again).
 */
export type WixLookupOutcome = { ok: boolean; error?: string; notFound?: boolean };

export async function lookUpWixInstance(connection: Connection, instanceRowId: string, now = new Date()): Promise<WixLookupOutcome> {
  const row = await db().wixInstance.findUniqueOrThrow({ where: { id: instanceRowId } });
  try {
    const { instance, site } = await wixClientFor(connection).getInstance(row.instanceId);
    // Events still waiting for this lookup were not priced yet: they are priced after it.
    const priced = await db().billingEvent.findFirst({ where: { wixInstanceId: row.id, NOT: { state: "received" } }, select: { id: true } });
    const currency = site?.paymentCurrency && /^[A-Z]{3}$/.test(site.paymentCurrency) && !priced ? site.paymentCurrency : row.currency;
    const billing = instance.billing;
    await db().wixInstance.update({
      where: { id: row.id },
      data: {
        siteName: site?.siteDisplayName?.trim() || row.siteName,
        currency,
        lookedUpAt: now,
        lookupError: null,
        ...(row.lookupState ? { lookupState: "found" as const } : {}),
        // A webhook already told the plan: it is newer than this read can know.
        ...(row.lifecycleAt || !billing
          ? {}
          : {
              planPackage: billing.packageName ?? null,
              planCycle: billing.billingCycle ?? null,
              planAutoRenewing: billing.autoRenewing ?? null,
              planExpiresAt: billing.expirationDate ? new Date(billing.expirationDate) : null,
            }),
      },
    });
    return { ok: true };
  } catch (err) {
    const error = (err as Error).message;
    logger.warn({ err, instanceId: row.instanceId }, "App Instance lookup failed");
    const pe = err instanceof PlatformError ? err : null;
    const pending = row.lookupState === "pending";
    const notFound = pending && pe?.status === 404;
    const uninstalled = pending && pe?.status === 403 && pe.code === "PERMISSION_DENIED";
    await db().wixInstance.update({
      where: { id: row.id },
      data: {
        lookedUpAt: now,
        lookupError: (notFound ? `Wix knows no instance of this app with this id: ${error}` : error).slice(0, 500),
        ...(notFound ? { lookupState: "not_found" as const } : {}),
        ...(uninstalled ? { lookupState: "found" as const, installState: "uninstalled" as const } : {}),
      },
    });
    return { ok: false, error, notFound };
  }
}
