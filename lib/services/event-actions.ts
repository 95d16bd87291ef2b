import type { SessionUser } from "../auth/auth";
import { recordAudit } from "../audit";
import { db, type Tx } from "../db/client";
import { AppError } from "../errors";
import type { DeliveryState } from "../generated/prisma/enums";

/**
 * A person moves an event back into the delivery queue: a held event sent anyway, or a failed
 * delivery retried. The same idempotency key is used, so the platform can never count it twice.
 */
export async function requeueEvent(id: bigint, from: DeliveryState, user: SessionUser, note: string | undefined) {
  const verb = from === "held" ? "sent anyway" : "retried";
  return db().$transaction(async (tx) => {
    const event = await tx.billingEvent.findUnique({ where: { id } });
    if (!event) throw new AppError("NOT_FOUND", "No such event.");
    if (event.state !== from) throw new AppError("CONFLICT", `Event #${id} is ${event.state}, not ${from}; nothing to do.`);
    if (from === "failed" && event.kind === "wix_billing_event" && event.lastError?.startsWith("Delivery outcome unknown") && !note) {
      throw new AppError("INVALID_INPUT", "Wix may already have this event: say in a note that you checked Wix before retrying.", { note: ["Required: confirm you checked Wix."] });
    }
    await moveToQueue(tx, id, from, user.email, note ? `${verb}: ${note}` : verb, from === "held" ? { sendAnyway: true } : {});
    await recordAudit(tx, user, { action: from === "held" ? "event.send_anyway" : "event.retry", entityType: "event", entityId: id.toString(), before: { state: from }, after: { state: "queued" }, note });
    return { id: id.toString() };
  });
}

/**
 * Puts an event back in the delivery queue, due now, if it is still in `from` (a worker may have
 * moved it meanwhile), and records the transition. The event keeps its idempotency key.
 */
export async function moveToQueue(tx: Tx, id: bigint, from: DeliveryState, actor: string, reason: string, data: { sendAnyway?: boolean } = {}) {
  const moved = await tx.billingEvent.updateMany({ where: { id, state: from }, data: { state: "queued", nextAttemptAt: new Date(), lastError: null, ...data } });
  if (moved.count !== 1) throw new AppError("CONFLICT", "The event changed meanwhile; reload and try again.");
  await tx.eventTransition.create({ data: { eventId: id, fromState: from, toState: "queued", actor, reason } });
}
