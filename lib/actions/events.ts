"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { recordAudit } from "../audit";
import { db } from "../db/client";
import { parseIsoTimestamp } from "../domain/shopify-event";
import { AppError } from "../errors";
import { requeueEvent, voidHeldEvent } from "../services/delivery/event-actions";
import { ingestEvents, storedOrThrow, type IngestResult } from "../services/ingest/ingest";
import { eventActionSchema, sendShopifyEventSchema, sendWixEventSchema, voidEventSchema } from "./events.schema";

/** Maps the ledger's field names back to the form's. */
const SHOPIFY_FIELDS: Record<string, string> = {
  shop_id: "shopId",
  event_handle: "eventHandle",
  timestamp: "timestamp",
  idempotency_key: "idempotencyKey",
  "attributes.value": "value",
  attributes: "attributes",
  connection_id: "connectionId",
};
const WIX_FIELDS: Record<string, string> = {
  instance_id: "instanceId",
  "event.grossRevenue": "grossRevenue",
  "event.netRevenue": "netRevenue",
  "event.wixShare": "wixShare",
  "event.billingType": "billingType",
  "event.createdDate": "createdDate",
  idempotency_key: "idempotencyKey",
  connection_id: "connectionId",
};

async function record(raw: unknown, userId: string, fields: Record<string, string>, user: { id: string; email: string }, timeDefaulted: boolean) {
  const result = storedOrThrow((await ingestEvents([raw], { source: "ui", userId, timeDefaulted }))[0], fields.idempotency_key!);
  if (!result || result.status === "rejected") {
    const fieldErrors: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(result?.fieldErrors ?? {})) {
      // An attribute's error lands on the attributes box, named: "email: the value looks like an email address…".
      const attribute = !fields[k] && k.startsWith("attributes.") ? k.slice("attributes.".length) : null;
      (fieldErrors[fields[k] ?? (attribute !== null ? "attributes" : k)] ??= []).push(...(attribute !== null ? v.map((m) => `${attribute}: ${m}`) : v));
    }
    throw new AppError("INVALID_INPUT", "The platform would refuse this event; check the highlighted fields.", fieldErrors);
  }
  if (result.status !== "duplicate") {
    await db().$transaction((tx) =>
      recordAudit(tx, user, {
        action: "event.send",
        entityType: "event",
        entityId: result.eventId,
        after: { idempotencyKey: result.idempotencyKey, state: result.state, predicted: result.predicted.code ?? result.predicted.verdict },
      }),
    );
  }
  revalidatePath("/events");
  return result as Extract<IngestResult, { status: "accepted" | "held" | "duplicate" }>;
}

export const sendShopifyEventAction = action("operator", sendShopifyEventSchema, async (input, { user }) => {
  let attributes: Record<string, unknown> = {};
  if (input.attributes) {
    try {
      attributes = JSON.parse(input.attributes);
    } catch {
      throw new AppError("INVALID_INPUT", "Check the highlighted fields.", {
        attributes: ['Write the extra attributes as a JSON object, e.g. {"campaign": "spring"}.'],
      });
    }
    if (!attributes || typeof attributes !== "object" || Array.isArray(attributes))
      throw new AppError("INVALID_INPUT", "Check the highlighted fields.", { attributes: ["Must be a JSON object."] });
  }
  if (input.value !== undefined) attributes = { ...attributes, value: Number(input.value) };
  return record(
    {
      platform: "shopify",
      connection_id: input.connectionId,
      shop_id: input.shopId,
      event_handle: input.eventHandle,
      timestamp: input.timestamp ?? new Date().toISOString(),
      idempotency_key: input.idempotencyKey,
      attributes,
      send_anyway: input.sendAnyway,
    },
    user.id,
    SHOPIFY_FIELDS,
    user,
    !input.timestamp,
  );
});

/**
 * Where Wix's rule is unknown the form asks before anything is stored: Wix documents negative
 * amounts for refunds and adjustments and says nothing of dates in the future.
 */
function wixQuestions(
  input: { billingType: string; grossRevenue: string; createdDate?: string; confirmNegativeCharge: boolean; confirmFutureDate: boolean },
  now: Date,
) {
  const questions: Record<string, string[]> = {};
  if (input.billingType === "CHARGE" && !input.confirmNegativeCharge && /^-\d*\.?\d*[1-9]/.test(input.grossRevenue)) {
    questions.grossRevenue = ["Negative revenue is usually a REFUND: send it as a CHARGE anyway?"];
  }
  const at = input.createdDate ? parseIsoTimestamp(input.createdDate) : null;
  if (at && at.getTime() > now.getTime() + 60_000 && !input.confirmFutureDate) {
    questions.createdDate = [
      `This date is in the future (${at.toISOString().replace(".000Z", "Z")} UTC); Wix says nothing of future dates. Send it with this date?`,
    ];
  }
  if (Object.keys(questions).length) throw new AppError("NEEDS_CONFIRMATION", "Confirm at the marked fields; nothing was recorded.", questions);
}

export const sendWixEventAction = action("operator", sendWixEventSchema, async (input, { user }) => {
  wixQuestions(input, new Date());
  return record(
    {
      platform: "wix",
      connection_id: input.connectionId,
      instance_id: input.instanceId,
      idempotency_key: input.idempotencyKey,
      send_anyway: input.sendAnyway,
      event: {
        grossRevenue: input.grossRevenue,
        netRevenue: input.netRevenue,
        wixShare: input.wixShare,
        billingType: input.billingType,
        createdDate: input.createdDate ?? new Date().toISOString(),
      },
    },
    user.id,
    WIX_FIELDS,
    user,
    !input.createdDate,
  );
});

export const sendHeldEventAction = action("operator", eventActionSchema, async (input, { user }) => {
  const result = await requeueEvent(BigInt(input.id), "held", user, input.note);
  revalidatePath(`/events/${input.id}`);
  return result;
});

export const retryEventAction = action("operator", eventActionSchema, async (input, { user }) => {
  const result = await requeueEvent(BigInt(input.id), "failed", user, input.note);
  revalidatePath(`/events/${input.id}`);
  return result;
});

export const voidHeldEventAction = action("operator", voidEventSchema, async (input, { user }) => {
  const result = await voidHeldEvent(BigInt(input.id), user, input.note);
  revalidatePath(`/events/${input.id}`);
  revalidatePath("/events");
  return result;
});
