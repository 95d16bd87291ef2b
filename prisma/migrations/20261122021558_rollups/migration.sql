-- CreateEnum
CREATE TYPE "RollupOutcome" AS ENUM ('billable', 'non_billable', 'failed', 'pending');

-- CreateTable
CREATE TABLE "event_rollups_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "connection_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "kind" "EventKind" NOT NULL,
    "handle" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "outcome" "RollupOutcome" NOT NULL,
    "code" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "quantity" DECIMAL(34,10) NOT NULL,
    "amount" DECIMAL(34,10) NOT NULL,

    CONSTRAINT "event_rollups_hourly_pkey" PRIMARY KEY ("hour","connection_id","platform","kind","handle","subject_id","currency","outcome","code")
);

-- CreateIndex
CREATE INDEX "event_rollups_hourly_connection_id_hour_idx" ON "event_rollups_hourly"("connection_id", "hour");

-- CreateIndex
CREATE INDEX "event_rollups_hourly_subject_id_hour_idx" ON "event_rollups_hourly"("subject_id", "hour");

-- Rollup maintenance (not modelled by Prisma): statement-level triggers keep event_rollups_hourly
-- exact in the same transaction as every change to billing_events. Each statement's transition
-- tables are grouped to the rollup grain and applied as one upsert (old rows subtract, new rows
-- add), so a 1,000-row insert costs one grouped upsert. Updates that leave every event in its group
-- (attempt counters, locks, next_attempt_at) net to zero and write nothing. Rows are upserted in
-- key order so concurrent writers lock rollup rows in the same order.
--   hour: the UTC hour of occurred_at.   subject_id: shop_id or wix_instance_id or the nil UUID.
--   outcome: failed state or failed verdict = failed; no platform verdict yet = pending; else the verdict.
--   code: platform_code, else DELIVERY_FAILED for a failed delivery, else ''.
CREATE FUNCTION "rollup_outcome"(state "DeliveryState", verdict "Verdict") RETURNS "RollupOutcome"
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE
    WHEN state = 'failed' OR verdict = 'failed' THEN 'failed'
    WHEN verdict IS NULL THEN 'pending'
    ELSE verdict::text
  END)::"RollupOutcome"
$$;

CREATE FUNCTION "rollup_code"(state "DeliveryState", code text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(code, CASE WHEN state = 'failed' THEN 'DELIVERY_FAILED' END, '')
$$;

CREATE FUNCTION "billing_events_rollup_apply"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cols constant text := 'occurred_at, connection_id, platform, kind, handle, shop_id, wix_instance_id, currency, state, platform_verdict, platform_code, quantity, amount';
  source text;
  changed bigint := 0;
BEGIN
  source := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT 1 AS n, %s FROM new_rows', cols)
    WHEN 'DELETE' THEN format('SELECT -1 AS n, %s FROM old_rows', cols)
    ELSE format('SELECT 1 AS n, %s FROM new_rows UNION ALL SELECT -1, %s FROM old_rows', cols, cols)
  END;
  EXECUTE format($q$
    INSERT INTO "event_rollups_hourly" AS r
      ("hour", "connection_id", "platform", "kind", "handle", "subject_id", "currency", "outcome", "code", "count", "quantity", "amount")
    SELECT
      date_trunc('hour', e.occurred_at, 'UTC'), e.connection_id, e.platform, e.kind, e.handle,
      COALESCE(e.shop_id, e.wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid),
      COALESCE(e.currency::text, ''),
      "rollup_outcome"(e.state, e.platform_verdict),
      "rollup_code"(e.state, e.platform_code),
      sum(e.n), sum(e.n * COALESCE(e.quantity, 0)), sum(e.n * COALESCE(e.amount, 0))
    FROM (%s) e
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    HAVING sum(e.n) <> 0 OR sum(e.n * COALESCE(e.quantity, 0)) <> 0 OR sum(e.n * COALESCE(e.amount, 0)) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ON CONFLICT ("hour", "connection_id", "platform", "kind", "handle", "subject_id", "currency", "outcome", "code") DO UPDATE SET
      "count" = r."count" + EXCLUDED."count",
      "quantity" = r."quantity" + EXCLUDED."quantity",
      "amount" = r."amount" + EXCLUDED."amount"
  $q$, source);
  GET DIAGNOSTICS changed = ROW_COUNT;
  IF changed > 0 AND TG_OP <> 'INSERT' THEN
    -- Groups that events left may now be empty.
    DELETE FROM "event_rollups_hourly" r
    USING (
      SELECT DISTINCT date_trunc('hour', o.occurred_at, 'UTC') AS hour, o.connection_id, o.kind, o.handle,
        COALESCE(o.shop_id, o.wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid) AS subject_id
      FROM old_rows o
    ) k
    WHERE r."count" = 0 AND r."hour" = k.hour AND r."connection_id" = k.connection_id
      AND r."kind" = k.kind AND r."handle" = k.handle AND r."subject_id" = k.subject_id;
  END IF;
  RETURN NULL;
END;
$fn$;

CREATE FUNCTION "billing_events_rollup_truncate"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM "event_rollups_hourly";
  RETURN NULL;
END;
$fn$;

CREATE TRIGGER "billing_events_rollup_insert" AFTER INSERT ON "billing_events"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "billing_events_rollup_apply"();
CREATE TRIGGER "billing_events_rollup_update" AFTER UPDATE ON "billing_events"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "billing_events_rollup_apply"();
CREATE TRIGGER "billing_events_rollup_delete" AFTER DELETE ON "billing_events"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "billing_events_rollup_apply"();
CREATE TRIGGER "billing_events_rollup_truncate" AFTER TRUNCATE ON "billing_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "billing_events_rollup_truncate"();

-- Whatever billing_events already holds.
INSERT INTO "event_rollups_hourly"
  ("hour", "connection_id", "platform", "kind", "handle", "subject_id", "currency", "outcome", "code", "count", "quantity", "amount")
SELECT
  date_trunc('hour', e.occurred_at, 'UTC'), e.connection_id, e.platform, e.kind, e.handle,
  COALESCE(e.shop_id, e.wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid),
  COALESCE(e.currency::text, ''),
  "rollup_outcome"(e.state, e.platform_verdict),
  "rollup_code"(e.state, e.platform_code),
  count(*), sum(COALESCE(e.quantity, 0)), sum(COALESCE(e.amount, 0))
FROM "billing_events" e
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
