import { decodeCursor, eventRowView, listEvents } from "@/lib/db/events";
import { parseExplorerParams, toEventFilter } from "@/lib/dashboard-params";
import { countNewerEvents } from "@/lib/db/events-newer";
import { noStore, readRoute } from "@/lib/read-route";

/**
 * GET /api/events?<explorer filters>[&cursor=…] — one page of the explorer as JSON.
 * GET /api/events?<filters>&since=<id> — how many matching events arrived after event <id> (the
 * explorer's "N new events" banner polls this instead of reloading rows under the reader).
 */
export const GET = readRoute(async ({ params: raw, cookieTz }) => {
  const { params, cursor } = parseExplorerParams(raw, cookieTz);
  const filter = toEventFilter(params);
  if (raw.since !== undefined) {
    if (!/^\d{1,19}$/.test(raw.since)) return Response.json({ error: "since must be an event id" }, { status: 400 });
    return Response.json(await countNewerEvents(filter, BigInt(raw.since)), { headers: noStore });
  }
  const page = await listEvents(filter, decodeCursor(cursor));
  return Response.json({ nextCursor: page.nextCursor, rows: page.rows.map(eventRowView) }, { headers: noStore });
});
