import { createHash } from "node:crypto";
import type { SessionUser } from "../auth/auth";
import { recordAudit } from "../audit";
import { decryptSecret } from "../crypto";
import { db } from "../db/client";
import { canonicalJson } from "../domain/idempotency";
import { Decimal } from "../domain/money";
import { priceMeterUsage, priceTiersSchema } from "../domain/pricing";
import { compareTotals, ledgerTotals, matchEvents, type LedgerLine, type PlatformLine } from "../domain/reconcile";
import { AppError } from "../errors";
import type { Verdict, VerdictSource } from "../generated/prisma/enums";
import { fetchSandboxLogPage } from "../platforms/shopify/sandbox-log";
import { createShopifyPartnerClient } from "../platforms/shopify/client";
import { shopifyLogRow } from "../platforms/shopify/schemas";
import { toLedgerVerdict } from "../platforms/shopify/to-ledger";
import { parseDevDashboardLog, LogFileError, type DevDashboardRow } from "../domain/dev-dashboard-log";
import { recordVerdicts } from "../worker/verdicts";
import { moveToQueue } from "./event-actions";

/**
 * Reconciliation: what the platform says it has (its log, imported; its usage figures from the
 * Partner API) beside the ledger, per shop, meter and billing cycle, and event by event.
 */
async function storeEntries(connectionId: string, rows: DevDashboardRow[], source: VerdictSource, actor: string) {
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000).map((r) => ({ ...r, timestamp: r.timestamp?.toISOString() ?? null }));
    await db().$executeRaw`
      INSERT INTO platform_log_entries (connection_id, idempotency_key, handle, shop_ref, occurred_at, quantity, verdict, code, details, source, imported_by)
      SELECT ${connectionId}::uuid, x."idempotencyKey", x.handle, x.shop, x.timestamp::timestamptz, x.quantity::numeric, x.verdict::"Verdict", x.code, x.details, ${source}::"VerdictSource", ${actor}
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS x("idempotencyKey" text, handle text, shop text, timestamp text, quantity text, verdict text, code text, details text)
      ON CONFLICT (connection_id, idempotency_key) DO UPDATE SET handle = EXCLUDED.handle, shop_ref = EXCLUDED.shop_ref, occurred_at = EXCLUDED.occurred_at,
        quantity = EXCLUDED.quantity, verdict = EXCLUDED.verdict, code = EXCLUDED.code, details = EXCLUDED.details, source = EXCLUDED.source,
        imported_at = now(), imported_by = EXCLUDED.imported_by`;
  }
  // Events still waiting for a verdict take the platform's.
  const applied = await recordVerdicts(actor, connectionId, rows.map((r) => ({ key: r.idempotencyKey, verdict: r.verdict, code: r.code, details: r.details })), source);
  return { imported: rows.length, verdictsApplied: applied };
}


/** The sandbox's whole Dev Dashboard log for the app, in one click. */
export async function importSandboxLog(connectionId: string, user: SessionUser) {
  const c = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  if (c.environment !== "sandbox" || c.platform !== "shopify") throw new AppError("CONFLICT", "Only sandbox Shopify connections have a log to read; import a file for live ones.");
  const rows: DevDashboardRow[] = [];
  let after: string | null = null;
  do {
    let page: Awaited<ReturnType<typeof fetchSandboxLogPage>>;
    try {
      page = await fetchSandboxLogPage(c, after);
    } catch (err) {
      throw new AppError("PLATFORM_UNAVAILABLE", err instanceof Error ? err.message : "The sandbox's log could not be read.");
    }
    for (const raw of page.rows) {
      const r = shopifyLogRow.parse(raw);
      if (r.billable === null || r.billable === undefined) continue; // still pending
      const v = toLedgerVerdict(r);
      const extra = raw as { shop_id?: string; value?: number | string | null };
      rows.push({
        idempotencyKey: r.idempotency_key, handle: r.event_handle, shop: extra.shop_id ?? r.shop ?? null, timestamp: r.timestamp ? new Date(r.timestamp) : null,
        quantity: extra.value === null || extra.value === undefined ? null : String(extra.value), verdict: v.verdict, code: v.code, details: v.details,
      });
    }
    after = page.next_cursor;
  } while (after);
  const result = await storeEntries(c.id, rows, "sandbox_log", user.email);
  await db().$transaction((tx) => recordAudit(tx, user, { action: "reconcile.import_sandbox_log", entityType: "connection", entityId: c.id, after: result }));
  return result;
}

