import { NextResponse } from "next/server";
import { logger } from "@/lib/logger";
import { authenticateApiKey } from "@/lib/services/api-keys";
import { ingestEvents, type IngestResult } from "@/lib/services/ingest";
import { MAX_BATCH } from "@/lib/services/ingest-schema";

/**
 * POST /api/v1/events — the ingest API for the partner's own services (see /openapi.yaml).
 * One event, an array, or {"events": [...]} of up to 1,000 mixed Shopify/Wix events. Each event
 * gets its own result; a malformed batch is refused whole and nothing is written.
 */
const refuse = (status: number, error: string) => NextResponse.json({ error }, { status });

export async function POST(request: Request) {
  const key = await authenticateApiKey(request.headers.get("authorization"));
  if (!key) return refuse(401, "Send a valid ingest API key as `Authorization: Bearer <key>` (Settings → Ingest API keys).");

  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return refuse(400, "The body is not valid JSON.");
  }
  const events = Array.isArray(body)
    ? body
    : body && typeof body === "object" && "events" in body
      ? (body as { events: unknown }).events
      : body && typeof body === "object"
        ? [body]
        : null;
  if (!Array.isArray(events)) return refuse(400, "Send one event object, an array of events, or {\"events\": [...]}.");
  if (events.length === 0) return refuse(400, "The batch is empty.");
  if (events.length > MAX_BATCH) return refuse(413, `A batch holds at most ${MAX_BATCH} events; this one has ${events.length}.`);

  let results: IngestResult[];
  try {
    results = await ingestEvents(events, { source: "api", apiKeyId: key.id });
  } catch (err) {
    logger.error({ err, apiKey: key.prefix }, "ingest failed");
    return refuse(503, "The ledger could not record the batch; nothing was written. Retry with the same idempotency keys.");
  }
  const summary = { accepted: 0, held: 0, duplicate: 0, rejected: 0 };
  for (const r of results) summary[r.status] += 1;
  const single = !Array.isArray(body) && !(body && typeof body === "object" && "events" in body);
  const status = single && results[0]!.status === "rejected" ? 422 : 200;
  return NextResponse.json({ summary, results: results.map(toWire) }, { status });
}

function toWire(r: IngestResult) {
  if (r.status === "rejected") return { index: r.index, status: r.status, errors: r.fieldErrors };
  return {
    index: r.index,
    status: r.status,
    event_id: r.eventId,
    idempotency_key: r.idempotencyKey,
    state: r.state,
    predicted: { verdict: r.predicted.verdict, code: r.predicted.code, details: r.predicted.details, hint: r.predicted.hint },
  };
}
