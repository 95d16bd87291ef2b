-- The ledger's rollup triggers as they stand after every migration in prisma/migrations/:
-- generated from the migrated database (pg_get_functiondef / pg_get_triggerdef), never edited by hand.
--
-- Statement-level triggers on billing_events keep the rollup tables (event_rollups_*) exact in the
-- same transaction as every change to the ledger: each statement's transition tables are grouped
-- to the rollup grain and applied as one upsert (old rows subtract, new rows add).
--
-- To change them: write a new migration (npm run db:migration:create) that replaces the function,
-- starting from the text below, then regenerate this file and commit both:
--   UPDATE_ROLLUP_SQL=1 npx vitest run --project integration lib/db/rollup-triggers.integration.test.ts
-- That test fails whenever this file and a freshly migrated database differ.

CREATE OR REPLACE FUNCTION public.billing_events_rollup_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  cols constant text := 'occurred_at, connection_id, platform, kind, handle, shop_id, wix_instance_id, currency, state, platform_verdict, platform_code, quantity, amount';
  source text;
  changed bigint := 0;
BEGIN
  -- A superseded entry (a later correction replaces it) counts for nothing: the correction counts.
  source := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT 1 AS n, %s FROM new_rows WHERE NOT superseded', cols)
    WHEN 'DELETE' THEN format('SELECT -1 AS n, %s FROM old_rows WHERE NOT superseded', cols)
    ELSE format('SELECT 1 AS n, %s FROM new_rows WHERE NOT superseded UNION ALL SELECT -1, %s FROM old_rows WHERE NOT superseded', cols, cols)
  END;
  EXECUTE format($q$
    WITH d AS (
      SELECT
        date_trunc('hour', e.occurred_at, 'UTC') AS hour, e.connection_id, e.platform, e.kind, e.handle,
        COALESCE(e.shop_id, e.wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid) AS subject_id,
        COALESCE(e.currency::text, '') AS currency,
        "rollup_outcome"(e.state, e.platform_verdict) AS outcome,
        "rollup_code"(e.state, e.platform_code) AS code,
        sum(e.n) AS count, sum(e.n * COALESCE(e.quantity, 0)) AS quantity, sum(e.n * COALESCE(e.amount, 0)) AS amount
      FROM (%s) e
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
      HAVING sum(e.n) <> 0 OR sum(e.n * COALESCE(e.quantity, 0)) <> 0 OR sum(e.n * COALESCE(e.amount, 0)) <> 0
    ), totals AS (
      INSERT INTO "event_rollups_hourly_totals" AS r ("hour", "connection_id", "platform", "kind", "handle", "currency", "outcome", "code", "count", "quantity", "amount")
      SELECT hour, connection_id, platform, kind, handle, currency, outcome, code, sum(count), sum(quantity), sum(amount)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
      HAVING sum(count) <> 0 OR sum(quantity) <> 0 OR sum(amount) <> 0
      ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
      ON CONFLICT ("hour", "connection_id", "platform", "kind", "handle", "currency", "outcome", "code") DO UPDATE SET
        "count" = r."count" + EXCLUDED."count", "quantity" = r."quantity" + EXCLUDED."quantity", "amount" = r."amount" + EXCLUDED."amount"
    ), daily AS (
      INSERT INTO "event_rollups_daily_subjects" AS r ("day", "subject_id", "connection_id", "platform", "kind", "handle", "currency", "outcome", "count", "quantity", "amount")
      SELECT (hour AT TIME ZONE 'UTC')::date, subject_id, connection_id, platform, kind, handle, currency, outcome, sum(count), sum(quantity), sum(amount)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
      HAVING sum(count) <> 0 OR sum(quantity) <> 0 OR sum(amount) <> 0
      ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
      ON CONFLICT ("subject_id", "day", "connection_id", "platform", "kind", "handle", "currency", "outcome") DO UPDATE SET
        "count" = r."count" + EXCLUDED."count", "quantity" = r."quantity" + EXCLUDED."quantity", "amount" = r."amount" + EXCLUDED."amount"
    ), outcomes AS (
      INSERT INTO "event_rollups_hourly_outcomes" AS r ("hour", "outcome", "code", "count")
      SELECT hour, outcome, code, sum(count) FROM d GROUP BY 1, 2, 3
      HAVING sum(count) <> 0
      ORDER BY 1, 2, 3
      ON CONFLICT ("hour", "outcome", "code") DO UPDATE SET "count" = r."count" + EXCLUDED."count"
    ), fine AS (
      INSERT INTO "event_rollups_hourly" AS r
        ("hour", "connection_id", "platform", "kind", "handle", "subject_id", "currency", "outcome", "code", "count", "quantity", "amount")
      SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
      ON CONFLICT ("hour", "connection_id", "platform", "kind", "handle", "subject_id", "currency", "outcome", "code") DO UPDATE SET
        "count" = r."count" + EXCLUDED."count", "quantity" = r."quantity" + EXCLUDED."quantity", "amount" = r."amount" + EXCLUDED."amount"
      RETURNING 1
    )
    SELECT count(*) FROM fine
  $q$, source) INTO changed;
  IF changed > 0 AND TG_OP <> 'INSERT' THEN
    -- Groups that events left may now be empty.
    DELETE FROM "event_rollups_hourly" r
    USING (SELECT DISTINCT date_trunc('hour', o.occurred_at, 'UTC') AS hour, o.connection_id, o.kind, o.handle,
             COALESCE(o.shop_id, o.wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid) AS subject_id FROM old_rows o) k
    WHERE r."count" = 0 AND r."hour" = k.hour AND r."connection_id" = k.connection_id AND r."kind" = k.kind
      AND r."handle" = k.handle AND r."subject_id" = k.subject_id;
    DELETE FROM "event_rollups_hourly_totals" r
    USING (SELECT DISTINCT date_trunc('hour', o.occurred_at, 'UTC') AS hour, o.connection_id, o.kind, o.handle FROM old_rows o) k
    WHERE r."count" = 0 AND r."hour" = k.hour AND r."connection_id" = k.connection_id AND r."kind" = k.kind AND r."handle" = k.handle;
    DELETE FROM "event_rollups_hourly_outcomes" r
    USING (SELECT DISTINCT date_trunc('hour', o.occurred_at, 'UTC') AS hour FROM old_rows o) k
    WHERE r."count" = 0 AND r."hour" = k.hour;
    DELETE FROM "event_rollups_daily_subjects" r
    USING (SELECT DISTINCT (o.occurred_at AT TIME ZONE 'UTC')::date AS day, o.connection_id, o.kind, o.handle,
             COALESCE(o.shop_id, o.wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid) AS subject_id FROM old_rows o) k
    WHERE r."count" = 0 AND r."subject_id" = k.subject_id AND r."day" = k.day AND r."connection_id" = k.connection_id
      AND r."kind" = k.kind AND r."handle" = k.handle;
  END IF;
  RETURN NULL;
