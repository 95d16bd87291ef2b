/**
 * SQL of scripts/generate-events.ts. $1 hours, $2 events per hour, $3-$5 shop ids / connections /
 * dev-store flags, $6-$9 instance ids / connections / currencies / test flags, $10 now.
 */
const SHOPIFY_CODES = [
  ...Array(7).fill("NO_SUBSCRIPTION"),
  ...Array(4).fill("SUBSCRIPTION_NOT_METERED"),
  ...Array(3).fill("INVALID_VALUE"),
  ...Array(2).fill("PERIOD_CLOSED"),
  ...Array(2).fill("INVALID_TIMESTAMP"),
  "IDEMPOTENCY_KEY_ERROR",
  "SHOP_UNINSTALLED",
];
const WIX_CODES = ["CHARGE_LIMIT_EXCEEDED", "CHARGE_LIMIT_EXCEEDED", "CHARGE_LIMIT_EXCEEDED", "TOO_MANY_CHARGES", "INVALID_AMOUNT"];
const arrayLiteral = (items: string[]) => `ARRAY[${items.map((c) => `'${c}'`).join(",")}]`;

export const insertEventsSql = `
WITH base AS (
  SELECT h.hour + random() * LEAST(interval '1 hour', $10::timestamptz - h.hour) AS at, h.hour, g,
    random() < 0.72 AS shopify, random() AS r_subj, random() AS r_h, random() AS r_f, random() AS r_c,
    random() AS r_q, random() AS r_s, random() AS r_src
  FROM unnest($1::timestamptz[], $2::int[]) AS h(hour, n), generate_series(1, h.n) AS g
), picked AS (
  SELECT b.*,
    1 + floor(cardinality($3::uuid[]) * power(b.r_subj, 2.2))::int AS si,
    1 + floor(cardinality($6::uuid[]) * power(b.r_subj, 1.8))::int AS ii
  FROM base b
), typed AS (
  SELECT p.*,
    CASE WHEN p.shopify THEN
      CASE WHEN p.r_h < 0.74 THEN 'sms_sent' WHEN p.r_h < 0.86 THEN 'email_sent' WHEN p.r_h < 0.93 THEN 'campaign_opened'
           WHEN p.r_h < 0.96 THEN 'SMS_SENT' ELSE 'mms_sent' END
    ELSE CASE WHEN p.r_h < 0.85 THEN 'CHARGE' WHEN p.r_h < 0.88 THEN 'REFUND' ELSE 'sms' END END AS handle,
    CASE WHEN p.shopify THEN ($5::bool[])[p.si] ELSE ($9::bool[])[p.ii] END AS free,
    ($8::text[])[p.ii] AS instance_currency,
    $10::timestamptz - p.at AS age
  FROM picked p
), decided AS (
  SELECT t.*,
    CASE WHEN t.shopify THEN 'shopify_usage' WHEN t.handle = 'sms' THEN 'wix_usage' ELSE 'wix_billing_event' END AS kind,
    CASE WHEN t.age < interval '3 minutes' THEN (ARRAY['received','queued','sending','retrying'])[1 + floor(t.r_s * 4)::int]
         WHEN t.r_f < 0.002 THEN 'failed' ELSE 'accepted' END AS state,
    CASE WHEN t.age < interval '20 minutes' OR t.r_f < 0.002 THEN NULL
         WHEN t.r_f < 0.035 THEN 'failed'
         WHEN t.free OR t.handle IN ('campaign_opened', 'SMS_SENT', 'mms_sent') THEN 'non_billable'
         ELSE 'billable' END AS verdict,
    CASE WHEN t.shopify THEN (1 + floor(t.r_q * 5))::numeric WHEN t.handle = 'sms' THEN (1 + floor(t.r_q * 20))::numeric END AS quantity,
    CASE WHEN t.shopify THEN NULL
         WHEN t.handle = 'REFUND' THEN -round((0.5 + t.r_q * 20)::numeric, 2)
         WHEN t.handle = 'sms' AND t.instance_currency = 'JPY' THEN (1 + floor(t.r_q * 20))::numeric * 8
         WHEN t.handle = 'sms' THEN (1 + floor(t.r_q * 20))::numeric * 0.05
         ELSE round((0.5 + t.r_q * 39.5)::numeric, 2) END AS amount,
    md5(extract(epoch FROM t.hour)::text || '-' || t.g) AS key
  FROM typed t
), coded AS (
  SELECT d.*,
    CASE WHEN d.verdict = 'failed' AND d.shopify THEN (${arrayLiteral(SHOPIFY_CODES)})[1 + floor(d.r_c * ${SHOPIFY_CODES.length})::int]
         WHEN d.verdict = 'failed' THEN (${arrayLiteral(WIX_CODES)})[1 + floor(d.r_c * ${WIX_CODES.length})::int] END AS code
  FROM decided d
)
INSERT INTO billing_events (connection_id, platform, kind, shop_id, wix_instance_id, handle, quantity, amount, currency, occurred_at,
  idempotency_key, payload, source, predicted_verdict, predicted_code, state, attempt_count, last_error, platform_verdict, platform_code,
  platform_details, verdict_source, verdict_at, created_at, updated_at, accepted_at)
SELECT
  CASE WHEN c.shopify THEN ($4::uuid[])[c.si] ELSE ($7::uuid[])[c.ii] END,
  (CASE WHEN c.shopify THEN 'shopify' ELSE 'wix' END)::"Platform",
  c.kind::"EventKind",
  CASE WHEN c.shopify THEN ($3::uuid[])[c.si] END,
  CASE WHEN NOT c.shopify THEN ($6::uuid[])[c.ii] END,
  c.handle, c.quantity, c.amount,
  CASE WHEN c.shopify THEN NULL WHEN c.kind = 'wix_usage' THEN c.instance_currency ELSE 'USD' END,
  c.at, c.key,
  -- Shopify rows keep their attributes only, as ingest stores them (shopifyEventBodyOf rebuilds the body).
  CASE WHEN c.shopify THEN jsonb_build_object('attributes', jsonb_build_object('value', c.quantity))
       ELSE jsonb_build_object('billingType', c.handle, 'grossRevenue', c.amount::text, 'createdDate', c.at) END,
  (CASE WHEN c.r_src < 0.88 THEN 'api' WHEN c.r_src < 0.96 THEN 'import' WHEN c.r_src < 0.99 THEN 'ui' ELSE 'scenario' END)::"EventSource",
  (CASE WHEN c.verdict = 'failed' AND c.r_c < 0.4 THEN 'failed'
        WHEN c.free OR c.handle IN ('campaign_opened', 'SMS_SENT', 'mms_sent') THEN 'non_billable' ELSE 'billable' END)::"Verdict",
  CASE WHEN c.verdict = 'failed' AND c.r_c < 0.4 THEN c.code END,
  c.state::"DeliveryState",
  CASE c.state WHEN 'failed' THEN 8 WHEN 'received' THEN 0 ELSE 1 END,
  CASE WHEN c.state = 'failed' THEN 'HTTP 503 after 8 attempts' END,
  c.verdict::"Verdict", c.code,
  CASE WHEN c.code IS NOT NULL THEN 'Generated: ' || c.code END,
  (CASE WHEN c.verdict IS NULL THEN NULL WHEN c.shopify THEN 'sandbox_log' ELSE 'platform_response' END)::"VerdictSource",
  CASE WHEN c.verdict IS NOT NULL THEN c.at + interval '5 minutes' END,
  LEAST(c.at + interval '1 second', $10::timestamptz), LEAST(c.at + interval '5 minutes', $10::timestamptz),
  CASE WHEN c.state = 'accepted' THEN LEAST(c.at + interval '1 second', $10::timestamptz) END
FROM coded c`;

