import { db } from "../../db/client";
import { fetchSandboxLogPage } from "../../platforms/sandbox-control";
import { shopifyLogRow } from "../../platforms/shopify/schemas";
import { toLedgerVerdict } from "../../platforms/shopify/to-ledger";

/**
 * Verdicts from the platform. Shopify shows billing verdicts only in its Dev Dashboard log; the
 * sandbox serves that log as an API, so for sandbox connections the worker reads it and records
 * each event's final verdict on its ledger entry. The read position is kept per connection, and
 * only moves past a page once every row on it has its verdict.
 */
export async function collectSandboxVerdicts(worker: string, maxPages = 20): Promise<number> {
  const connections = await db().connection.findMany({ where: { platform: "shopify", environment: "sandbox", disabledAt: null } });
  let recorded = 0;
  for (const c of connections) {
    const waiting = await db().billingEvent.count({ where: { connectionId: c.id, state: "accepted", platformVerdict: null } });
    if (!waiting) continue;
    let cursor = c.verdictCursor;
    for (let page = 0; page < maxPages; page++) {
      const body = await fetchSandboxLogPage(c, cursor);
      const rows = body.rows.map((r) => shopifyLogRow.parse(r));
      const firstPending = rows.findIndex((r) => r.billable === null || r.billable === undefined);
      const final = firstPending === -1 ? rows : rows.slice(0, firstPending);
      recorded += await recordVerdicts(
        worker,
        c.id,
        final.map((r) => ({ key: r.idempotency_key, ...toLedgerVerdict(r) })),
      );
      if (firstPending !== -1 || !body.next_cursor) break;
      cursor = body.next_cursor;
      await db().$executeRaw`UPDATE connections SET verdict_cursor = ${cursor} WHERE id = ${c.id}::uuid`;
    }
  }
  return recorded;
}

type VerdictRow = { key: string; verdict: string; code: string | null; details: string | null };

/** Sets the platform's verdict on events that have none yet, and records the transition. */
export async function recordVerdicts(actor: string, connectionId: string, verdicts: VerdictRow[], source = "sandbox_log"): Promise<number> {
  if (!verdicts.length) return 0;
  const rows = await db().$queryRaw<{ n: bigint }[]>`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(verdicts)}::jsonb) AS x(key text, verdict text, code text, details text)
    ), updated AS (
      UPDATE billing_events e SET platform_verdict = v.verdict::"Verdict", platform_code = v.code, platform_details = v.details,
        verdict_source = ${source}::"VerdictSource", verdict_at = now(), updated_at = now()
      FROM v WHERE e.connection_id = ${connectionId}::uuid AND e.idempotency_key = v.key AND e.platform_verdict IS NULL
      RETURNING e.id, e.state, v.verdict, v.code
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, state::text, state::text, ${actor}, 'verdict: ' || COALESCE(code, verdict) || ' (' || ${source} || ')' FROM updated
    )
    SELECT count(*) AS n FROM updated`;
  return Number(rows[0]?.n ?? 0);
}
