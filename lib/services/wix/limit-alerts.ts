import { db } from "../../db/client";
import { cycleUsage } from "../../db/wix-usage";
import { projectionIsMeaningful } from "../../domain/wix-cycles";
import { limitAlerts } from "../../domain/wix-limit-alerts";
import { limitStatus, type LimitStatus } from "../../domain/wix-limits";
import { deliverAlertWebhooks, raiseAlerts } from "../alerts/alerts";
import { effectiveChargeLimit } from "./charges";

/**
 * Charge-limit tracking per Wix instance: usage of the current cycle against the limit in force,
 * projected to the cycle's end, and the 80 % / 100 % alerts. Called after usage is recorded and
 * after Wix changes a limit; cheap and idempotent, so calling it again is always safe.
 */
export type InstanceLimit = {
  status: LimitStatus;
  cycle: { start: Date; end: Date };
  /** False in a cycle's first hours, when the projection is noise. */
  projects: boolean;
};

/** Limit status of each instance that has a current cycle and a limit (others are left out). */
export async function instanceLimits(instanceRowIds: string[] | "all", now = new Date()): Promise<Map<string, InstanceLimit>> {
  const instances = await db().wixInstance.findMany({
    where: { ...(instanceRowIds !== "all" && { id: { in: instanceRowIds } }), cycleStart: { not: null }, cycleEnd: { not: null } },
    include: { connection: { select: { defaultChargeLimit: true } } },
  });
  const used = await cycleUsage(instances.map((i) => i.id));
  const out = new Map<string, InstanceLimit>();
  for (const i of instances) {
    const limit = effectiveChargeLimit(i);
    if (!limit) continue;
    const cycle = { start: i.cycleStart!, end: i.cycleEnd! };
    if (cycle.end <= cycle.start) continue;
    out.set(i.id, { cycle, status: limitStatus({ used: used.get(i.id)!, limit, cycle, now }), projects: projectionIsMeaningful(cycle, now) });
  }
  return out;
}

/** Raises the alerts the instances' usage calls for; returns the new alerts' ids. Webhooks go out afterwards. */
export async function checkWixLimitAlerts(instanceRowIds: string[] | "all", now = new Date()): Promise<string[]> {
  if (instanceRowIds !== "all" && !instanceRowIds.length) return [];
  const limits = await instanceLimits(instanceRowIds, now);
  if (!limits.size) return [];
  const instances = await db().wixInstance.findMany({
    where: { id: { in: [...limits.keys()] }, installState: "installed" },
    select: { id: true, siteName: true, currency: true, connectionId: true },
  });
  const created: string[] = [];
  for (const i of instances) {
    const { status, cycle } = limits.get(i.id)!;
    if (!status.reached.length) continue;
    const drafts = limitAlerts({ instance: { id: i.id, siteName: i.siteName, currency: i.currency }, status, cycle, now });
    created.push(...(await raiseAlerts(drafts, { connectionId: i.connectionId, subjectType: "wix_instance", subjectId: i.id })));
  }
  return created;
}

/** Alerts, then their webhooks: what runs after a response has been sent. */
export async function checkLimitsAndNotify(instanceRowIds: string[] | "all"): Promise<void> {
  await checkWixLimitAlerts(instanceRowIds);
  // Also retries earlier deliveries that failed and are due again.
  await deliverAlertWebhooks();
}
