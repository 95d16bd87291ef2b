-- One index instead of two over every event's idempotency key (issue 17, a lean ledger): the
-- unique (connection_id, idempotency_key) index that guards exactly-once is rebuilt with
-- text_pattern_ops, so it also answers the explorer's "key starts with" search (LIKE 'abc%',
-- whatever the database's collation) per connection, and the separate prefix index goes.
-- text_pattern_ops keeps plain equality, so ON CONFLICT (connection_id, idempotency_key) and
-- Prisma's lookups by the pair use it as before. At 1M generated events this saves 56 MB of the
-- 687 MB the ledger took (about 59 bytes an event; more with longer keys).
CREATE UNIQUE INDEX "billing_events_connection_key_new" ON "billing_events" ("connection_id", "idempotency_key" text_pattern_ops);
DROP INDEX "billing_events_connection_id_idempotency_key_key";
ALTER INDEX "billing_events_connection_key_new" RENAME TO "billing_events_connection_id_idempotency_key_key";
DROP INDEX "billing_events_key_prefix_idx";
