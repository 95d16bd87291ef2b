import type { DeliveryState, EventSource, Platform, Verdict } from "../generated/prisma/enums";
import { Prisma } from "./client";

/**
 * The explorer's filters as SQL over billing_events, written so each filter can use its index
 * (see the explorer_indexes migration): enum values are validated upstream and written as literals
 * so Postgres can match the partial indexes' predicates; the rest are parameters.
 *
 * `outcome` and `code` mean what the charts mean (the rollup's outcome and code): outcome failed =
 * a failed delivery or a failed verdict; code DELIVERY_FAILED = a failed delivery without a
 * platform code; an entry superseded by a correction is left out (its correction counts).
 * `q` matches idempotency keys by prefix (through the unique key index, per connection).
 */
export type EventFilter = {
  platform?: Platform;
  connectionId?: string;
  shopId?: string;
  wixInstanceId?: string;
  handle?: string;
  state?: DeliveryState;
  predicted?: Verdict;
  /** Platform verdict; "pending" = none yet. */
  verdict?: Verdict | "pending";
  outcome?: Verdict | "pending";
  code?: string;
  source?: EventSource;
  from?: Date;
  to?: Date;
  q?: string;
};

export type EventCursor = { occurredAt: Date; id: bigint };

const PLATFORMS = ["shopify", "wix"];
const STATES = ["received", "held", "queued", "sending", "accepted", "retrying", "failed", "outcome_unknown"];
const VERDICTS = ["billable", "non_billable", "failed"];
const SOURCES = ["ui", "api", "import", "scenario"];

/** A validated enum value as a SQL literal; anything unexpected throws rather than reaching SQL. */
function literal(value: string, allowed: string[]): Prisma.Sql {
  if (!allowed.includes(value)) throw new Error(`unexpected filter value ${value}`);
  return Prisma.raw(`'${value}'`);
}

export function eventFilterSql(f: EventFilter, alias = "e"): Prisma.Sql {
  const c = (column: string) => Prisma.raw(`${alias}.${column}`);
  const parts: Prisma.Sql[] = [];
  if (f.platform) parts.push(Prisma.sql`${c("platform")} = ${literal(f.platform, PLATFORMS)}`);
  if (f.connectionId) parts.push(Prisma.sql`${c("connection_id")} = ${f.connectionId}::uuid`);
  if (f.shopId) parts.push(Prisma.sql`${c("shop_id")} = ${f.shopId}::uuid`);
  if (f.wixInstanceId) parts.push(Prisma.sql`${c("wix_instance_id")} = ${f.wixInstanceId}::uuid`);
  if (f.handle) parts.push(Prisma.sql`${c("handle")} = ${f.handle} AND ${c("handle")} <> ''`);
  if (f.state) parts.push(Prisma.sql`${c("state")} = ${literal(f.state, STATES)}`);
  if (f.state && f.state !== "accepted") parts.push(Prisma.sql`${c("state")} <> 'accepted'`);
  if (f.predicted) parts.push(Prisma.sql`${c("predicted_verdict")} = ${literal(f.predicted, VERDICTS)}`);
  if (f.verdict === "pending") parts.push(Prisma.sql`${c("platform_verdict")} IS NULL`);
  else if (f.verdict) parts.push(Prisma.sql`${c("platform_verdict")} = ${literal(f.verdict, VERDICTS)}`);
  if (f.outcome === "failed") parts.push(Prisma.sql`(${c("state")} = 'failed' OR ${c("platform_verdict")} = 'failed')`);
  else if (f.outcome === "pending") parts.push(Prisma.sql`${c("platform_verdict")} IS NULL AND ${c("state")} <> 'failed'`);
  else if (f.outcome) parts.push(Prisma.sql`${c("platform_verdict")} = ${literal(f.outcome, VERDICTS)} AND ${c("state")} <> 'failed'`);
  if (f.code === "DELIVERY_FAILED") parts.push(Prisma.sql`${c("platform_code")} IS NULL AND ${c("state")} = 'failed'`);
  else if (f.code) parts.push(Prisma.sql`${c("platform_code")} = ${f.code}`);
  // The charts count a corrected entry's correction instead of it, so a chart's filter leaves it out too.
  if (f.outcome || f.code) parts.push(Prisma.sql`NOT ${c("superseded")}`);
  if (f.source) parts.push(Prisma.sql`${c("source")} = ${literal(f.source, SOURCES)}`);
  if (f.from) parts.push(Prisma.sql`${c("occurred_at")} >= ${f.from}::timestamptz`);
  if (f.to) parts.push(Prisma.sql`${c("occurred_at")} < ${f.to}::timestamptz`);
  if (f.q) {
    const prefix = f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    // The unique (connection_id, idempotency_key text_pattern_ops) index answers a prefix per connection:
    // naming the connections (all of them, when no filter chose one) lets Postgres descend it once each.
    const perConnection = f.connectionId ? Prisma.empty : Prisma.sql`${c("connection_id")} IN (SELECT id FROM connections) AND `;
    parts.push(Prisma.sql`${perConnection}${c("idempotency_key")} <> '' AND ${c("idempotency_key")} LIKE ${`${prefix}%`}`);
  }
  return parts.length ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

/** Rows strictly after the cursor in newest-first order, as one index range: (occurred_at, id) < (…). */
export function beforeCursorSql(cursor: EventCursor | null, alias = "e"): Prisma.Sql {
  if (!cursor) return Prisma.sql`TRUE`;
  return Prisma.sql`(${Prisma.raw(`${alias}.occurred_at`)}, ${Prisma.raw(`${alias}.id`)}) < (${cursor.occurredAt}::timestamptz, ${cursor.id})`;
}
