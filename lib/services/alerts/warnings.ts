import { randomUUID } from "node:crypto";
import { db } from "../../db/client";
import { authFailures, errorSpikes, pendingNearCycleEnd, quietMeters, uninstalledWithUndelivered, type Warning } from "../../domain/warnings";

/**
 * Gathers the figures behind the warnings (a few grouped queries) and raises each warning as an
 * alert once (its dedupe key), queued for the connection's webhook when one is configured.
 * The worker runs this every minute.
 */
const UNDELIVERED = `('received', 'held', 'queued', 'sending', 'retrying', 'outcome_unknown')`;

export async function gatherWarnings(now = new Date()): Promise<Warning[]> {
  const [cycleShops, uninstalled, connections, rates, meters] = await Promise.all([
    db().$queryRawUnsafe<{ id: string; domain: string; connectionId: string; cycleEnd: Date; pending: bigint }[]>(
      `SELECT s.id::text, s.domain, s.connection_id::text AS "connectionId", s.cycle_end AS "cycleEnd", count(e.id) AS pending
       FROM shops s JOIN billing_events e ON e.shop_id = s.id AND e.state IN ${UNDELIVERED} AND e.occurred_at >= s.cycle_start AND e.occurred_at < s.cycle_end
       WHERE s.cycle_end > $1::timestamptz AND s.cycle_end <= $1::timestamptz + interval '24 hours' GROUP BY s.id`,
      now,
    ),
    db().$queryRawUnsafe<{ id: string; domain: string; connectionId: string; uninstalledAt: Date; pending: bigint }[]>(
      `SELECT s.id::text, s.domain, s.connection_id::text AS "connectionId", s.uninstalled_at AS "uninstalledAt", count(e.id) AS pending
       FROM shops s JOIN billing_events e ON e.shop_id = s.id AND e.state IN ${UNDELIVERED}
       WHERE s.install_state = 'uninstalled' AND s.uninstalled_at >= $1::timestamptz - interval '24 hours' GROUP BY s.id`,
      now,
    ),
    db().connection.findMany({ select: { id: true, name: true, lastAuthErrorAt: true, lastSendAt: true, lastSendError: true } }),
    db().$queryRawUnsafe<{ connectionId: string; name: string; hourTotal: bigint; hourFailed: bigint; dayTotal: bigint; dayFailed: bigint }[]>(
      `SELECT c.id::text AS "connectionId", c.name,
         count(*) FILTER (WHERE e.occurred_at >= $1::timestamptz - interval '1 hour') AS "hourTotal",
         count(*) FILTER (WHERE e.occurred_at >= $1::timestamptz - interval '1 hour' AND (e.state = 'failed' OR e.platform_verdict = 'failed')) AS "hourFailed",
         count(*) FILTER (WHERE e.occurred_at < $1::timestamptz - interval '1 hour') AS "dayTotal",
         count(*) FILTER (WHERE e.occurred_at < $1::timestamptz - interval '1 hour' AND (e.state = 'failed' OR e.platform_verdict = 'failed')) AS "dayFailed"
       FROM billing_events e JOIN connections c ON c.id = e.connection_id
       WHERE e.occurred_at >= $1::timestamptz - interval '25 hours' AND e.occurred_at < $1::timestamptz + interval '5 minutes' GROUP BY c.id, c.name`,
      now,
    ),
    db().$queryRawUnsafe<{ connectionId: string; name: string; handle: string; activeDays: bigint; last24h: bigint; lastAt: Date | null }[]>(
      `SELECT c.id::text AS "connectionId", c.name, e.handle,
         count(DISTINCT date_trunc('day', e.occurred_at)) FILTER (WHERE e.occurred_at < $1::timestamptz - interval '24 hours') AS "activeDays",
         count(*) FILTER (WHERE e.occurred_at >= $1::timestamptz - interval '24 hours') AS "last24h", max(e.occurred_at) AS "lastAt"
       FROM billing_events e JOIN connections c ON c.id = e.connection_id
       WHERE e.occurred_at >= $1::timestamptz - interval '8 days' AND e.occurred_at < $1::timestamptz + interval '5 minutes' AND e.predicted_verdict = 'billable'
       GROUP BY c.id, c.name, e.handle`,
      now,
    ),
  ]);
  const n = (x: bigint) => Number(x);
  return [
    ...pendingNearCycleEnd(
      cycleShops.map((s) => ({ ...s, pending: n(s.pending) })),
      now,
    ),
    ...uninstalledWithUndelivered(
      uninstalled.map((s) => ({ ...s, pending: n(s.pending) })),
      now,
    ),
    ...authFailures(connections),
    ...errorSpikes(
      rates.map((r) => ({ ...r, hourTotal: n(r.hourTotal), hourFailed: n(r.hourFailed), dayTotal: n(r.dayTotal), dayFailed: n(r.dayFailed) })),
      now,
    ),
    ...quietMeters(
      meters.map((m) => ({ ...m, activeDays: n(m.activeDays), last24h: n(m.last24h) })),
      now,
    ),
  ];
}

/** Raises each warning once; returns the ones that are new. */
async function raiseWarnings(warnings: Warning[]): Promise<Warning[]> {
  const raised: Warning[] = [];
  for (const w of warnings) {
    const rows = await db().$queryRaw<{ id: string }[]>`
      INSERT INTO alerts (id, kind, severity, connection_id, subject_type, subject_id, title, message, details, dedupe_key, webhook_status)
      SELECT ${randomUUID()}::uuid, ${w.kind}, ${w.severity}::"AlertSeverity", ${w.connectionId}::uuid, ${w.subjectType}, ${w.subjectId}, ${w.title}, ${w.message},
        ${JSON.stringify(w.details)}::jsonb, ${w.dedupeKey},
        (CASE WHEN c.alert_webhook_url IS NULL THEN 'not_configured' ELSE 'pending' END)::"AlertWebhookStatus"
      FROM connections c WHERE c.id = ${w.connectionId}::uuid
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id::text`;
    if (rows.length) raised.push(w);
  }
  return raised;
}

export async function evaluateWarnings(now = new Date()) {
  return raiseWarnings(await gatherWarnings(now));
}
