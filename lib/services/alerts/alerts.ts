import type { SessionUser } from "../../auth/auth";
import { recordAudit } from "../../audit";
import { db, Prisma } from "../../db/client";
import type { AlertDraft } from "../../domain/wix-limit-alerts";
import { env } from "../../env";
import { AppError } from "../../errors";
import { logger } from "../../logger";

/**
 * Alerts for people: raised idempotently (the dedupe key), shown in the app and, when the
 * connection has an alert webhook URL, POSTed there as JSON. Delivery never holds up whoever
 * raised the alert: it runs afterwards, with a timeout, and its outcome is recorded on the alert;
 * a failed delivery is tried again with backoff, up to MAX_ATTEMPTS.
 */
export type AlertSubject = { connectionId: string | null; subjectType: string; subjectId: string };

const MAX_ATTEMPTS = 5;
const TIMEOUT_MS = 5000;
const BACKOFF_MS = 30_000;
/** A delivery still "sending" after this was cut short (the process died): it is sent again. */
const STALE_SENDING_MS = 60_000;

/** Inserts the alerts that do not exist yet; returns the new ones' ids. */
export async function raiseAlerts(drafts: AlertDraft[], subject: AlertSubject): Promise<string[]> {
  if (!drafts.length) return [];
  const webhook = subject.connectionId
    ? (await db().connection.findUnique({ where: { id: subject.connectionId }, select: { alertWebhookUrl: true } }))?.alertWebhookUrl
    : null;
  const created = await db().alert.createManyAndReturn({
    data: drafts.map((d) => ({
      kind: d.kind,
      severity: d.severity,
      dedupeKey: d.dedupeKey,
      title: d.title,
      message: d.message,
      details: d.details as Prisma.InputJsonValue,
      connectionId: subject.connectionId,
      subjectType: subject.subjectType,
      subjectId: subject.subjectId,
      webhookStatus: webhook ? "pending" : "not_configured",
    })),
    skipDuplicates: true,
    select: { id: true, kind: true, subjectId: true },
  });
  for (const a of created) logger.info({ alert: a.id, kind: a.kind, subject: a.subjectId }, "alert raised");
  return created.map((a) => a.id);
}

type Claimed = {
  id: string;
  kind: string;
  severity: string;
  title: string;
  message: string;
  details: unknown;
  subject_type: string;
  subject_id: string;
  created_at: Date;
  webhook_attempts: number;
  connection_id: string | null;
  connection_name: string | null;
  url: string | null;
};

/**
 * Sends the webhooks that are due (new, or failed and past their backoff). Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so several processes never send the same alert at once.
 */
export async function deliverAlertWebhooks({
  now = new Date(),
  limit = 20,
  fetchImpl = globalThis.fetch,
}: { now?: Date; limit?: number; fetchImpl?: typeof fetch } = {}) {
  const claimed = await db().$queryRaw<Claimed[]>`
    WITH due AS (
      SELECT a.id FROM alerts a
      WHERE (a.webhook_status IN ('pending', 'failed') AND a.webhook_attempts < ${MAX_ATTEMPTS} AND (a.webhook_next_attempt_at IS NULL OR a.webhook_next_attempt_at <= ${now}))
         OR (a.webhook_status = 'sending' AND a.webhook_last_attempt_at < ${new Date(now.getTime() - STALE_SENDING_MS)} AND a.webhook_attempts < ${MAX_ATTEMPTS})
      ORDER BY a.created_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE alerts a SET webhook_status = 'sending', webhook_attempts = a.webhook_attempts + 1, webhook_last_attempt_at = ${now}
    FROM due
    WHERE a.id = due.id
    RETURNING a.id, a.kind, a.severity::text AS severity, a.title, a.message, a.details, a.subject_type, a.subject_id, a.created_at,
      a.webhook_attempts, a.connection_id::text AS connection_id,
      (SELECT c.name FROM connections c WHERE c.id = a.connection_id) AS connection_name,
      (SELECT c.alert_webhook_url FROM connections c WHERE c.id = a.connection_id) AS url`;
  let delivered = 0;
  await Promise.all(
    claimed.map(async (alert) => {
      const outcome = alert.url
        ? await post(alert, alert.url, fetchImpl)
        : { ok: false, status: null, error: "the connection no longer has an alert webhook URL" };
      const final = !outcome.ok && (alert.webhook_attempts >= MAX_ATTEMPTS || !alert.url);
      if (outcome.ok) delivered++;
      await db().alert.update({
        where: { id: alert.id },
        data: outcome.ok
          ? {
              webhookStatus: "delivered",
              webhookDeliveredAt: new Date(),
              webhookLastStatus: outcome.status,
              webhookLastError: null,
              webhookNextAttemptAt: null,
            }
          : {
              webhookStatus: "failed",
              webhookLastStatus: outcome.status,
              webhookLastError: outcome.error,
              webhookNextAttemptAt: final ? null : new Date(now.getTime() + BACKOFF_MS * 2 ** (alert.webhook_attempts - 1)),
              ...(final && { webhookAttempts: MAX_ATTEMPTS }),
            },
      });
      if (!outcome.ok) logger.warn({ alert: alert.id, status: outcome.status, error: outcome.error, final }, "alert webhook failed");
    }),
  );
  return { attempted: claimed.length, delivered };
}