/** A Dev Dashboard log file (CSV or JSON) for a live app: all of it, or nothing. */
export async function importLogFile(connectionId: string, text: string, format: "csv" | "json", user: SessionUser) {
  const c = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  if (c.platform !== "shopify") throw new AppError("CONFLICT", "Dev Dashboard logs are Shopify's.");
  let rows: DevDashboardRow[];
  try {
    rows = parseDevDashboardLog(text, format);
  } catch (err) {
    if (err instanceof LogFileError) throw new AppError("INVALID_INPUT", `The file was refused and nothing was imported: ${err.message}.`, { file: [err.message] });
    throw err;
  }
  const result = await storeEntries(c.id, rows, "imported_file", user.email);
  await db().$transaction((tx) => recordAudit(tx, user, { action: "reconcile.import_file", entityType: "connection", entityId: c.id, after: { format, ...result } }));
  return result;
}

export type ShopCycle = Awaited<ReturnType<typeof shopifyReconciliation>>["cycles"][number];

/** Every shop's current cycle: totals beside the Partner API's usage, and event-level matching. */
export async function shopifyReconciliation(connectionId: string) {
  const c = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  const [shops, plans, closes] = await Promise.all([
    db().shop.findMany({ where: { connectionId, cycleStart: { not: null } }, orderBy: { domain: "asc" } }),
    db().plan.findMany({ where: { connectionId }, include: { meters: true } }),
    db().reconciliationClose.findMany({ where: { connectionId } }),
  ]);
  const partner = c.partnerApiUrl && c.partnerApiTokenEnc && c.appGid ? createShopifyPartnerClient({ url: c.partnerApiUrl, accessToken: decryptSecret(c.partnerApiTokenEnc) }) : null;
  const cycles = [];
  for (const shop of shops) {
    const window = { gte: shop.cycleStart!, lt: shop.cycleEnd! };
    const [events, entries] = await Promise.all([
      db().billingEvent.findMany({
        where: { connectionId, shopId: shop.id, occurredAt: window, corrections: { none: {} } },
        select: { id: true, idempotencyKey: true, handle: true, quantity: true, state: true, predictedVerdict: true, predictedCode: true, platformVerdict: true, platformCode: true, correctsId: true, corrects: { select: { idempotencyKey: true } } },
      }),
      db().platformLogEntry.findMany({ where: { connectionId, occurredAt: window, OR: [{ shopRef: shop.shopId }, { shopRef: shop.domain }, { shopRef: `gid://shopify/Shop/${shop.shopId}` }] } }),
    ]);
    const ours: LedgerLine[] = events.map((e) => ({
      // A correction stands in for the entry it corrects, under that entry's key.
      key: e.corrects?.idempotencyKey ?? e.idempotencyKey, eventId: e.id.toString(), subject: shop.id, handle: e.handle, quantity: e.quantity?.toFixed() ?? null,
      sent: e.state === "accepted" && !e.correctsId, predicted: { verdict: e.predictedVerdict, code: e.predictedCode },
      recorded: e.platformVerdict ? { verdict: e.platformVerdict, code: e.platformCode } : null,
    }));
    const theirs: PlatformLine[] = entries.map((t) => ({ key: t.idempotencyKey, subject: shop.id, handle: t.handle, quantity: t.quantity?.toFixed() ?? null, verdict: t.verdict, code: t.code }));
    let platformTotals: { subject: string; handle: string; units: string; amount: string | null; currency: string }[] = [];
    let platformError: string | null = null;
    if (partner) {
      try {
        const sub = await partner.activeSubscription(c.appGid!, `gid://shopify/Shop/${shop.shopId}`);
        platformTotals = (sub?.items ?? []).filter((i) => i.usage && i.handle).map((i) => ({
          subject: shop.id, handle: i.handle!, units: String(i.usage!.quantity), amount: i.usage!.cost?.amount ?? null, currency: i.usage!.cost?.currencyCode ?? "USD",
        }));
      } catch (err) {
        platformError = `Partner API: ${(err as Error).message}`;
      }
    } else platformError = "No Partner API credentials on this connection: usage figures cannot be read.";
    const plan = plans.find((p) => p.handle === shop.planHandle);
    const totals = compareTotals(ledgerTotals(ours.filter((o) => plan?.meters.some((m) => m.handle === o.handle))), platformTotals, (_s, handle, units) => {
      const meter = plan?.meters.find((m) => m.handle === handle);
      if (!meter) return null;
      const tiers = meter.tiers ? priceTiersSchema.parse(meter.tiers) : null;
      return { amount: priceMeterUsage({ handle, structure: meter.structure, unitPrice: meter.unitPrice.toFixed(), includedUnits: meter.includedUnits.toFixed(), tiers, currency: meter.currency }, units), currency: meter.currency };
    });
    const match = matchEvents(ours, theirs);
    const snapshot = {
      totals: totals.map((t) => ({ handle: t.handle, confirmed: t.ours.confirmedBillable.toFixed(), platform: t.platformUnits?.toFixed() ?? null, amount: t.ourAmount?.toFixed(2) ?? null, platformAmount: t.platformAmount?.toFixed(2) ?? null })),
      mismatches: [...match.missingHere.map((m) => `here:${m.key}`), ...match.missingThere.map((m) => `there:${m.key}`), ...match.recordedDiffs.map((m) => `recorded:${m.line.key}`), ...match.unitDiffs.map((m) => `units:${m.line.key}`)].sort(),
    };
    const fingerprint = createHash("sha256").update(canonicalJson(snapshot)).digest("hex");
    const close = closes.find((x) => x.subjectId === shop.id && x.cycleStart.getTime() === shop.cycleStart!.getTime()) ?? null;
    const balanced = totals.every((t) => t.diffUnits === null || t.diffUnits.isZero()) && !snapshot.mismatches.length;
    cycles.push({ shop, cycleStart: shop.cycleStart!, cycleEnd: shop.cycleEnd!, totals, match, platformError, snapshot, fingerprint, balanced, close, reopened: !!close && close.fingerprint !== fingerprint });
  }
  return { connection: c, cycles };
}

