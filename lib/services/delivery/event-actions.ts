import type { SessionUser } from "../../auth/auth";
import { recordAudit } from "../../audit";
import { db, type Tx } from "../../db/client";
import { AppError } from "../../errors";
import type { DeliveryState } from "../../generated/prisma/enums";

/**
 * A person moves an event back into the delivery queue: a held event sent anyway, or a failed
 * delivery retried. The same idempotency key is used, so the platform can never count it twice.
 */
export async function requeueEvent(id: bigint, requested: DeliveryState, user: SessionUser, note: string | undefined) {
  const verb = requested === "held" ? "sent anyway" : "retried";
  return db().$transaction(async (tx) => {
    const event = await tx.billingEvent.findUnique({ where: { id } });
    if (!event) throw new AppError("NOT_FOUND", "No such event.");
    // A retry also applies to an event whose outcome is unknown.
    const from = requested === "failed" && event.state === "outcome_unknown" ? "outcome_unknown" : requested;
    if (event.state !== from) throw new AppError("CONFLICT", `Event #${id} is ${event.state}, not ${from}; nothing to do.`);
    if (from === "outcome_unknown" && event.kind === "wix_billing_event" && !note) {
      throw new AppError("INVALID_INPUT", "Wix may already have this event: say in a note that you checked Wix before retrying.", {
        note: ["Required: confirm you checked Wix."],
      });
    }
    await moveToQueue(tx, id, from, user.email, note ? `${verb}: ${note}` : verb, from === "held" ? { sendAnyway: true } : {});
    await recordAudit(tx, user, {
      action: from === "held" ? "event.send_anyway" : "event.retry",
      entityType: "event",
      entityId: id.toString(),
      before: { state: from },
      after: { state: "queued" },
      note,
    });
    return { id: id.toString() };
  });
}

/**
 * Puts an event back in the delivery queue, due now, if it is still in `from` (a worker may have
 * moved it meanwhile), and records the transition. The event keeps its idempotency key.
 */
export async function moveToQueue(tx: Tx, id: bigint, from: DeliveryState, actor: string, reason: string, data: { sendAnyway?: boolean } = {}) {
  const moved = await tx.billingEvent.updateMany({
    where: { id, state: from },
    data: { state: "queued", nextAttemptAt: new Date(), lastError: null, ...data },
  });
  if (moved.count !== 1) throw new AppError("CONFLICT", "The event changed meanwhile; reload and try again.");
  await tx.eventTransition.create({ data: { eventId: id, fromState: from, toState: "queued", actor, reason } });
}

/**
 * A person voids a held event that should never be sent (a typo, a test): nothing is deleted. A
 * new ledger entry records the void and points to the event; both are left out of the charts and
 * totals (superseded), and the event moves from held to voided, so no worker or "send anyway"
 * can send it. The note says why, in the event's history and the audit log.
 */
export async function voidHeldEvent(id: bigint, user: SessionUser, note: string) {
  return db().$transaction(async (tx) => {
    const event = await tx.billingEvent.findUnique({ where: { id } });
    if (!event) throw new AppError("NOT_FOUND", "No such event.");
    if (event.state !== "held") throw new AppError("CONFLICT", `Event #${id} is ${event.state}: only a held event, never sent, can be voided.`);
    const moved = await tx.billingEvent.updateMany({ where: { id, state: "held" }, data: { state: "voided", superseded: true, nextAttemptAt: null } });
    if (moved.count !== 1) throw new AppError("CONFLICT", "The event changed meanwhile; reload and try again.");
    const entry = await tx.billingEvent.create({
      data: {
        connectionId: event.connectionId,
        platform: event.platform,
        kind: event.kind,
        shopId: event.shopId,
        wixInstanceId: event.wixInstanceId,
        handle: event.handle,
        quantity: null,
        amount: null,
        currency: event.currency,
        occurredAt: event.occurredAt,
        idempotencyKey: `void_${event.id}`,
        payload: { void_of: event.id.toString(), note },
        source: "ui",
        createdById: user.id,
        predictedVerdict: "non_billable",
        predictedDetails: `Void of #${event.id}, recorded by a person; never sent to the platform.`,
        state: "voided",
        superseded: true,
        correctsId: event.id,
        correctionNote: note,
      },
    });
    await tx.eventTransition.create({
      data: { eventId: id, fromState: "held", toState: "voided", actor: user.email, reason: `voided by #${entry.id}: ${note}` },
    });
    await recordAudit(tx, user, {
      action: "event.void",
      entityType: "event",
      entityId: id.toString(),
      before: { state: "held" },
      after: { state: "voided", voidEntry: entry.id.toString() },
      note,
    });
    return { id: id.toString(), voidEntryId: entry.id.toString() };
  });
}
