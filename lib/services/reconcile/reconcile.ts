import type { SessionUser } from "../../auth/auth";
import { recordAudit } from "../../audit";
import { db, Prisma, type Tx } from "../../db/client";
import { Decimal } from "../../domain/money";
import { AppError } from "../../errors";
import type { Connection } from "../../generated/prisma/client";
import type { Verdict, VerdictSource } from "../../generated/prisma/enums";
import { fetchSandboxLogPage } from "../../platforms/sandbox-control";
import { shopifyLogRow } from "../../platforms/shopify/schemas";
import { toLedgerVerdict } from "../../platforms/shopify/to-ledger";
import { VERDICT_SOURCE_LABEL } from "../../domain/reconcile";
import { parseDevDashboardLog, LogFileError, type DevDashboardRow } from "../../domain/dev-dashboard-log";
import { recordVerdicts } from "../delivery/verdicts";
import { moveToQueue } from "../delivery/event-actions";
import { reconcileConnection } from "./detect";

/**
 * Reconciliation's inputs and the event-level resolutions: the platform's log (the sandbox's,
 * or an imported Dev Dashboard file), stored and then reconciled (reconcile-detect.ts); and what
 * a person does about a difference (reconcile-resolve.ts calls these inside its transaction).
 */
/** One read of the log: the moment it reflects (as of) and its rows. */
type LogRead = { asOf: Date; rows: DevDashboardRow[] };

/** A stored row (l) that the read's row (EXCLUDED) contradicts: verdict, code, or a quantity both give. */
const changed = Prisma.sql`(l.verdict IS DISTINCT FROM EXCLUDED.verdict OR l.code IS DISTINCT FROM EXCLUDED.code
  OR (l.quantity IS NOT NULL AND EXCLUDED.quantity IS NOT NULL AND l.quantity <> EXCLUDED.quantity))`;

/** The earliest and latest row times (a log has up to hundreds of thousands of rows: no spread). */
function rowTimes(rows: readonly DevDashboardRow[]) {
  let from: Date | null = null,
    to: Date | null = null;
  for (const { timestamp: t } of rows) {
    if (!t) continue;
    if (!from || t < from) from = t;
    if (!to || t > to) to = t;
  }
  return { from, to };
}

async function storeEntries(connectionId: string, read: LogRead, source: VerdictSource, actor: string) {
  const { rows } = read;
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000).map((r) => ({ ...r, timestamp: r.timestamp?.toISOString() ?? null }));
    // A row that says something else than the stored one (verdict, code, or a quantity both give) is a
    // change at the platform, kept with what it said before and from where; one that restates it is not.
    await db().$executeRaw`
      INSERT INTO platform_log_entries AS l (connection_id, idempotency_key, handle, shop_ref, occurred_at, quantity, verdict, code, details, source, imported_by)
      SELECT ${connectionId}::uuid, x."idempotencyKey", x.handle, x.shop, x.timestamp::timestamptz, x.quantity::numeric, x.verdict::"Verdict", x.code, x.details, ${source}::"VerdictSource", ${actor}
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS x("idempotencyKey" text, handle text, shop text, timestamp text, quantity text, verdict text, code text, details text)
      ON CONFLICT (connection_id, idempotency_key) DO UPDATE SET handle = EXCLUDED.handle, shop_ref = EXCLUDED.shop_ref, occurred_at = EXCLUDED.occurred_at,
        quantity = COALESCE(EXCLUDED.quantity, l.quantity), verdict = EXCLUDED.verdict, code = EXCLUDED.code, details = EXCLUDED.details, source = EXCLUDED.source,
        imported_at = now(), imported_by = EXCLUDED.imported_by,
        changed_at = CASE WHEN ${changed} THEN now() ELSE l.changed_at END,
        prior_verdict = CASE WHEN ${changed} THEN l.verdict::text || COALESCE(' ' || l.code, '') || COALESCE(' × ' || trim_scale(l.quantity)::text, '') ELSE l.prior_verdict END,
        prior_source = CASE WHEN ${changed} THEN l.source ELSE l.prior_source END`;
  }
  // The read counts even when it had no rows: "read, nothing there" is not "never read".
  const { from, to } = rowTimes(rows);
  await db().platformLogRead.create({
    data: {
      connectionId,
      source,
      asOf: read.asOf,
      rowsFrom: from,
      rowsTo: to,
      rowCount: rows.length,
      readBy: actor,
    },
  });
  // Events still waiting for a verdict take the platform's.
  const applied = await recordVerdicts(
    actor,
    connectionId,
    rows.map((r) => ({ key: r.idempotencyKey, verdict: r.verdict, code: r.code, details: r.details })),
    source,
  );
  return { imported: rows.length, verdictsApplied: applied };
}

