import { NextResponse } from "next/server";
import { readBoundedText } from "@/lib/http/body";
import { newErrorRef } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { authenticateApiKey, hasScope } from "@/lib/services/ingest/api-keys";
import { ingestEvents, type IngestResult } from "@/lib/services/ingest/ingest";
import { MAX_BATCH, MAX_INGEST_BODY } from "@/lib/services/ingest/schema";

/**
 * POST /api/v1/events — the ingest API for the partner's own services (see /openapi.yaml).
 * One event, an array, or {"events": [...]} of up to 1,000 mixed Shopify/Wix events. The key is
 * checked before the body is read, and the body is read only up to MAX_INGEST_BODY. Each event
 * stands alone: the good ones are stored, each bad one comes back with its field errors. A 5xx
 * (with Retry-After) only when the ledger could not be reached: then nothing was written.
 */
const refuse = (status: number, error: string, headers?: Record<string, string>, ref?: string) =>
  NextResponse.json({ error, ...(ref ? { ref } : {}) }, { status, headers });
const RETRY_AFTER_S = "5";
/** Logged with a reference id the caller gets back, so a support request can name the log line. */
const unavailable = (err: unknown, context: Record<string, unknown>, what: string) => {
  const ref = newErrorRef();
  logger.error({ err, ref, ...context }, what);
  return refuse(
    503,
    `The ledger could not be reached; nothing was written. Retry the same request (same idempotency keys) after a few seconds. Reference ${ref}.`,
    { "retry-after": RETRY_AFTER_S },
    ref,
  );
};

export async function POST(request: Request) {
  let key: Awaited<ReturnType<typeof authenticateApiKey>>;
  try {
    key = await authenticateApiKey(request.headers.get("authorization"));
  } catch (err) {
    await request.body?.cancel().catch(() => {});
    return unavailable(err, {}, "ingest key check failed");
  }
  if (!key) {
    await request.body?.cancel().catch(() => {});
    return refuse(401, "Send a valid ingest API key as `Authorization: Bearer <key>` (Settings → Ingest API keys).");
  }
  if (!hasScope(key, "ingest")) {
    await request.body?.cancel().catch(() => {});
    return refuse(403, "This API key has no `ingest` scope: create a key that may send events.");
  }

  const read = await readBoundedText(request, MAX_INGEST_BODY, `the ingest API (up to ${MAX_BATCH} events)`);
  if (!read.ok) return refuse(read.status, read.message);
  let body: unknown;
  try {
    body = JSON.parse(read.text);
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
  if (!Array.isArray(events)) return refuse(400, 'Send one event object, an array of events, or {"events": [...]}.');
  if (events.length === 0) return refuse(400, "The batch is empty.");
  if (events.length > MAX_BATCH) return refuse(413, `A batch holds at most ${MAX_BATCH} events; this one has ${events.length}.`);

  let results: IngestResult[];
  try {
    results = await ingestEvents(events, { source: "api", apiKeyId: key.id });
  } catch (err) {
    return unavailable(err, { apiKey: key.prefix }, "ingest failed");
  }
  const summary = { accepted: 0, held: 0, duplicate: 0, conflict: 0, rejected: 0 };
  for (const r of results) summary[r.status] += 1;
  const single = !Array.isArray(body) && !(body && typeof body === "object" && "events" in body);
  const status = single && results[0]!.status === "rejected" ? 422 : single && results[0]!.status === "conflict" ? 409 : 200;
  return NextResponse.json({ summary, results: results.map(toWire) }, { status });
}

function toWire(r: IngestResult) {
  if (r.status === "rejected") return { index: r.index, status: r.status, errors: r.fieldErrors };
  if (r.status === "conflict") {
    return {
      index: r.index,
      status: r.status,
      event_id: r.eventId,
      idempotency_key: r.idempotencyKey,
      stored_body_hash: r.storedBodyHash,
      body_hash: r.bodyHash,
      error: "This idempotency key was already used for a different event; nothing was stored or changed. Use a new key for a new event.",
    };
  }
  return {
    index: r.index,
    status: r.status,
    event_id: r.eventId,
    idempotency_key: r.idempotencyKey,
    state: r.state,
    predicted: { verdict: r.predicted.verdict, code: r.predicted.code, details: r.predicted.details, hint: r.predicted.hint },
    ...(r.warning ? { warning: r.warning } : {}),
  };
}
