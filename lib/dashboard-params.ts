import { z } from "zod";
import type { EventFilter } from "./db/event-filter-sql";
import { parseBound, RANGE_KEYS, safeTimeZone } from "./domain/dashboard-range";
import { parseSearchParams } from "./search-params";

/**
 * URL filters of the Overview and the event explorer, shared by the pages and their GET route
 * handlers. Unknown or bad values are dropped (parseSearchParams), never trusted.
 */
type Raw = Record<string, string | string[] | undefined>;

const uuid = z.uuid();
const text = (max: number) => z.string().trim().min(1).max(max);
export const TZ_COOKIE = "tz";

const overviewSchema = z.object({
  range: z.enum(RANGE_KEYS).optional(),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  bucket: z.enum(["hour", "day"]).optional(),
  connection: uuid.optional(),
  platform: z.enum(["shopify", "wix"]).optional(),
  handle: text(128).optional(),
  shop: uuid.optional(),
  instance: uuid.optional(),
  tz: text(64).optional(),
});
export type OverviewParams = z.infer<typeof overviewSchema>;

const STATES = ["received", "held", "queued", "sending", "accepted", "retrying", "failed", "outcome_unknown"] as const;
const VERDICTS = ["billable", "non_billable", "failed"] as const;
const explorerSchema = z.object({
  platform: z.enum(["shopify", "wix"]).optional(),
  connection: uuid.optional(),
  shop: uuid.optional(),
  instance: uuid.optional(),
  handle: text(128).optional(),
  state: z.enum(STATES).optional(),
  predicted: z.enum(VERDICTS).optional(),
  verdict: z.enum([...VERDICTS, "pending"]).optional(),
  outcome: z.enum([...VERDICTS, "pending"]).optional(),
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  source: z.enum(["ui", "api", "import", "scenario"]).optional(),
  from: text(40).optional(),
  to: text(40).optional(),
  q: text(64).optional(),
  tz: text(64).optional(),
});
export type ExplorerParams = z.infer<typeof explorerSchema>;
const EXPLORER_KEYS = Object.keys(explorerSchema.shape) as (keyof ExplorerParams)[];

export function parseOverviewParams(raw: Raw, cookieTz?: string) {
  const params = parseSearchParams(overviewSchema, raw);
  return { ...params, tz: safeTimeZone(params.tz ?? cookieTz) };
}

export function parseExplorerParams(raw: Raw, cookieTz?: string) {
  const { cursor, ...rest } = parseSearchParams(explorerSchema.extend({ cursor: text(80).optional() }), raw);
  return { params: { ...rest, tz: safeTimeZone(rest.tz ?? cookieTz) }, cursor };
}

/** The explorer's URL params as the ledger query's filter (time bounds read in the viewer's zone). */
export function toEventFilter(p: ExplorerParams & { tz: string }): EventFilter {
  return {
    platform: p.platform,
    connectionId: p.connection,
    shopId: p.shop,
    wixInstanceId: p.instance,
    handle: p.handle,
    state: p.state,
    predicted: p.predicted,
    verdict: p.verdict,
    outcome: p.outcome,
    code: p.code,
    source: p.source,
    q: p.q,
    from: parseBound(p.from, p.tz) ?? undefined,
    to: parseBound(p.to, p.tz, true) ?? undefined,
  };
}

/** The explorer params as a query string (without the cursor, the time zone, or empty values). */
export function explorerQuery(p: ExplorerParams, extra: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const key of EXPLORER_KEYS) {
    const v = key in extra ? extra[key] : p[key];
    if (v && key !== "tz") q.set(key, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v && !q.has(k)) q.set(k, v);
  return q.toString();
}
