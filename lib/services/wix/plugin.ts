import { db } from "../../db/client";
import { unbilledUsage, type KindUsage } from "../../db/wix-usage";
import { DomainError } from "../../domain/errors";
import { assertPeriod, type Period } from "../../domain/periods";
import { isWixChargeCurrency, WIX_CHARGE_CURRENCIES } from "../../domain/money";
import { assertWixChargeCurrency } from "../../domain/wix-charges";
import type { Connection } from "../../generated/prisma/client";
import { newErrorRef } from "../../errors";
import { logger } from "../../logger";
import { PluginAuthError, verifyPluginJwt } from "../../platforms/wix/plugin-jwt";
import { isPluginMethod, pluginEnvelope, requestSchemas, type PluginMetadata, type PluginMethod, type PluginRequest } from "../../platforms/wix/plugin-schemas";
import { findTextProblems } from "../../domain/input-text";
import { zodFieldErrors } from "../ingest/schema";
import { markCountedKinds, previewCharges, proposeInvoiceCharges, toWire } from "./charges";
import { checkLimitsAndNotify } from "./limit-alerts";
import { lookUpPendingInstances } from "../discovery/wix-received";
import {
  answerChargeLimit,
  ensureInstance,
  PluginRequestError,
  recordChargesRejected,
  recordInvoiceCreated,
  recordLimitUpdate,
  recordUsagesRejected,
} from "./notifications";

/**
 * The Custom Charges service plugin (docs/platforms/wix.md §5): Wix POSTs a signed JWT to
 * /api/wix/{connectionId}/v1/{method}. Nothing is read or written before the JWT is verified with
 * the connection's public key (issuer wix.com, audience its app id); anything else gets 401.
 * Answers are Wix's documented JSON; errors use the SPI shape {applicationError: {code, description}}.
 * Work that must not hold up the answer (alerts and their webhooks) is returned as `followUp`.
 */
