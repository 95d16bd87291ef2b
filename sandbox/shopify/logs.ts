// The Dev Dashboard's app-event log as an API: verdict publication ("settling") and the
// filtered, cursor-paginated listing (docs/platforms/shopify.md §4).
import { parseIsoTime } from "../clock";
import { decodeCursor, encodeCursor, parseLimit } from "../http";
import { Decimal } from "../money";
import type { EventRow, ShopifyState } from "../state";
import { firstIndex } from "../sorted";
import { findShop } from "./model";

// Per log: rows before this index are all settled, so a settle pass starts there (the log only grows).
const settledBefore = new WeakMap<EventRow[], number>();

/** Publishes verdicts whose delay has passed (all of them with `all`); returns how many. */
export function settleDue(st: ShopifyState, all = false): number {
  const realNow = Date.now();
  let settled = 0;
  const rows = st.events;
  let front = settledBefore.get(rows) ?? 0;
  while (front < rows.length && !rows[front]!.pending) front += 1;
  settledBefore.set(rows, front);
  for (let i = front; i < rows.length; i++) {
    const row = rows[i]!;
    if (!row.pending || (!all && row.pending.settleAtMs > realNow)) continue;
    const { verdict } = row.pending;
    row.billable = verdict.billable;
    row.billing_result_code = verdict.code;
    row.result_status = verdict.success ? "RESULT_STATUS_SUCCESS" : "RESULT_STATUS_FAILURE";
    row.result_details = verdict.details;
    if (verdict.usage) {
      const { key, quantity } = verdict.usage;
      st.usage[key] = new Decimal(st.usage[key] ?? 0).plus(quantity).toString();
    }
    row.pending = null;
    settled += 1;
  }
  return settled;
}

export type LogFilter = {
  type: string | null;
  handle: string | null;
  shop: string | null;
  status: string | null;
  code: string | null;
  billable: string | null;
  from: number | null;
  to: number | null;
  after: number | null;
  limit: number;
  order: "desc" | "asc";
};

export function parseLogFilter(q: URLSearchParams): LogFilter | string {
  const time = (name: string) => {
    const raw = q.get(name);
    if (raw === null || raw === "") return null;
    const ms = parseIsoTime(raw);
    return ms === null ? `${name} must be an ISO 8601 date-time` : ms;
  };
  const from = time("from");
  const to = time("to");
  if (typeof from === "string") return from;
  if (typeof to === "string") return to;
  const type = q.get("type");
  if (type && type !== "app_event" && type !== "app_billing_event") return "type must be app_event or app_billing_event";
  const after = q.get("after");
  const cursor = decodeCursor(after);
  if (after && cursor === null) return "after is not a cursor returned by this API";
  return {
    type,
    handle: q.get("handle"),
    shop: q.get("shop"),
    status: q.get("status"),
    code: q.get("code"),
    billable: q.get("billable"),
    from,
    to,
    after: cursor,
    limit: parseLimit(q.get("limit"), 50, 250),
    order: q.get("order") === "asc" ? "asc" : "desc",
  };
}

export function listLogs(st: ShopifyState, clientId: string, f: LogFilter) {
  const shopId = f.shop ? (findShop(st, f.shop)?.id ?? "-") : null;
  const matches = (r: EventRow) =>
    r.appClientId === clientId &&
    (f.type !== "app_billing_event" || r.type === "app_billing_event") &&
    (f.handle === null || r.event_handle === f.handle) &&
    (shopId === null || r.shop_id === shopId) &&
    (f.status === null || statusMatches(r, f.status)) &&
    (f.code === null || r.billing_result_code === f.code) &&
    (f.billable === null || String(r.billable) === f.billable) &&
    (f.from === null || Date.parse(r.received_at) >= f.from) &&
    (f.to === null || Date.parse(r.received_at) < f.to);
  // The log is in seq order (rows are only appended): a page starts at its cursor and reads on
  // until it has one row more than it shows, instead of filtering the whole log for every page.
  const all = st.events;
  const picked: EventRow[] = [];
  if (f.order === "desc") {
    for (let i = f.after === null ? all.length - 1 : firstIndex(all, (r) => r.seq >= f.after!) - 1; i >= 0 && picked.length <= f.limit; i--) {
      if (matches(all[i]!)) picked.push(all[i]!);
    }
  } else {
    for (let i = f.after === null ? 0 : firstIndex(all, (r) => r.seq > f.after!); i < all.length && picked.length <= f.limit; i++) {
      if (matches(all[i]!)) picked.push(all[i]!);
    }
  }
  const page = picked.slice(0, f.limit);
  const more = picked.length > f.limit;
  return { rows: page.map(publicRow), next_cursor: more ? encodeCursor(page[page.length - 1]!.seq) : null };
}

/** status filter: an HTTP status ("200", "400"...) or a result (pending, success, failure). */
function statusMatches(row: EventRow, status: string): boolean {
  if (/^\d{3}$/.test(status)) return row.status === Number(status);
  return row.result_status === `RESULT_STATUS_${status.toUpperCase()}`;
}

function publicRow(row: EventRow) {
  const { seq: _seq, appClientId: _app, pending: _pending, ...rest } = row;
  return rest;
}
