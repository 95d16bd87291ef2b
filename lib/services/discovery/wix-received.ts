import { db, Prisma } from "../../db/client";
import { Decimal, MAX_INTEGER_DIGITS } from "../../domain/money";
import { logger } from "../../logger";
import { loadIngestContext } from "../ingest/lookups";
import type { EventInput } from "../ingest/schema";
import { predictWixBilling, predictWixUsage, type Prediction } from "../ingest/predict";
import { lookUpWixInstance } from "./wix-instance-lookup";

/** What an event for a Wix instance nobody knows yet is predicted as, until the App Instance API answers. */
export const INSTANCE_NOT_YET_KNOWN: Prediction = {
  verdict: "failed",
  code: "INSTANCE_NOT_YET_KNOWN",
  details: "Instance not yet known: it is being looked up on Wix's App Instance API. The event is kept, then predicted and sent like any other.",
};

/** An instance Wix does not know either: a billing event is sent anyway, so Wix's own answer is its verdict. */
export const INSTANCE_UNKNOWN_TO_WIX: Prediction = {
  verdict: "failed",
  code: "INSTANCE_UNKNOWN",
  details: "Neither this dashboard nor Wix's App Instance API knows this instance of the app. Sent anyway, so Wix's own answer is recorded as the verdict.",
};

/** Looked up again no sooner than this after a failed read (the connection's credentials, Wix down). */
const RETRY_AFTER_MS = 30_000;

/**
 * Instances first seen in an ingest event or a service-plugin call (lookupState pending) are read
 * from the App Instance API (docs/platforms/wix.md §3) at once, oldest first, then their waiting
 * events are moved on. Returns how many lookups settled (found or not found).
 */
export async function lookUpPendingInstances(actor: string, opts: { connectionId?: string; limit?: number; now?: () => Date } = {}): Promise<number> {
  const now = (opts.now ?? (() => new Date()))();
  const pending = await db().wixInstance.findMany({
    where: {
      lookupState: "pending",
      connection: { disabledAt: null },
      OR: [{ lookedUpAt: null }, { lookedUpAt: { lt: new Date(now.getTime() - RETRY_AFTER_MS) } }],
      ...(opts.connectionId ? { connectionId: opts.connectionId } : {}),
    },
    include: { connection: true },
    orderBy: { createdAt: "asc" },
    take: opts.limit ?? 100,
  });
  let settled = 0;
  const touched = new Set<string>();
  for (const instance of pending) {
    touched.add(instance.connectionId);
    const outcome = await lookUpWixInstance(instance.connection, instance.id, now);
    if (outcome.ok || outcome.notFound) settled += 1;
  }
  for (const id of touched) await releaseReceivedWixEvents(actor, id, now);
  return settled;
}

type ReceivedRow = {
  id: bigint;
  connection_id: string;
  kind: "wix_billing_event" | "wix_usage";
  handle: string;
  quantity: string | null;
  instance_id: string;
  lookup_error: string | null;
  send_anyway: boolean;
};
const LEDGER_MAX = new Decimal(10).pow(MAX_INTEGER_DIGITS);

/**
 * Events kept in `received` while their instance was looked up, moved on once it settled:
 * a billing event is predicted and queued (held when predicted to fail); usage is priced in the
 * site's currency and kept for invoicing (`accepted`). For an instance Wix does not know, a billing
 * event is still sent (Wix's refusal becomes its verdict) and usage ends `failed` with Wix's answer
 * to the lookup as its platform verdict, since Wix will never invoice that instance. Each move is a
 * recorded transition.
 */