/** The sandbox's whole Dev Dashboard log for the app, stored (the worker's pull and "Import" share it), as of when the read began. */
export async function pullSandboxLog(c: Connection, actor: string) {
  if (c.environment !== "sandbox" || c.platform !== "shopify")
    throw new AppError("CONFLICT", "Only sandbox Shopify connections have a log to read; import a file for live ones.");
  const asOf = new Date();
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
        idempotencyKey: r.idempotency_key,
        handle: r.event_handle,
        shop: extra.shop_id ?? r.shop ?? null,
        timestamp: r.timestamp ? new Date(r.timestamp) : null,
        quantity: extra.value === null || extra.value === undefined ? null : String(extra.value),
        verdict: v.verdict,
        code: v.code,
        details: v.details,
      });
    }
    after = page.next_cursor;
  } while (after);
  return storeEntries(c.id, { asOf, rows }, "sandbox_log", actor);
}

/** "Import the sandbox's log": stored, then the connection reconciled. */
export async function importSandboxLog(connectionId: string, user: SessionUser) {
  const c = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  const result = await pullSandboxLog(c, user.email);
  await reconcileConnection(c.id, user.email);
  await db().$transaction((tx) => recordAudit(tx, user, { action: "reconcile.import_sandbox_log", entityType: "connection", entityId: c.id, after: result }));
  return result;
}

/**
 * A Dev Dashboard log file (CSV or JSON) for a live app: all of it, or nothing. It is compared as
 * of its export (exported_at), else its latest row's time, never the upload: what was sent
 * between the export and the import is in flight, not missing at the platform.
 */
export async function importLogFile(connectionId: string, text: string, format: "csv" | "json", user: SessionUser, now = new Date()) {
  const c = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  if (c.platform !== "shopify") throw new AppError("CONFLICT", "Dev Dashboard logs are Shopify's.");
  const refuse = (reason: string) => new AppError("INVALID_INPUT", `The file was refused and nothing was imported: ${reason}.`, { file: [reason] });
  let file: ReturnType<typeof parseDevDashboardLog>;
  try {
    file = parseDevDashboardLog(text, format);
  } catch (err) {
    if (err instanceof LogFileError) throw refuse(err.message);
    throw err;
  }
  const lastRow = rowTimes(file.rows).to;
  const latest = Math.max(file.exportedAt?.getTime() ?? -Infinity, lastRow?.getTime() ?? -Infinity);
  if (!Number.isFinite(latest)) throw refuse("no row has a timestamp and the file does not say when it was exported (exported_at)");
  // A clock ahead of ours does not date the file in the future.
  const asOf = new Date(Math.min(latest, now.getTime()));
  const result = await storeEntries(c.id, { asOf, rows: file.rows }, "imported_file", user.email);
  await reconcileConnection(c.id, user.email);
  await db().$transaction((tx) =>
    recordAudit(tx, user, { action: "reconcile.import_file", entityType: "connection", entityId: c.id, after: { format, asOf, ...result } }),
  );
  return { ...result, asOf: asOf.toISOString() };
}

/** A person records the platform's verdict on events by hand, with a note. */
export async function markVerdicts(eventIds: bigint[], verdict: Verdict, code: string | null, note: string, user: SessionUser) {
  if (verdict === "failed" && !code) throw new AppError("INVALID_INPUT", "Say which code the platform gave.", { code: ["Required for a failed verdict."] });
  return db().$transaction(async (tx) => {
    const events = await tx.billingEvent.findMany({ where: { id: { in: eventIds } } });
    if (events.length !== eventIds.length) throw new AppError("NOT_FOUND", "Some of the selected events do not exist.");
    for (const e of events) {
      await tx.billingEvent.update({
        where: { id: e.id },
        data: {
          platformVerdict: verdict,
          platformCode: verdict === "failed" ? code : null,
          platformDetails: `Marked by ${user.email}: ${note}`,
          verdictSource: "person",
          verdictAt: new Date(),
        },
      });
      await tx.eventTransition.create({
        data: { eventId: e.id, fromState: e.state, toState: e.state, actor: user.email, reason: `verdict marked by hand: ${code ?? verdict} — ${note}` },
      });
      await recordAudit(tx, user, {
        action: "event.mark_verdict",
        entityType: "event",
        entityId: e.id.toString(),
        before: { verdict: e.platformVerdict, code: e.platformCode, source: e.verdictSource },
        after: { verdict, code },
        note,
      });
    }
    return { marked: events.length };
  });
}

/** Takes the platform's figure for one event: its log row's verdict replaces ours. */
export async function acceptPlatformVerdict(tx: Tx, eventId: bigint, note: string, user: SessionUser) {
  {
    const e = await tx.billingEvent.findUnique({ where: { id: eventId } });
    if (!e) throw new AppError("NOT_FOUND", "No such event.");
    const entry = await tx.platformLogEntry.findUnique({
      where: { connectionId_idempotencyKey: { connectionId: e.connectionId, idempotencyKey: e.idempotencyKey } },
    });
    if (!entry) throw new AppError("CONFLICT", "The platform's log has no row for this event; import it first.");
    await tx.billingEvent.update({
      where: { id: eventId },
      data: { platformVerdict: entry.verdict, platformCode: entry.code, platformDetails: entry.details, verdictSource: entry.source, verdictAt: new Date() },
    });
    await tx.eventTransition.create({
      data: {
        eventId,
        fromState: e.state,
        toState: e.state,
        actor: user.email,
        reason: `accepted the platform's verdict from ${VERDICT_SOURCE_LABEL[entry.source] ?? entry.source}: ${entry.code ?? entry.verdict} — ${note}`,
      },
    });
    await recordAudit(tx, user, {
      action: "event.accept_platform_verdict",
      entityType: "event",
      entityId: eventId.toString(),
      before: { verdict: e.platformVerdict, code: e.platformCode, source: e.verdictSource },
      after: { verdict: entry.verdict, code: entry.code, source: entry.source },
      note,
    });
    return { verdict: entry.verdict, code: entry.code };
  }
}

