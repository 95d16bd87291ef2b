"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { recordAudit } from "../audit";
import { db } from "../db/client";
import { AppError } from "../errors";
import { requeueEvent } from "../services/event-actions";
import { ingestEvents, type IngestResult } from "../services/ingest";
import { eventActionSchema, sendShopifyEventSchema, sendWixEventSchema } from "./events.schema";

/** Maps the ledger's field names back to the form's. */
const SHOPIFY_FIELDS: Record<string, string> = { shop_id: "shopId", event_handle: "eventHandle", timestamp: "timestamp", idempotency_key: "idempotencyKey", "attributes.value": "value", attributes: "attributes", connection_id: "connectionId" };
const WIX_FIELDS: Record<string, string> = { instance_id: "instanceId", "event.grossRevenue": "grossRevenue", "event.netRevenue": "netRevenue", "event.wixShare": "wixShare", "event.billingType": "billingType", "event.createdDate": "createdDate", idempotency_key: "idempotencyKey", connection_id: "connectionId" };

async function record(raw: unknown, userId: string, fields: Record<string, string>, user: { id: string; email: string }) {
  const [result] = await ingestEvents([raw], { source: "ui", userId });
  if (!result || result.status === "rejected") {
    const fieldErrors: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(result?.fieldErrors ?? {})) (fieldErrors[fields[k] ?? (k.startsWith("attributes.") ? "attributes" : k)] ??= []).push(...v);
    throw new AppError("INVALID_INPUT", "The platform would refuse this event; check the highlighted fields.", fieldErrors);
  }
  if (result.status !== "duplicate") {
    await db().$transaction((tx) => recordAudit(tx, user, { action: "event.send", entityType: "event", entityId: result.eventId, after: { idempotencyKey: result.idempotencyKey, state: result.state, predicted: result.predicted.code ?? result.predicted.verdict } }));
  }
  revalidatePath("/events");
  return result as Exclude<IngestResult, { status: "rejected" }>;
}

export const sendShopifyEventAction = action("operator", sendShopifyEventSchema, async (input, { user }) => {
  let attributes: Record<string, unknown> = {};
  if (input.attributes) {
    try {
      attributes = JSON.parse(input.attributes);
    } catch {
      throw new AppError("INVALID_INPUT", "Check the highlighted fields.", { attributes: ['Write the extra attributes as a JSON object, e.g. {"campaign": "spring"}.'] });
    }
    if (!attributes || typeof attributes !== "object" || Array.isArray(attributes)) throw new AppError("INVALID_INPUT", "Check the highlighted fields.", { attributes: ["Must be a JSON object."] });
  }
  if (input.value !== undefined) attributes = { ...attributes, value: Number(input.value) };
  return record(
    {
      platform: "shopify", connection_id: input.connectionId, shop_id: input.shopId, event_handle: input.eventHandle, timestamp: input.timestamp ?? new Date().toISOString(),
      idempotency_key: input.idempotencyKey, attributes, send_anyway: input.sendAnyway,
    },
    user.id, SHOPIFY_FIELDS, user,
  );
});

export const sendWixEventAction = action("operator", sendWixEventSchema, async (input, { user }) =>
  record(
    {
      platform: "wix", connection_id: input.connectionId, instance_id: input.instanceId, idempotency_key: input.idempotencyKey, send_anyway: input.sendAnyway,
      event: { grossRevenue: input.grossRevenue, netRevenue: input.netRevenue, wixShare: input.wixShare, billingType: input.billingType, createdDate: input.createdDate ?? new Date().toISOString() },
    },
    user.id, WIX_FIELDS, user,
  ),
);

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