export async function releaseReceivedWixEvents(actor: string, connectionId?: string, now = new Date()): Promise<number> {
  const rows = await db().$queryRaw<ReceivedRow[]>`
    SELECT e.id, e.connection_id::text, e.kind::text, e.handle, e.quantity::text, i.instance_id, i.lookup_error, e.send_anyway
    FROM billing_events e JOIN wix_instances i ON i.id = e.wix_instance_id
    WHERE e.state = 'received' AND e.kind IN ('wix_billing_event', 'wix_usage') AND i.lookup_state IS DISTINCT FROM 'pending'
      ${connectionId ? Prisma.sql`AND e.connection_id = ${connectionId}::uuid` : Prisma.empty}
    ORDER BY e.id LIMIT 5000`;
  if (!rows.length) return 0;
  const inputs = rows.map((r) => ({ platform: "wix", connection_id: r.connection_id, instance_id: r.instance_id }) as EventInput);
  const lookups = await loadIngestContext(inputs);
  // A row whose instance the lookups did not load stays received for the next round, instead of failing the whole batch.
  const known = rows.flatMap((r) => {
    const instance = lookups.instances.get(`${r.connection_id}|${r.instance_id}`);
    return instance ? [{ r, instance }] : [];
  });
  const updates = known.map(({ r, instance }) => {
    const unknown = instance.lookupState === "not_found";
    const base = {
      id: r.id.toString(),
      currency: instance.currency,
      amount: null as string | null,
      platform: null as null | { code: string; details: string },
    };
    if (r.kind === "wix_billing_event") {
      const prediction = unknown ? INSTANCE_UNKNOWN_TO_WIX : predictWixBilling(instance, lookups);
      const hold = !unknown && !r.send_anyway && (prediction.verdict === "failed" || !!prediction.hint);
      return { ...base, currency: "USD", prediction, state: hold ? "held" : "queued" };
    }
    if (unknown) {
      return {
        ...base,
        prediction: INSTANCE_UNKNOWN_TO_WIX,
        state: "failed",
        platform: { code: "NOT_FOUND", details: instance.lookupError ?? "Wix knows no instance of this app with this id" },
      };
    }
    const { prediction, unitPrice } = predictWixUsage(r.handle, instance, lookups);
    const amount = unitPrice && r.quantity ? new Decimal(r.quantity).mul(unitPrice) : null;
    if (amount && amount.abs().gte(LEDGER_MAX)) {
      const tooLarge: Prediction = {
        verdict: "failed",
        code: "VALUE_TOO_LARGE",
        details: `priced at ${unitPrice} ${instance.currency} per unit, more than the ledger holds (numeric(24,10))`,
      };
      return { ...base, prediction: tooLarge, state: "held" };
    }
    return { ...base, amount: amount?.toFixed() ?? null, prediction, state: "accepted" };
  });
  const payload = updates.map((u) => ({
    id: u.id,
    verdict: u.prediction.verdict,
    code: u.prediction.code ?? null,
    details: u.prediction.details,
    hint: u.prediction.hint ?? null,
    state: u.state,
    currency: u.currency,
    amount: u.amount,
    platform_code: u.platform?.code ?? null,
    platform_details: u.platform?.details ?? null,
  }));
  const moved = await db().$queryRaw<{ n: bigint }[]>`
    WITH x AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb)
        AS x(id bigint, verdict text, code text, details text, hint text, state text, currency text, amount numeric, platform_code text, platform_details text)
    ), updated AS (
      UPDATE billing_events e SET predicted_verdict = x.verdict::"Verdict", predicted_code = x.code, predicted_details = x.details, predicted_hint = x.hint,
        state = x.state::"DeliveryState", currency = x.currency, amount = CASE WHEN e.kind = 'wix_usage' THEN x.amount ELSE e.amount END,
        platform_verdict = CASE WHEN x.platform_code IS NULL THEN e.platform_verdict ELSE 'failed'::"Verdict" END,
        platform_code = COALESCE(x.platform_code, e.platform_code), platform_details = COALESCE(x.platform_details, e.platform_details),
        verdict_source = CASE WHEN x.platform_code IS NULL THEN e.verdict_source ELSE 'platform_response'::"VerdictSource" END,
        verdict_at = CASE WHEN x.platform_code IS NULL THEN e.verdict_at ELSE ${now} END,
        next_attempt_at = now(), updated_at = now()
      FROM x WHERE e.id = x.id AND e.state = 'received'
      RETURNING e.id, x.state, x.code, x.verdict
    ), logged AS (
      INSERT INTO event_transitions (event_id, from_state, to_state, actor, reason)
      SELECT id, 'received', state, ${actor}, 'instance looked up; predicted ' || COALESCE(code, verdict) FROM updated
    )
    SELECT count(*) AS n FROM updated`;
  const n = Number(moved[0]?.n ?? 0);
  if (n) logger.info({ connectionId, released: n }, "Wix events released after the instance lookup");
  return n;
}
