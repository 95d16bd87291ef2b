import { parse } from "csv-parse/sync";
import { z } from "zod";
import { SHOPIFY_BILLING_CODES } from "./shopify-predict";

/**
 * A Dev Dashboard log file (Shopify has no export API: partners copy the Logs view into CSV or
 * JSON). Columns follow the log: status, event_handle, shop, timestamp, billable,
 * billing_result_code, result_details, plus idempotency_key (to match the ledger) and value.
 * A file with any bad line is refused whole, naming the line and the reason.
 *
 * A file is dated by its export, not by its upload: a JSON object may say when it was exported
 * (`exported_at`), else the latest row's timestamp is the moment it reflects. A file with no rows
 * counts only when it says when it was exported ("read, nothing there").
 */
export type DevDashboardRow = {
  idempotencyKey: string;
  handle: string;
  shop: string | null;
  timestamp: Date | null;
  quantity: string | null;
  verdict: "billable" | "non_billable" | "failed";
  code: string | null;
  details: string | null;
};

export class LogFileError extends Error {
  constructor(
    readonly line: number | null,
    reason: string,
  ) {
    super(line === null ? reason : `line ${line}: ${reason}`);
  }
}

const bool = z.union([z.boolean(), z.enum(["true", "false", "TRUE", "FALSE", "yes", "no", "Billable", "Non-billable", "billable", "non-billable", ""])]);
const row = z.object({
  idempotency_key: z.string().trim().min(1, "idempotency_key is empty").max(64, "idempotency_key is longer than 64 characters"),
  event_handle: z.string().trim().min(1, "event_handle is empty"),
  shop: z.string().trim().optional().nullable(),
  timestamp: z.string().trim().optional().nullable(),
  value: z.union([z.string(), z.number()]).optional().nullable(),
  status: z.union([z.string(), z.number()]).optional().nullable(),
  billable: bool.optional().nullable(),
  billing_result_code: z.string().trim().optional().nullable(),
  result_details: z.string().optional().nullable(),
});

const KNOWN_CODES = new Set<string>([...SHOPIFY_BILLING_CODES, "SUCCESS"]);

type DevDashboardFile = { rows: DevDashboardRow[]; exportedAt: Date | null };

export function parseDevDashboardLog(text: string, format: "csv" | "json"): DevDashboardFile {
  let records: { line: number; value: unknown }[];
  let exportedAt: Date | null = null;
  if (format === "json") {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new LogFileError(null, `not valid JSON (${(err as Error).message})`);
    }
    const list = Array.isArray(data)
      ? data
      : data && typeof data === "object" && Array.isArray((data as { rows?: unknown }).rows)
        ? (data as { rows: unknown[] }).rows
        : null;
    if (!list) throw new LogFileError(null, 'expected a JSON array of rows, or {"rows": [...]}');
    const stamp = Array.isArray(data)
      ? undefined
      : ((data as { exported_at?: unknown; exportedAt?: unknown }).exported_at ?? (data as { exportedAt?: unknown }).exportedAt);
    if (stamp !== undefined && stamp !== null) {
      exportedAt = typeof stamp === "string" ? new Date(stamp) : new Date(NaN);
      if (Number.isNaN(exportedAt.getTime())) throw new LogFileError(null, `exported_at "${String(stamp)}" is not a date and time`);
    }
    records = list.map((value, i) => ({ line: i + 1, value }));
  } else {
    let parsed: Record<string, string>[];
    try {
      parsed = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (err) {
      const e = err as { lines?: number; message: string };
      throw new LogFileError(e.lines ?? null, `not valid CSV (${e.message.replace(/^Invalid [^:]*: /, "")})`);
    }
    records = parsed.map((value, i) => ({ line: i + 2, value })); // line 1 is the header
  }
  if (!records.length && !exportedAt) throw new LogFileError(null, "the file has no rows and does not say when it was exported (exported_at)");
  const seen = new Map<string, number>();
  const rows = records.map(({ line, value }): DevDashboardRow => {
    const r = row.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new LogFileError(line, issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message);
    }
    const v = r.data;
    if (seen.has(v.idempotency_key))
      throw new LogFileError(line, `idempotency_key ${v.idempotency_key} already appears on line ${seen.get(v.idempotency_key)}`);
    seen.set(v.idempotency_key, line);
    let timestamp: Date | null = null;
    if (v.timestamp) {
      timestamp = new Date(v.timestamp);
      if (Number.isNaN(timestamp.getTime())) throw new LogFileError(line, `timestamp "${v.timestamp}" is not a date and time`);
    }
    let quantity: string | null = null;
    if (v.value !== undefined && v.value !== null && v.value !== "") {
      quantity = String(v.value).trim();
      if (!/^-?\d+(\.\d{1,10})?$/.test(quantity)) throw new LogFileError(line, `value "${quantity}" is not a number`);
    }
    const code = v.billing_result_code ? v.billing_result_code.toUpperCase() : null;
    if (code && !KNOWN_CODES.has(code)) throw new LogFileError(line, `billing_result_code "${code}" is not one of Shopify's codes`);
    const status = v.status === undefined || v.status === null || v.status === "" ? 200 : Number(v.status);
    if (!Number.isInteger(status)) throw new LogFileError(line, `status "${v.status}" is not an HTTP status`);
    const billable = v.billable === true || ["true", "TRUE", "yes", "Billable", "billable"].includes(String(v.billable));
    const verdict = (code && code !== "SUCCESS") || status >= 400 ? "failed" : billable || code === "SUCCESS" ? "billable" : "non_billable";
    return {
      idempotencyKey: v.idempotency_key,
      handle: v.event_handle,
      shop: v.shop ?? null,
      timestamp,
      quantity,
      verdict,
      code: code && code !== "SUCCESS" ? code : null,
      details: v.result_details ?? null,
    };
  });
  return { rows, exportedAt };
}