END;
$function$;

CREATE OR REPLACE FUNCTION public.billing_events_rollup_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  DELETE FROM "event_rollups_hourly";
  DELETE FROM "event_rollups_hourly_totals";
  DELETE FROM "event_rollups_hourly_outcomes";
  DELETE FROM "event_rollups_daily_subjects";
  RETURN NULL;
END;
$function$;

CREATE OR REPLACE FUNCTION public.rollup_code(state "DeliveryState", code text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT COALESCE(code, CASE WHEN state = 'failed' THEN 'DELIVERY_FAILED' END, '')
$function$;

CREATE OR REPLACE FUNCTION public.rollup_outcome(state "DeliveryState", verdict "Verdict")
 RETURNS "RollupOutcome"
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT (CASE
    WHEN state = 'failed' OR verdict = 'failed' THEN 'failed'
    WHEN verdict IS NULL THEN 'pending'
    ELSE verdict::text
  END)::"RollupOutcome"
$function$;

CREATE TRIGGER billing_events_rollup_delete AFTER DELETE ON public.billing_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION billing_events_rollup_apply();
CREATE TRIGGER billing_events_rollup_insert AFTER INSERT ON public.billing_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION billing_events_rollup_apply();
CREATE TRIGGER billing_events_rollup_truncate AFTER TRUNCATE ON public.billing_events FOR EACH STATEMENT EXECUTE FUNCTION billing_events_rollup_truncate();
CREATE TRIGGER billing_events_rollup_update AFTER UPDATE ON public.billing_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION billing_events_rollup_apply();
