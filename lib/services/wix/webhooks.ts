import { db, type Tx } from "../../db/client";
import type { Connection, Prisma, WixInstance, WixWebhookOutcome } from "../../generated/prisma/client";
import { inTimestampRange } from "../../domain/input-text";
import { logger } from "../../logger";
import { PluginAuthError } from "../../platforms/wix/plugin-jwt";
import { eventDataSchemas, verifyWebhookJwt, WebhookShapeError, type VerifiedWebhook, type WebhookEventType } from "../../platforms/wix/webhook-jwt";
import { ensureInstance } from "./notifications";

/**
 * Wix App Instance and Billing webhooks for one connection (docs/platforms/wix.md §4), POSTed by Wix to
 * /api/wix/{connectionId}/webhooks. Nothing is read or written before the body's signature checks
 * out with the connection's public key. Each delivery is recorded once (wix_webhook_deliveries,
 * unique on the sha256 of the signed payload): a retry of a delivery already recorded answers 200
 * and changes nothing. A recorded event updates the instance (install state, plan, auto-renewal)
 * or the invoice's status, unless something newer is already applied (Wix delivery can lag).
 * An instance first seen here is created and then read from the App Instance API (`followUp`).
 */
export type WebhookReply = { status: number; body: Record<string, unknown>; followUp?: { connection: Connection; instanceRowId: string } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const refuse = (status: number, error: string): WebhookReply => ({ status, body: { error } });

export async function handleWixWebhook({ connectionId, body }: { connectionId: string; body: string }): Promise<WebhookReply> {
  const log = logger.child({ platform: "wix", connectionId, route: "webhooks" });
  if (!UUID.test(connectionId)) return refuse(401, "Not a signed webhook from Wix for this app: unknown connection.");
  const connection = await db().connection.findUnique({ where: { id: connectionId } });
  if (!connection || connection.platform !== "wix") return refuse(401, "Not a signed webhook from Wix for this app: unknown connection.");
  if (!connection.pluginPublicKey)
    return refuse(401, "Not a signed webhook from Wix for this app: the connection has no public key (Settings → the connection).");

  let hook: VerifiedWebhook;
  try {
    hook = await verifyWebhookJwt(body, connection.pluginPublicKey);
  } catch (err) {
    if (err instanceof PluginAuthError) {
      log.warn({ reason: err.message }, "webhook refused");
      return refuse(401, `Not a signed webhook from Wix for this app: ${err.message}.`);
    }
    if (err instanceof WebhookShapeError) return refuse(400, `The webhook is not in Wix's format: ${err.message}.`);
    throw err;
  }
  return handleVerifiedWebhook({ connection, hook });
}

/** A delivery whose signature checked out: its fields checked, then recorded once. Exported for the fuzz test. */
export async function handleVerifiedWebhook({ connection, hook }: { connection: Connection; hook: VerifiedWebhook }): Promise<WebhookReply> {
  const log = logger.child({ platform: "wix", connectionId: connection.id, route: "webhooks" });
  const connectionId = connection.id;
  const known = (eventDataSchemas as Record<string, (typeof eventDataSchemas)[WebhookEventType]>)[hook.eventType];
  const fields = known ? known.safeParse(hook.data) : null;
  if (fields && !fields.success)
    return refuse(
      400,
      `The ${hook.eventType} fields are not what Wix documents: ${fields.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`,
    );

  const existing = await db().wixWebhookDelivery.findUnique({
    where: { connectionId_dedupeKey: { connectionId, dedupeKey: hook.dedupeKey } },
    select: { id: true },
  });
  if (existing) return { status: 200, body: { recorded: false, duplicate: true, deliveryId: existing.id.toString() } };

  const known_ = await db().wixInstance.findUnique({ where: { connectionId_instanceId: { connectionId, instanceId: hook.instanceId } }, select: { id: true } });
  // A site first heard of here waits as pending until the App Instance API was read: if the read
  // right after this answer fails (or never runs), the worker's lookups try again.
  const instanceRowId = known_?.id ?? (await ensureInstance(connection, hook.instanceId, "USD", { pending: true }));
  const recorded = await db().$transaction((tx) =>
    record(tx, connection, instanceRowId, hook, fields?.success ? (fields.data as Record<string, unknown>) : null),
  );
  if (!recorded) return { status: 200, body: { recorded: false, duplicate: true } };
  log.info({ instanceId: hook.instanceId, eventType: hook.eventType, outcome: recorded.outcome }, "webhook recorded");
  return {
    status: 200,
    body: { recorded: true, deliveryId: recorded.id.toString(), outcome: recorded.outcome, summary: recorded.summary },
    followUp: known_ ? undefined : { connection, instanceRowId },
  };
}

type Change = {
  outcome: WixWebhookOutcome;
  summary: string;
  instance?: Prisma.WixInstanceUpdateInput;
  invoice?: { invoiceId: string; status: string; recurring: boolean | null };
};

async function record(tx: Tx, connection: Connection, instanceRowId: string, hook: VerifiedWebhook, fields: Record<string, unknown> | null) {
  // The instance first: webhooks for one instance apply one at a time, in arrival order (taking it
  // after the insert, whose foreign key already holds a share lock on it, would deadlock two of them).
  await tx.$queryRaw`SELECT id FROM wix_instances WHERE id = ${instanceRowId}::uuid FOR UPDATE`;
  // Concurrent retries of one delivery: the unique key lets one through, the other records nothing.
  const inserted = await tx.wixWebhookDelivery.createMany({
    data: [
      {
        connectionId: connection.id,
        dedupeKey: hook.dedupeKey,
        eventType: hook.eventType,
        instanceId: hook.instanceId,
        wixInstanceId: instanceRowId,
        data: hook.data as Prisma.InputJsonValue,
        identity: (hook.identity ?? undefined) as Prisma.InputJsonValue | undefined,
        accountInfo: (hook.accountInfo ?? undefined) as Prisma.InputJsonValue | undefined,
        occurredAt: occurredAt(hook, fields),
        signedAt: hook.signedAt,
        outcome: "ignored",
        summary: "",
      },
    ],
    skipDuplicates: true,
  });
  if (inserted.count === 0) return null;
  const instance = await tx.wixInstance.findUniqueOrThrow({ where: { id: instanceRowId } });
  const at = occurredAt(hook, fields);
  const change = fields
    ? await changeFor(tx, instance, hook.eventType as WebhookEventType, fields, at)
    : { outcome: "ignored" as const, summary: `${hook.eventType}: not an event the dashboard acts on` };
  if (change.instance) await tx.wixInstance.update({ where: { id: instance.id }, data: change.instance });
  if (change.invoice) {
    const { invoiceId, status, recurring } = change.invoice;
    await tx.wixInvoiceStatus.upsert({
      where: { wixInstanceId_invoiceId: { wixInstanceId: instance.id, invoiceId } },
      update: { status, recurring, statusAt: at },
      create: { wixInstanceId: instance.id, invoiceId, status, recurring, statusAt: at },
    });
  }
  return tx.wixWebhookDelivery.update({
    where: { connectionId_dedupeKey: { connectionId: connection.id, dedupeKey: hook.dedupeKey } },
    data: { outcome: change.outcome, summary: change.summary },
    select: { id: true, outcome: true, summary: true },
  });
}

function occurredAt(hook: VerifiedWebhook, fields: Record<string, unknown> | null): Date {
  // Checked for the plan events; on others (AppInstalled) an unreadable or out-of-range stamp is not the event's time.
  const stamp = fields?.operationTimeStamp;
  const ms = typeof stamp === "string" ? Date.parse(stamp) : NaN;
  return inTimestampRange(ms) ? new Date(ms) : hook.signedAt;
}

async function changeFor(tx: Tx, instance: WixInstance, type: WebhookEventType, f: Record<string, unknown>, at: Date): Promise<Change> {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  if (type === "InvoiceStatusUpdated") {
    const invoiceId = String(f.invoiceId);
    const current = await tx.wixInvoiceStatus.findUnique({ where: { wixInstanceId_invoiceId: { wixInstanceId: instance.id, invoiceId } } });
    if (current && current.statusAt > at)
      return { outcome: "stale", summary: `invoice ${invoiceId} ${String(f.status)}: arrived after the newer ${current.status}, kept, not applied` };
    return {
      outcome: "applied",
      summary: `invoice ${invoiceId} ${String(f.status)}`,
      invoice: { invoiceId, status: String(f.status), recurring: typeof f.recurring === "boolean" ? f.recurring : null },
    };
  }
  if (instance.lifecycleAt && instance.lifecycleAt > at) {
    return { outcome: "stale", summary: `arrived after a newer change had been applied: kept, not applied` };
  }
  const plan = {
    planPackage: text(f.vendorProductId) ?? instance.planPackage,
    planCycle: text(f.cycle) ?? instance.planCycle,
    planExpiresAt: text(f.expiresOn) ? new Date(String(f.expiresOn)) : null,
  };
  const planText = () => `${plan.planPackage ?? "plan"}${plan.planCycle ? ` ${plan.planCycle}` : ""}`;
  const installed = { installState: "installed" as const, uninstalledAt: null };
  switch (type) {
    case "AppInstalled":
      return { outcome: "applied", summary: "installed", instance: { ...installed, lifecycleAt: at } };
    case "AppRemoved":
      return {
        outcome: "applied",
        summary: "uninstalled",
        instance: {
          installState: "uninstalled",
          uninstalledAt: at,
          planAutoRenewing: null,
          planPackage: null,
          planCycle: null,
          planExpiresAt: null,
          lifecycleAt: at,
        },
      };
    case "PaidPlanPurchased":
      return { outcome: "applied", summary: `bought ${planText()}`, instance: { ...installed, ...plan, planAutoRenewing: true, lifecycleAt: at } };
    case "PaidPlanChanged":
      return {
        outcome: "applied",
        summary: `changed plan from ${text(f.previousVendorProductId) ?? "?"}${text(f.previousCycle) ? ` ${String(f.previousCycle)}` : ""} to ${planText()}`,
        instance: { ...installed, ...plan, planAutoRenewing: true, lifecycleAt: at },
      };
    case "PaidPlanAutoRenewalCancelled":
      return {
        outcome: "applied",
        summary: `cancelled auto-renewal of ${planText()} (${text(f.cancelReason) ?? "no reason given"})`,
        instance: { planPackage: plan.planPackage, planCycle: plan.planCycle, planAutoRenewing: false, lifecycleAt: at },
      };
    case "PlanConvertedToPaid":
      return {
        outcome: "applied",
        summary: `trial converted to paid ${planText()}`,
        instance: { ...installed, ...plan, planAutoRenewing: true, lifecycleAt: at },
      };
    case "PlanReactivated":
      return { outcome: "applied", summary: `reactivated ${planText()}`, instance: { ...installed, ...plan, planAutoRenewing: true, lifecycleAt: at } };
    case "PlanTransferred":
      return { outcome: "applied", summary: `plan ${planText()} transferred to another Wix account`, instance: { ...plan, lifecycleAt: at } };
  }
}

/** Recent deliveries of a connection or an instance, newest first (pages show 20). */
export function recentWebhooks(where: { connectionId?: string; wixInstanceId?: string }, take = 20) {
  return db().wixWebhookDelivery.findMany({ where, orderBy: { id: "desc" }, take, include: { wixInstance: { select: { id: true, siteName: true } } } });
}