async function post(alert: Claimed, url: string, fetchImpl: typeof fetch): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  const body = {
    id: alert.id,
    kind: alert.kind,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    subject: { type: alert.subject_type, id: alert.subject_id },
    connection: alert.connection_id ? { id: alert.connection_id, name: alert.connection_name } : null,
    details: alert.details,
    createdAt: alert.created_at.toISOString(),
    url:
      alert.subject_type === "wix_instance"
        ? `${env().APP_URL.replace(/\/+$/, "")}/shops/wix/${alert.subject_id}`
        : `${env().APP_URL.replace(/\/+$/, "")}/alerts`,
  };
  try {
    const res = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "billing-control-room-alerts/1", "x-alert-id": alert.id },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "manual",
    });
    await res.body?.cancel().catch(() => {});
    return res.ok ? { ok: true, status: res.status, error: null } : { ok: false, status: res.status, error: `the webhook answered HTTP ${res.status}` };
  } catch (err) {
    const timeout = (err as Error).name === "TimeoutError" || (err as Error).name === "AbortError";
    return { ok: false, status: null, error: timeout ? `no answer within ${TIMEOUT_MS / 1000} s` : `could not reach the webhook: ${(err as Error).message}` };
  }
}

/** An operator acknowledges an alert: it leaves the open list; the audit log says who and why. */
export async function acknowledgeAlert(id: string, user: SessionUser, note?: string) {
  return db().$transaction(async (tx) => {
    const alert = await tx.alert.findUnique({ where: { id } });
    if (!alert) throw new AppError("NOT_FOUND", "No such alert.");
    if (alert.acknowledgedAt) throw new AppError("CONFLICT", "This alert was already acknowledged.");
    const at = new Date();
    const moved = await tx.alert.updateMany({ where: { id, acknowledgedAt: null }, data: { acknowledgedAt: at, acknowledgedById: user.id } });
    if (moved.count !== 1) throw new AppError("CONFLICT", "This alert changed meanwhile; reload the page.");
    await recordAudit(tx, user, {
      action: "alert.acknowledge",
      entityType: "alert",
      entityId: id,
      before: { acknowledgedAt: null },
      after: { acknowledgedAt: at.toISOString(), kind: alert.kind, subject: `${alert.subjectType}:${alert.subjectId}` },
      note,
    });
    return { id };
  });
}

/** The URL a connection's alerts are POSTed to (empty: none). Secrets in the URL stay out of the audit log. */
export async function setAlertWebhook(input: { connectionId: string; alertWebhookUrl?: string }, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const before = await tx.connection.findUnique({ where: { id: input.connectionId }, select: { id: true, name: true, alertWebhookUrl: true } });
    if (!before) throw new AppError("NOT_FOUND", "No such connection.");
    const url = input.alertWebhookUrl ?? null;
    await tx.connection.update({ where: { id: before.id }, data: { alertWebhookUrl: url } });
    await recordAudit(tx, user, {
      action: "connection.alert_webhook",
      entityType: "connection",
      entityId: before.id,
      before: { alertWebhookUrl: redactUrl(before.alertWebhookUrl) },
      after: { alertWebhookUrl: redactUrl(url) },
      note: before.name,
    });
    return { alertWebhookUrl: url };
  });
}

/** Scheme, host and path only: tokens in the query string or user info are not kept. */
export function redactUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}
