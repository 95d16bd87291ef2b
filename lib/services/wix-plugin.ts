import { db } from "../db/client";
import { unbilledUsage } from "../db/wix-usage";
import { DomainError } from "../domain/errors";
import { assertPeriod } from "../domain/periods";
import { assertWixChargeCurrency } from "../domain/wix-charges";
import type { Connection } from "../generated/prisma/client";
import { logger } from "../logger";
import { PluginAuthError, verifyPluginJwt } from "../platforms/wix/plugin-jwt";
import { isPluginMethod, pluginEnvelope, requestSchemas, type PluginMetadata, type PluginMethod, type PluginRequest } from "../platforms/wix/plugin-schemas";
import { zodFieldErrors } from "./ingest-schema";
import { previewCharges, proposeInvoiceCharges, toWire } from "./wix-charges";
import { checkLimitsAndNotify } from "./wix-limit-alerts";
import {
  answerChargeLimit, ensureInstance, PluginRequestError, recordChargesRejected, recordInvoiceCreated, recordLimitUpdate, recordUsagesRejected,
} from "./wix-notifications";

/**
 * The Custom Charges service plugin (wix.md 5): Wix POSTs a signed JWT to
 * /api/wix/{connectionId}/v1/{method}. Nothing is read or written before the JWT is verified with
 * the connection's public key (issuer wix.com, audience its app id); anything else gets 401.
 * Answers are Wix's documented JSON; errors use the SPI shape {applicationError: {code, description}}.
 * Work that must not hold up the answer (alerts and their webhooks) is returned as `followUp`.
 */
export type PluginReply = { status: number; body: unknown; followUp?: () => Promise<void> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const failure = (status: number, code: string, description: string, data: Record<string, unknown> = {}): PluginReply => ({ status, body: { applicationError: { code, description, data } } });
const unauthorized = (why: string) => failure(401, "UNAUTHENTICATED", `The request is not a valid signed call from Wix for this app: ${why}.`);

export async function handleWixPluginCall({ connectionId, method, body, now = new Date() }: { connectionId: string; method: string; body: string; now?: Date }): Promise<PluginReply> {
  const log = logger.child({ platform: "wix", connectionId, method });
  if (!isPluginMethod(method)) return failure(404, "NOT_FOUND", `Unknown Custom Charges method "${method}".`);
  if (!UUID.test(connectionId)) return unauthorized("unknown connection");
  const connection = await db().connection.findUnique({ where: { id: connectionId } });
  if (!connection || connection.platform !== "wix" || !connection.pluginPublicKey) return unauthorized("unknown connection");

  let data: unknown;
  try {
    ({ data } = await verifyPluginJwt(body, { publicKeyPem: connection.pluginPublicKey, appId: connection.clientId, now }));
  } catch (err) {
    if (!(err instanceof PluginAuthError)) throw err;
    log.warn({ reason: err.message }, "service-plugin call refused");
    return unauthorized(err.message);
  }

  const envelope = pluginEnvelope.safeParse(data);
  if (!envelope.success) return failure(400, "INVALID_ARGUMENT", "The data claim must hold {request, metadata} with metadata.instanceId.", { fieldErrors: zodFieldErrors(envelope.error) });
  const request = requestSchemas[method].safeParse(envelope.data.request);
  if (!request.success) return failure(400, "INVALID_ARGUMENT", "The request does not match the documented fields.", { fieldErrors: zodFieldErrors(request.error) });
  const meta = envelope.data.metadata;
  try {
    const reply = await dispatch(method, connection, request.data as never, meta, now);
    log.info({ instanceId: meta.instanceId, requestId: meta.requestId, status: reply.status }, "service-plugin call answered");
    return reply;
  } catch (err) {
    if (err instanceof DomainError) return failure(400, err.code, err.message, err.field ? { field: err.field } : {});
    if (err instanceof PluginRequestError) return failure(err.status, err.code, err.message);
    log.error({ err, instanceId: meta.instanceId, requestId: meta.requestId }, "service-plugin call failed");
    return failure(500, "INTERNAL", "The provider could not answer; Wix may try again.");
  }
}

async function dispatch<M extends PluginMethod>(method: M, connection: Connection, request: PluginRequest<M>, meta: PluginMetadata, now: Date): Promise<PluginReply> {
  const find = () => db().wixInstance.findUnique({ where: { connectionId_instanceId: { connectionId: connection.id, instanceId: meta.instanceId } }, include: { connection: { select: { defaultChargeLimit: true } } } });
  const ensure = (currency: string) => ensureInstance(connection, meta.instanceId, currency);
  const m = { requestId: meta.requestId };
  const alertsAfter = (id: string) => () => checkLimitsAndNotify([id]);
  switch (method) {
    case "charge-limit": {
      const r = request as PluginRequest<"charge-limit">;
      assertWixChargeCurrency(r.currency);
      const id = await ensure(r.currency);
      return { status: 200, body: await answerChargeLimit(id, r, m, now), followUp: alertsAfter(id) };
    }
    case "charges": {
      const r = request as PluginRequest<"charges">;
      const period = assertPeriod({ start: r.periodStart, end: r.periodEnd }, "periodStart");
      assertWixChargeCurrency(r.currency);
      const instance = await find();
      if (!instance) return { status: 200, body: { charges: [] } };
      const computed = r.intent === "CREATE_INVOICE"
        ? await proposeInvoiceCharges(instance.id, { currency: r.currency, period, subscriptionId: r.subscriptionId, requestId: meta.requestId })
        : await previewCharges(instance, { currency: r.currency, period });
      return { status: 200, body: { charges: toWire(computed.result.charges) } };
    }
    case "usages": {
      // The product bills through List Charges; counters are answered from the same usage (kind = counter id), read only.
      const r = request as PluginRequest<"usages">;
      const period = assertPeriod({ start: r.periodStart, end: r.periodEnd }, "periodStart");
      const instance = await find();
      const usage = instance ? await unbilledUsage(db(), { instanceRowId: instance.id, currency: instance.currency, period }) : { kinds: [] };
      return {
        status: 200,
        body: { usages: r.counterIds.map((counterId) => {
          const k = usage.kinds.find((u) => u.kind === counterId);
          return { counterId, quantity: Number(k ? k.quantity.floor().toFixed() : 0), description: k ? `${k.description} in this period` : "No usage in this period" };
        }) },
      };
    }
    case "charges-rejected": {
      const r = request as PluginRequest<"charges-rejected">;
      await recordChargesRejected(await ensure(r.currency), r, m);
      return { status: 200, body: {} };
    }
    case "usages-rejected": {
      const r = request as PluginRequest<"usages-rejected">;
      await recordUsagesRejected(await ensure(r.currency), r, m);
      return { status: 200, body: {} };
    }
    case "invoice-created": {
      const r = request as PluginRequest<"invoice-created">;
      const outcome = await recordInvoiceCreated(await ensure(r.currency), r, m);
      if (outcome.unmatched.length) logger.warn({ invoiceId: r.invoiceId, unmatched: outcome.unmatched }, "Wix invoice lines match none of our charges");
      return { status: 200, body: {} };
    }
    case "limit-updated": {
      const r = request as PluginRequest<"limit-updated">;
      const id = await ensure(r.currency);
      await recordLimitUpdate(id, r, m);
      return { status: 200, body: {}, followUp: alertsAfter(id) };
    }
  }
  return failure(404, "NOT_FOUND", `Unknown Custom Charges method "${String(method)}".`);
}
