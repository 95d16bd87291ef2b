import type { SessionUser } from "../../auth/auth";
import { recordAudit } from "../../audit";
import { db } from "../../db/client";
import { DomainError } from "../../domain/errors";
import { parseDecimal } from "../../domain/money";
import { AppError } from "../../errors";
import { PlatformError } from "../../platforms/errors";
import { wixClientFor } from "../../platforms/clients";
import { ingestEvents, storedOrThrow } from "../ingest/ingest";
import { checkLimitsAndNotify } from "./limit-alerts";

/**
 * What people do on a Wix instance's page: record usage (through the ledger's one way in, then
 * the charge-limit check), ask Wix what it would invoice now (its metered-billing-charges test
 * hook, which calls our List Charges), and set the initial charge limits answered on upgrade.
 */
async function getInstanceOrThrow(id: string) {
  const instance = await db().wixInstance.findUnique({ where: { id }, include: { connection: true } });
  if (!instance) throw new AppError("NOT_FOUND", "No such Wix instance.");
  return instance;
}

export async function recordWixUsage(input: { instanceRowId: string; kind: string; quantity: string; timestamp?: string; nonce: string }, user: SessionUser) {
  const instance = await getInstanceOrThrow(input.instanceRowId);
  const result = storedOrThrow(
    (
      await ingestEvents(
        [
          {
            platform: "wix",
            type: "usage",
            connection_id: instance.connectionId,
            instance_id: instance.instanceId,
            kind: input.kind,
            quantity: input.quantity,
            timestamp: input.timestamp ?? new Date().toISOString(),
            idempotency_key: `ui-usage-${input.nonce}`,
          },
        ],
        { source: "ui", userId: user.id, timeDefaulted: !input.timestamp },
      )
    )[0],
    "quantity",
  );
  if (!result || result.status === "rejected") {
    const fieldErrors: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(result?.fieldErrors ?? {})) (fieldErrors[k === "instance_id" ? "kind" : k] ??= []).push(...v);
    throw new AppError("INVALID_INPUT", "Check the highlighted fields.", fieldErrors);
  }
  if (result.status !== "duplicate") {
    await db().$transaction((tx) =>
      recordAudit(tx, user, {
        action: "wix_usage.record",
        entityType: "event",
        entityId: result.eventId,
        after: {
          instance: instance.siteName,
          kind: input.kind,
          quantity: input.quantity,
          idempotencyKey: result.idempotencyKey,
          predicted: result.predicted.code ?? result.predicted.verdict,
        },
      }),
    );
  }
  await checkLimitsAndNotify([instance.id]);
  return { eventId: result.eventId, status: result.status, predicted: result.predicted };
}

export type WixPreview = { currency: string; startDate: string; endDate: string; charges: { id: string; description: string; amount: string }[] };

/** GET {apiBaseUrl}/apps/v1/metered-billing-charges as the instance: Wix calls our List Charges (DISPLAY_ONLY) and relays it. */
export async function previewWixInvoice(instanceRowId: string, now = new Date()): Promise<WixPreview> {
  const instance = await getInstanceOrThrow(instanceRowId);
  if (instance.installState === "uninstalled") throw new AppError("CONFLICT", "The site uninstalled the app: Wix gives no access token for it any more.");
  if (!instance.cycleStart)
    throw new AppError("CONFLICT", "This instance has no usage-based plan yet (no Get Charge Limit answered), so Wix has nothing to invoice.");
  const query = { currency: instance.currency, startDate: instance.cycleStart.toISOString(), endDate: now.toISOString() };
  try {
    const answer = await wixClientFor(instance.connection).meteredBillingCharges(instance.instanceId, query);
    return { ...query, charges: answer.charges.map((c) => ({ id: c.id, description: c.description ?? "", amount: c.amount })) };
  } catch (err) {
    if (err instanceof PlatformError) throw new AppError("PLATFORM_UNAVAILABLE", `Wix did not answer the preview: ${err.message}`);
    throw err;
  }
}

function limitOrNull(text: string | undefined, field: string): string | null {
  if (text === undefined) return null;
  try {
    const value = parseDecimal(text, field);
    if (value.lte(0)) throw new DomainError("INVALID_AMOUNT", "A charge limit must be above zero.", field);
    return value.toFixed();
  } catch (err) {
    if (err instanceof DomainError) throw new AppError("INVALID_INPUT", "Check the highlighted fields.", { [field]: [err.message] });
    throw err;
  }
}

/** The initial limit answered when this instance upgrades (empty: the connection's default). Wix's current limit is not changed: only the site owner can raise it. */
export async function setInitialChargeLimit(input: { instanceRowId: string; initialChargeLimit?: string }, user: SessionUser) {
  const limit = limitOrNull(input.initialChargeLimit, "initialChargeLimit");
  return db().$transaction(async (tx) => {
    const before = await tx.wixInstance.findUnique({ where: { id: input.instanceRowId }, select: { id: true, siteName: true, initialChargeLimit: true } });
    if (!before) throw new AppError("NOT_FOUND", "No such Wix instance.");
    await tx.wixInstance.update({ where: { id: before.id }, data: { initialChargeLimit: limit } });
    await recordAudit(tx, user, {
      action: "wix_instance.initial_charge_limit",
      entityType: "wix_instance",
      entityId: before.id,
      before: { initialChargeLimit: before.initialChargeLimit?.toFixed() ?? null },
      after: { initialChargeLimit: limit },
      note: before.siteName,
    });
    return { initialChargeLimit: limit };
  });
}

/** A Wix connection's default initial charge limit (answered on Get Charge Limit unless the instance overrides it). */
export async function setDefaultChargeLimit(input: { connectionId: string; defaultChargeLimit?: string }, user: SessionUser) {
  const limit = limitOrNull(input.defaultChargeLimit, "defaultChargeLimit");
  return db().$transaction(async (tx) => {
    const before = await tx.connection.findUnique({
      where: { id: input.connectionId },
      select: { id: true, name: true, platform: true, defaultChargeLimit: true },
    });
    if (!before || before.platform !== "wix") throw new AppError("NOT_FOUND", "No such Wix connection.");
    await tx.connection.update({ where: { id: before.id }, data: { defaultChargeLimit: limit } });
    await recordAudit(tx, user, {
      action: "connection.default_charge_limit",
      entityType: "connection",
      entityId: before.id,
      before: { defaultChargeLimit: before.defaultChargeLimit?.toFixed() ?? null },
      after: { defaultChargeLimit: limit },
      note: before.name,
    });
    return { defaultChargeLimit: limit };
  });
}
