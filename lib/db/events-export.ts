import { beforeCursorSql, eventFilterSql, type EventCursor, type EventFilter } from "./event-filter-sql";
import { db } from "./client";

/**
 * The explorer's filtered events for CSV export, newest first, in keyset batches: memory stays
 * constant however many rows match. Decimals come as Postgres text (exact, no float on the way).
 */
export const EXPORT_COLUMNS = [
  "id",
  "occurred_at",
  "connection",
  "platform",
  "kind",
  "shop_or_instance",
  "handle",
  "quantity",
  "amount",
  "currency",
  "idempotency_key",
  "source",
  "predicted_verdict",
  "predicted_code",
  "state",
  "attempt_count",
  "platform_verdict",
  "platform_code",
  "verdict_at",
  "corrects_id",
  "created_at",
] as const;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | null> & { _occurred: Date };

export async function* exportEventBatches(filter: EventFilter, batchSize = 2000): AsyncGenerator<ExportRow[]> {
  let cursor: EventCursor | null = null;
  for (;;) {
    const rows: ExportRow[] = await db().$queryRaw<ExportRow[]>`
      SELECT e.id::text AS id, e.occurred_at AS "_occurred",
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
        c.name AS connection, e.platform::text AS platform, e.kind::text AS kind,
        COALESCE(s.domain, w.site_name) AS shop_or_instance, e.handle,
        trim_scale(e.quantity)::text AS quantity, trim_scale(e.amount)::text AS amount, e.currency::text AS currency,
        e.idempotency_key, e.source::text AS source, e.predicted_verdict::text AS predicted_verdict, e.predicted_code,
        e.state::text AS state, e.attempt_count::text AS attempt_count, e.platform_verdict::text AS platform_verdict, e.platform_code,
        to_char(e.verdict_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS verdict_at, e.corrects_id::text AS corrects_id,
        to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
      FROM (
        SELECT * FROM billing_events e WHERE ${eventFilterSql(filter)} AND ${beforeCursorSql(cursor)}
        ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${batchSize}
      ) e
      JOIN connections c ON c.id = e.connection_id
      LEFT JOIN shops s ON s.id = e.shop_id
      LEFT JOIN wix_instances w ON w.id = e.wix_instance_id
      ORDER BY e.occurred_at DESC, e.id DESC`;
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    const last = rows.at(-1)!;
    cursor = { occurredAt: last._occurred, id: BigInt(last.id!) };
  }
}
