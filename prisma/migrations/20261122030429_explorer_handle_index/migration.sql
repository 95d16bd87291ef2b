-- The explorer's handle filter (a misspelt handle such as SMS_SENT is rare and exactly what people
-- look for), ordered like its keyset. Partial on a condition eventFilterSql always adds, which also
-- keeps it out of Prisma's schema diff.
CREATE INDEX "billing_events_handle_time_idx" ON "billing_events" ("handle", "occurred_at", "id") WHERE "handle" <> '';
