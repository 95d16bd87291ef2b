-- The delivery queue is claimed per connection (each app at its own platform budget), so its
-- index leads with the connection. It holds open events only: a few thousand rows where the
-- index it replaces held every event of the ledger (10M+ rows).
CREATE INDEX "billing_events_due_idx" ON "billing_events" ("connection_id", "next_attempt_at", "id")
  WHERE "state" IN ('queued', 'retrying', 'outcome_unknown');

DROP INDEX "billing_events_state_next_attempt_at_idx";
