-- Billing-cycle totals (lib/db/rollups.ts currentCycleUsage) read every shop's and instance's
-- billable and pending usage since its cycle started: these covering indexes, ordered by
-- shop/instance and time, answer that with index-only scans instead of one heap page per row.
-- Partial (only the outcomes a cycle counts), which also keeps them out of Prisma's schema diff.
CREATE INDEX "event_rollups_daily_subjects_cycle_idx" ON "event_rollups_daily_subjects" ("subject_id", "day")
  INCLUDE ("connection_id", "platform", "kind", "handle", "currency", "outcome", "quantity", "amount")
  WHERE "outcome" IN ('billable', 'pending');
CREATE INDEX "event_rollups_hourly_cycle_idx" ON "event_rollups_hourly" ("subject_id", "hour")
  INCLUDE ("connection_id", "platform", "kind", "handle", "currency", "outcome", "quantity", "amount")
  WHERE "outcome" IN ('billable', 'pending');