const SOURCE_LABEL: Record<string, string> = { sandbox_log: "the sandbox's log", imported_file: "an imported log file" };

/** A person records the platform's verdict on events by hand, with a note. */
export async function markVerdicts(eventIds: bigint[], verdict: Verdict, code: string | null, note: string, user: SessionUser) {
  if (verdict === "failed" && !code) throw new AppError("INVALID_INPUT", "Say which code the platform gave.", { code: ["Required for a failed verdict."] });
  return db().$transaction(async (tx) => {
    const events = await tx.billingEvent.findMany({ where: { id: { in: eventIds } } });
    if (events.length !== eventIds.length) throw new AppError("NOT_FOUND", "Some of the selected events do not exist.");
    for (const e of events) {
      await tx.billingEvent.update({ where: { id: e.id }, data: { platformVerdict: verdict, platformCode: verdict === "failed" ? code : null, platformDetails: `Marked by ${user.email}: ${note}`, verdictSource: "person", verdictAt: new Date() } });
      await tx.eventTransition.create({ data: { eventId: e.id, fromState: e.state, toState: e.state, actor: user.email, reason: `verdict marked by hand: ${code ?? verdict} — ${note}` } });
      await recordAudit(tx, user, { action: "event.mark_verdict", entityType: "event", entityId: e.id.toString(), before: { verdict: e.platformVerdict, code: e.platformCode, source: e.verdictSource }, after: { verdict, code }, note });
    }
    return { marked: events.length };
  });
}

/** Takes the platform's figure for one event: its log row's verdict replaces ours. */
export async function acceptPlatformVerdict(eventId: bigint, note: string, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const e = await tx.billingEvent.findUnique({ where: { id: eventId } });
    if (!e) throw new AppError("NOT_FOUND", "No such event.");
    const entry = await tx.platformLogEntry.findUnique({ where: { connectionId_idempotencyKey: { connectionId: e.connectionId, idempotencyKey: e.idempotencyKey } } });
    if (!entry) throw new AppError("CONFLICT", "The platform's log has no row for this event; import it first.");
    await tx.billingEvent.update({ where: { id: eventId }, data: { platformVerdict: entry.verdict, platformCode: entry.code, platformDetails: entry.details, verdictSource: entry.source, verdictAt: new Date() } });
    await tx.eventTransition.create({ data: { eventId, fromState: e.state, toState: e.state, actor: user.email, reason: `accepted the platform's verdict from ${SOURCE_LABEL[entry.source] ?? entry.source}: ${entry.code ?? entry.verdict} — ${note}` } });
    await recordAudit(tx, user, { action: "reconcile.accept_platform", entityType: "event", entityId: eventId.toString(), before: { verdict: e.platformVerdict, code: e.platformCode }, after: { verdict: entry.verdict, code: entry.code }, note });
    return { id: eventId.toString() };
  });
}