export const REBUILD_ROLLUPS_SQL = `
TRUNCATE event_rollups_hourly;
INSERT INTO event_rollups_hourly (hour, connection_id, platform, kind, handle, subject_id, currency, outcome, code, count, quantity, amount)
SELECT date_trunc('hour', e.occurred_at, 'UTC'), e.connection_id, e.platform, e.kind, e.handle,
  COALESCE(e.shop_id, e.wix_instance_id, '00000000-0000-0000-0000-000000000000'::uuid), COALESCE(e.currency::text, ''),
  rollup_outcome(e.state, e.platform_verdict), rollup_code(e.state, e.platform_code),
  count(*), sum(COALESCE(e.quantity, 0)), sum(COALESCE(e.amount, 0))
FROM billing_events e
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
TRUNCATE event_rollups_hourly_totals;
INSERT INTO event_rollups_hourly_totals (hour, connection_id, platform, kind, handle, currency, outcome, code, count, quantity, amount)
SELECT hour, connection_id, platform, kind, handle, currency, outcome, code, sum(count), sum(quantity), sum(amount)
FROM event_rollups_hourly GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
TRUNCATE event_rollups_hourly_outcomes;
INSERT INTO event_rollups_hourly_outcomes (hour, outcome, code, count)
SELECT hour, outcome, code, sum(count) FROM event_rollups_hourly GROUP BY 1, 2, 3;
TRUNCATE event_rollups_daily_subjects;
INSERT INTO event_rollups_daily_subjects (day, subject_id, connection_id, platform, kind, handle, currency, outcome, count, quantity, amount)
SELECT (hour AT TIME ZONE 'UTC')::date, subject_id, connection_id, platform, kind, handle, currency, outcome, sum(count), sum(quantity), sum(amount)
FROM event_rollups_hourly GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;