/** A correction is a new ledger entry pointing to the one it corrects; the original stays. */
export async function recordCorrection(
  eventId: bigint,
  input: { quantity?: string; verdict?: Verdict; code?: string | null; note: string },
  user: SessionUser,
) {
  return db().$transaction((tx) => correctEvent(tx, eventId, input, user));
}

export async function correctEvent(
  tx: Tx,
  eventId: bigint,
  input: { quantity?: string; verdict?: Verdict; code?: string | null; note: string },
  user: SessionUser,
) {
  {
    const e = await tx.billingEvent.findUnique({ where: { id: eventId }, include: { corrections: true } });
    if (!e) throw new AppError("NOT_FOUND", "No such event.");
    // Wix charges are worked out from usage rows as they stand; a correction there is not supported yet.
    if (e.kind !== "shopify_usage")
      throw new AppError("CONFLICT", "Only Shopify usage events can be corrected here; Wix charges are worked out from the usage as recorded.");
    if (e.corrections.length)
      throw new AppError("CONFLICT", `Event #${eventId} is already corrected by #${e.corrections.at(-1)!.id}; correct that one instead.`);
    const quantity = input.quantity !== undefined ? new Decimal(input.quantity) : e.quantity;
    const verdict = input.verdict ?? e.platformVerdict ?? e.predictedVerdict;
    const created = await tx.billingEvent.create({
      data: {
        connectionId: e.connectionId,
        platform: e.platform,
        kind: e.kind,
        shopId: e.shopId,
        wixInstanceId: e.wixInstanceId,
        handle: e.handle,
        quantity: quantity?.toFixed() ?? null,
        amount: e.amount,
        currency: e.currency,
        occurredAt: e.occurredAt,
        idempotencyKey: `corr_${e.id}`.slice(0, 64),
        payload: { correction_of: e.id.toString(), quantity: quantity?.toFixed() ?? null, verdict, code: input.code ?? null },
        source: "ui",
        createdById: user.id,
        predictedVerdict: verdict,
        predictedCode: input.code ?? null,
        predictedDetails: "Correction recorded by a person; not sent to the platform.",
        state: "accepted",
        platformVerdict: verdict,
        platformCode: verdict === "failed" ? (input.code ?? null) : null,
        platformDetails: input.note,
        verdictSource: "person",
        verdictAt: new Date(),
        correctsId: e.id,
        correctionNote: input.note,
        // It restates an event the platform already had: compared as of when that one was accepted.
        acceptedAt: e.acceptedAt,
      },
    });
    // The charts and totals now count the correction instead (the rollup trigger skips superseded entries).
    await tx.billingEvent.update({ where: { id: e.id }, data: { superseded: true } });
    await tx.eventTransition.create({
      data: { eventId: e.id, fromState: e.state, toState: e.state, actor: user.email, reason: `corrected by #${created.id}: ${input.note}` },
    });
    await recordAudit(tx, user, {
      action: "event.correct",
      entityType: "event",
      entityId: e.id.toString(),
      before: { quantity: e.quantity?.toFixed() ?? null, verdict: e.platformVerdict },
      after: { correction: created.id.toString(), quantity: quantity?.toFixed() ?? null, verdict },
      note: input.note,
    });
    return { id: created.id.toString() };
  }
}

/** Resends an event with its own key (Shopify replays a key it has, and records one it lacks). */
export async function resendEvent(eventId: bigint, note: string, user: SessionUser) {
  return db().$transaction((tx) => resendInTx(tx, eventId, note, user));
}

export async function resendInTx(tx: Tx, eventId: bigint, note: string, user: SessionUser) {
  {
    const e = await tx.billingEvent.findUnique({ where: { id: eventId } });
    if (!e) throw new AppError("NOT_FOUND", "No such event.");
    if (e.kind !== "shopify_usage") throw new AppError("CONFLICT", "Only Shopify events can be resent safely: Wix billing events have no idempotency key.");
    if (!["accepted", "failed"].includes(e.state)) throw new AppError("CONFLICT", `Event #${eventId} is ${e.state}; it will be sent anyway.`);
    await moveToQueue(tx, eventId, e.state, user.email, `resent with the same key: ${note}`);
    await recordAudit(tx, user, {
      action: "reconcile.resend",
      entityType: "event",
      entityId: eventId.toString(),
      before: { state: e.state },
      after: { state: "queued" },
      note,
    });
    return { id: eventId.toString() };
  }
}