export type PluginReply = { status: number; body: unknown; followUp?: () => Promise<void>; retryAfterSeconds?: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const failure = (status: number, code: string, description: string, data: Record<string, unknown> = {}): PluginReply => ({
  status,
  body: { applicationError: { code, description, data } },
});
const unauthorized = (why: string) => failure(401, "UNAUTHENTICATED", `The request is not a valid signed call from Wix for this app: ${why}.`);

export async function handleWixPluginCall({
  connectionId,
  method,
  body,
  now = new Date(),
}: {
  connectionId: string;
  method: string;
  body: string;
  now?: Date;
}): Promise<PluginReply> {
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

  return handleVerifiedPluginCall({ connection, method, data, now });
}

/**
 * A call whose signature was verified: its data claim checked field by field (nothing Postgres
 * cannot store, ids and currencies in Wix's forms), then dispatched. Exported for the fuzz test.
 */
export async function handleVerifiedPluginCall({
  connection,
  method,
  data,
  now,
}: {
  connection: Connection;
  method: PluginMethod;
  data: unknown;
  now: Date;
}): Promise<PluginReply> {
  const log = logger.child({ platform: "wix", connectionId: connection.id, method });
  const text = findTextProblems(data);
  if (text)
    return failure(
      400,
      "INVALID_ARGUMENT",
      "The request holds text that is not storable (a NUL character or an unpaired surrogate), or is nested too deeply.",
      { fieldErrors: text },
    );
  const envelope = pluginEnvelope.safeParse(data);
  if (!envelope.success)
    return failure(400, "INVALID_ARGUMENT", "The data claim must hold {request, metadata} with metadata.instanceId.", {
      fieldErrors: zodFieldErrors(envelope.error),
    });
  const request = requestSchemas[method].safeParse(envelope.data.request);
  if (!request.success)
    return failure(400, "INVALID_ARGUMENT", "The request does not match the documented fields.", { fieldErrors: zodFieldErrors(request.error) });
  const meta = envelope.data.metadata;
  try {
    const known = await db().wixInstance.findUnique({
      where: { connectionId_instanceId: { connectionId: connection.id, instanceId: meta.instanceId } },
      select: { id: true },
    });
    const reply = withLookup(await dispatch(method, connection, request.data as never, meta, now), known ? null : connection);
    log.info({ instanceId: meta.instanceId, requestId: meta.requestId, status: reply.status }, "service-plugin call answered");
    return reply;
  } catch (err) {
    if (err instanceof DomainError) return failure(400, err.code, err.message, err.field ? { field: err.field } : {});
    if (err instanceof PluginRequestError) return failure(err.status, err.code, err.message);
    // Validation should leave Postgres nothing to refuse; if it did, the call's input is at fault, not the provider.
    if (/^2[23]/.test(String((err as { code?: unknown } | null)?.code ?? ""))) {
      log.warn({ err, instanceId: meta.instanceId, requestId: meta.requestId }, "service-plugin call refused by the database");
      return failure(400, "INVALID_ARGUMENT", `The request could not be stored: ${(err as Error).message}`);
    }
    const ref = newErrorRef();
    log.error({ err, ref, instanceId: meta.instanceId, requestId: meta.requestId }, "service-plugin call failed");
    return {
      ...failure(503, "UNAVAILABLE", `The provider could not reach its database; nothing was recorded. Wix may try again. Reference ${ref}.`, { ref }),
      retryAfterSeconds: 5,
    };
  }
}

/** After answering a call that named an instance first, the App Instance API is read for it (and its waiting events move on). */
function withLookup(reply: PluginReply, connection: Connection | null): PluginReply {
  if (!connection) return reply;
  const first = reply.followUp;
  return {
    ...reply,
    followUp: async () => {
      await lookUpPendingInstances("wix plugin call", { connectionId: connection.id });
      if (first) await first();
    },
  };
}

type Instance = NonNullable<Awaited<ReturnType<typeof findInstance>>>;
const findInstance = (connection: Connection, instanceId: string) =>
  db().wixInstance.findUnique({
    where: { connectionId_instanceId: { connectionId: connection.id, instanceId } },
    include: { connection: { select: { defaultChargeLimit: true } } },
  });

/**
 * The currency of a call: the request's, else the context's (`metadata.currency`; Wix's SDK types
 * both as optional), else, for a notification about an instance we know, the instance's. A
 * context currency Wix does not charge in is refused like a request's.
 */
function callCurrency(
  request: { currency?: string | null },
  meta: PluginMetadata,
  instance: Instance | null,
  notification: boolean,
): { currency: string } | { reply: PluginReply } {
  if (request.currency) return { currency: request.currency };
  if (meta.currency) {
    if (isWixChargeCurrency(meta.currency)) return { currency: meta.currency };
    return {
      reply: failure(400, "INVALID_ARGUMENT", "The request has no currency and metadata.currency is not one Wix charges in.", {
        fieldErrors: { "metadata.currency": [`must be one of Wix's charge currencies: ${WIX_CHARGE_CURRENCIES.join(", ")}`] },
      }),
    };
  }
  if (notification && instance) return { currency: instance.currency };
  return {
    reply: failure(400, "INVALID_ARGUMENT", "The request names no currency, in the request or in metadata.currency.", {
      fieldErrors: { currency: ["is missing here and in metadata.currency"] },
    }),
  };
}

/**
 * The period a List Charges / List Usages call is about. Wix's SDK types periodStart and periodEnd
 * as nullable: without them an invoice cannot be made (Wix names the period it bills, and only
 * usage inside it may be billed), so CREATE_INVOICE is refused; a preview shows the instance's
 * current cycle, or nothing before the instance has one.
 */
function callPeriod(
  request: { periodStart?: Date | null; periodEnd?: Date | null; intent: string },
  instance: Instance | null,
): { period: Period | null } | { reply: PluginReply } {
  if (request.periodStart && request.periodEnd) return { period: assertPeriod({ start: request.periodStart, end: request.periodEnd }, "periodStart") };
  if (request.intent === "CREATE_INVOICE") {
    const fieldErrors = Object.fromEntries(
      (["periodStart", "periodEnd"] as const).filter((f) => !request[f]).map((f) => [f, ["is needed to invoice: Wix names the period it bills"]]),
    );
    return {
      reply: failure(400, "INVALID_ARGUMENT", "An invoice needs the period it bills (periodStart and periodEnd); nothing was recorded.", { fieldErrors }),
    };
  }
  return { period: instance?.cycleStart && instance.cycleEnd ? { start: instance.cycleStart, end: instance.cycleEnd } : null };
}

async function dispatch<M extends PluginMethod>(
  method: M,
  connection: Connection,
  request: PluginRequest<M>,
  meta: PluginMetadata,
  now: Date,
): Promise<PluginReply> {
  const instance = await findInstance(connection, meta.instanceId);
  // An instance Wix names first here is taken in, pending its App Instance API read (withLookup runs it after the answer).
  const ensure = async (currency: string) => ensureInstance(connection, meta.instanceId, currency, { pending: true });
  const m = { requestId: meta.requestId };
  const alertsAfter = (id: string) => () => checkLimitsAndNotify([id]);
  if (method === "usages") {
    // The period first: a refused call takes in no instance.
    const r = request as PluginRequest<"usages">;
    const when = callPeriod(r, instance);
    if ("reply" in when) return when.reply;
    if (!instance) await ensure(meta.currency && isWixChargeCurrency(meta.currency) ? meta.currency : "USD");
    return answerUsages(r, instance, when.period);
  }

  const resolved = callCurrency(request as { currency?: string | null }, meta, instance, method !== "charge-limit" && method !== "charges");
  if ("reply" in resolved) return resolved.reply;
  const currency = assertWixChargeCurrency(resolved.currency);
  switch (method) {
    case "charge-limit": {
      const r = request as PluginRequest<"charge-limit">;
      const id = await ensure(currency);
      return { status: 200, body: await answerChargeLimit(id, { ...r, currency }, m, now), followUp: alertsAfter(id) };
    }
    case "charges": {
      const r = request as PluginRequest<"charges">;
      const when = callPeriod(r, instance);
      if ("reply" in when) return when.reply;
      if (!instance) {
        // Nothing used yet by a site first named now: no charges.
        await ensure(currency);
        return { status: 200, body: { charges: [] } };
      }
      if (!when.period) return { status: 200, body: { charges: [] } };
      const computed =
        r.intent === "CREATE_INVOICE"
          ? await proposeInvoiceCharges(instance.id, { currency, period: when.period, subscriptionId: r.subscriptionId, requestId: meta.requestId })
          : await previewCharges(instance, { currency, period: when.period });
      return { status: 200, body: { charges: toWire(computed.result.charges) } };
    }
    case "charges-rejected": {
      const r = request as PluginRequest<"charges-rejected">;
      await recordChargesRejected(await ensure(currency), { ...r, currency }, m);
      return { status: 200, body: {} };
    }
    case "usages-rejected": {
      const r = request as PluginRequest<"usages-rejected">;
      await recordUsagesRejected(await ensure(currency), { ...r, currency }, m);
      return { status: 200, body: {} };
    }
    case "invoice-created": {
      const r = request as PluginRequest<"invoice-created">;
      const outcome = await recordInvoiceCreated(await ensure(currency), { ...r, currency }, m);
      if (outcome.unmatched.length) logger.warn({ invoiceId: r.invoiceId, unmatched: outcome.unmatched }, "Wix invoice lines match none of our charges");
      return { status: 200, body: {} };
    }
    case "limit-updated": {
      const r = request as PluginRequest<"limit-updated">;
      const id = await ensure(currency);
      // A null limit (the SDK allows it) names no new limit: nothing changes.
      if (r.chargeLimit == null) return { status: 200, body: {} };
      await recordLimitUpdate(id, { ...r, chargeLimit: r.chargeLimit, currency }, m);
      return { status: 200, body: {}, followUp: alertsAfter(id) };
    }
  }
  return failure(404, "NOT_FOUND", `Unknown Custom Charges method "${String(method)}".`);
}

/**
 * List Usages (docs/platforms/wix.md §5.3): Wix prices each counter's quantity itself and puts it
 * on the same invoice as the List Charges answer, so a unit of usage must be answered by one of
 * the two only. Usage our price list prices is billed as charges; a counter reports only the
 * usage of its kind that no charge bills (unpriced), and says so when a charge bills the rest.
 * A preview writes nothing; an invoice's call marks the counted kinds on the period.
 */
async function answerUsages(r: PluginRequest<"usages">, instance: Instance | null, period: Period | null): Promise<PluginReply> {
  const usage =
    instance && period && r.counterIds.length ? await unbilledUsage(db(), { instanceRowId: instance.id, currency: instance.currency, period }) : { kinds: [] };
  const usages = r.counterIds.map((counterId) =>
    counterAnswer(
      counterId,
      usage.kinds.find((u) => u.kind === counterId),
    ),
  );
  if (instance && period && r.intent === "CREATE_INVOICE")
    await markCountedKinds(
      instance.id,
      period,
      usages.filter((u) => u.quantity > 0).map((u) => u.counterId),
    );
  return { status: 200, body: { usages } };
}

const counterAnswer = (counterId: string, k: KindUsage | undefined) => {
  const counted = k ? k.unpricedQuantity.floor() : null;
  const charged = k ? k.quantity.minus(k.unpricedQuantity) : null;
  const description = !k
    ? "No usage in this period"
    : charged!.gt(0) && counted!.isZero()
      ? `Billed as charges on this invoice (List Charges), not by this counter: ${charged!.toFixed()} × ${k.description}`
      : charged!.gt(0)
        ? `${counted!.toFixed()} × ${k.description} in this period; ${charged!.toFixed()} more are billed as charges`
        : `${k.description} in this period`;
  return { counterId, quantity: Number(counted?.toFixed() ?? 0), description: description.slice(0, 256) };
};
