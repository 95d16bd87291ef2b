-- Indexes for the event explorer's filters, each ordered like its keyset (occurred_at, id) so a
-- filtered page reads only the rows it shows, however deep. Partial (nulls are never searched for),
-- which also keeps them out of Prisma's schema diff.
CREATE INDEX "billing_events_shop_time_idx" ON "billing_events" ("shop_id", "occurred_at", "id") WHERE "shop_id" IS NOT NULL;
CREATE INDEX "billing_events_instance_time_idx" ON "billing_events" ("wix_instance_id", "occurred_at", "id") WHERE "wix_instance_id" IS NOT NULL;
CREATE INDEX "billing_events_code_time_idx" ON "billing_events" ("platform_code", "occurred_at", "id") WHERE "platform_code" IS NOT NULL;
-- Events without a settled good verdict: pending, failed deliveries and failed verdicts (a few percent of the ledger).
CREATE INDEX "billing_events_unsettled_time_idx" ON "billing_events" ("occurred_at", "id")
  WHERE "platform_verdict" IS NULL OR "platform_verdict" = 'failed' OR "state" = 'failed';
-- Delivery states other than accepted (held, queued, retrying, failed ...).
CREATE INDEX "billing_events_state_time_idx" ON "billing_events" ("state", "occurred_at", "id") WHERE "state" <> 'accepted';
-- Idempotency key search by prefix (LIKE 'abc%'), whatever the database's collation.
CREATE INDEX "billing_events_key_prefix_idx" ON "billing_events" ("idempotency_key" text_pattern_ops) WHERE "idempotency_key" <> '';
