import { stringify } from "csv-stringify/sync";
import { parseExplorerParams, toEventFilter } from "@/lib/dashboard-params";
import { EXPORT_COLUMNS, exportEventBatches } from "@/lib/db/events-export";
import { logger } from "@/lib/logger";
import { readRoute } from "@/lib/read-route";

/** Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote; numbers are left exact. */
const TEXT_COLUMNS = new Set(["connection", "shop_or_instance", "handle", "idempotency_key", "predicted_code", "platform_code"]);
const safe = (column: string, value: string | null) => (value !== null && TEXT_COLUMNS.has(column) && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/**
 * GET /api/events/export?<explorer filters> — every matching event as CSV, newest first, streamed
 * in keyset batches (no row limit, constant memory); a header row, exact decimals, UTC times.
 */
export const GET = readRoute(async ({ params: raw, cookieTz }, request) => {
  const { params } = parseExplorerParams(raw, cookieTz);
  const filter = toEventFilter(params);
  const batches = exportEventBatches(filter);
  const encoder = new TextEncoder();
  let header = true;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await batches.next();
        if (next.done) {
          if (header) controller.enqueue(encoder.encode(stringify([], { header: true, columns: [...EXPORT_COLUMNS] })));
          controller.close();
          return;
        }
        const records = next.value.map((row) => EXPORT_COLUMNS.map((c) => safe(c, row[c])));
        controller.enqueue(encoder.encode(stringify(records, { header, columns: [...EXPORT_COLUMNS] })));
        header = false;
      } catch (err) {
        logger.error({ err }, "CSV export failed");
        controller.error(err);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  request.signal.addEventListener("abort", () => void batches.return(undefined));
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="events-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