/** A correction is a new ledger entry pointing to the one it corrects; the original stays. */
export async function recordCorrection(eventId: bigint, input: { quantity?: string; verdict?: Verdict; code?: string | null; note: string }, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const e = await tx.billingEvent.findUnique({ where: { id: eventId }, include: { corrections: true } });
    if (!e) throw new AppError("NOT_FOUND", "No such event.");
    // Wix charges are worked out from usage rows as they stand; a correction there is not supported yet.
    if (e.kind !== "shopify_usage") throw new AppError("CONFLICT", "Only Shopify usage events can be corrected here; Wix charges are worked out from the usage as recorded.");
    if (e.corrections.length) throw new AppError("CONFLICT", `Event #${eventId} is already corrected by #${e.corrections.at(-1)!.id}; correct that one instead.`);
    const quantity = input.quantity !== undefined ? new Decimal(input.quantity) : e.quantity;
    const verdict = input.verdict ?? e.platformVerdict ?? e.predictedVerdict;
    const created = await tx.billingEvent.create({
      data: {
        connectionId: e.connectionId, platform: e.platform, kind: e.kind, shopId: e.shopId, wixInstanceId: e.wixInstanceId, handle: e.handle,
        quantity: quantity?.toFixed() ?? null, amount: e.amount, currency: e.currency, occurredAt: e.occurredAt,
        idempotencyKey: `corr_${e.id}`.slice(0, 64), payload: { correction_of: e.id.toString(), quantity: quantity?.toFixed() ?? null, verdict, code: input.code ?? null },
        source: "ui", createdById: user.id, predictedVerdict: verdict, predictedCode: input.code ?? null, predictedDetails: "Correction recorded by a person; not sent to the platform.",
        state: "accepted", platformVerdict: verdict, platformCode: verdict === "failed" ? input.code ?? null : null, platformDetails: input.note,
        verdictSource: "person", verdictAt: new Date(), correctsId: e.id, correctionNote: input.note,
      },
    });
    // The charts and totals now count the correction instead (the rollup trigger skips superseded entries).
    await tx.billingEvent.update({ where: { id: e.id }, data: { superseded: true } });
    await tx.eventTransition.create({ data: { eventId: e.id, fromState: e.state, toState: e.state, actor: user.email, reason: `corrected by #${created.id}: ${input.note}` } });
    await recordAudit(tx, user, { action: "event.correct", entityType: "event", entityId: e.id.toString(), before: { quantity: e.quantity?.toFixed() ?? null, verdict: e.platformVerdict }, after: { correction: created.id.toString(), quantity: quantity?.toFixed() ?? null, verdict }, note: input.note });
    return { id: created.id.toString() };
  });
}

/** Resends an event with its own key (Shopify replays a key it has, and records one it lacks). */
export async function resendEvent(eventId: bigint, note: string, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const e = await tx.billingEvent.findUnique({ where: { id: eventId } });
    if (!e) throw new AppError("NOT_FOUND", "No such event.");
    if (e.kind !== "shopify_usage") throw new AppError("CONFLICT", "Only Shopify events can be resent safely: Wix billing events have no idempotency key.");
    if (!["accepted", "failed"].includes(e.state)) throw new AppError("CONFLICT", `Event #${eventId} is ${e.state}; it will be sent anyway.`);
    await moveToQueue(tx, eventId, e.state, user.email, `resent with the same key: ${note}`);
    await recordAudit(tx, user, { action: "reconcile.resend", entityType: "event", entityId: eventId.toString(), before: { state: e.state }, after: { state: "queued" }, note });
    return { id: eventId.toString() };
  });
}

/** Closes a shop's cycle as reconciled, keeping the figures as they stand. */
export async function closeCycle(connectionId: string, shopId: string, note: string, user: SessionUser) {
  const { cycles } = await shopifyReconciliation(connectionId);
  const cycle = cycles.find((c) => c.shop.id === shopId);
  if (!cycle) throw new AppError("NOT_FOUND", "No current cycle for this shop.");
  const data = { snapshot: cycle.snapshot as object, fingerprint: cycle.fingerprint, note, closedById: user.id, closedAt: new Date(), cycleEnd: cycle.cycleEnd };
  return db().$transaction(async (tx) => {
    const row = await tx.reconciliationClose.upsert({
      where: { connectionId_subjectId_cycleStart: { connectionId, subjectId: shopId, cycleStart: cycle.cycleStart } },
      update: data,
      create: { connectionId, subjectId: shopId, cycleStart: cycle.cycleStart, ...data },
    });
    await recordAudit(tx, user, { action: "reconcile.close_cycle", entityType: "shop", entityId: shopId, after: { cycleStart: cycle.cycleStart, balanced: cycle.balanced, snapshot: cycle.snapshot }, note });
    return { id: row.id };
  });
}
