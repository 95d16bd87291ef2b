-- AlterTable
ALTER TABLE "billing_events" ADD COLUMN     "accepted_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "reconcile_cycles" ADD COLUMN     "platform_read_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "billing_events_connection_id_accepted_at_idx" ON "billing_events"("connection_id", "accepted_at");

-- accepted_at: when the state last became 'accepted' (the platform's 2xx, an import or a person's
-- correction). A reconciliation compares only what a platform read could have seen: events
-- accepted before the read's fetched-at. A resend (accepted → queued → accepted) moves it on.
CREATE FUNCTION "billing_events_accepted_at"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.state = 'accepted' AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'accepted') THEN
    NEW.accepted_at := COALESCE(CASE WHEN TG_OP = 'INSERT' THEN NEW.accepted_at END, clock_timestamp());
  ELSIF NEW.state <> 'accepted' THEN
    NEW.accepted_at := NULL;
  END IF;
  RETURN NEW;
END
$fn$;

CREATE TRIGGER "billing_events_accepted_at" BEFORE INSERT OR UPDATE OF "state" ON "billing_events"
  FOR EACH ROW EXECUTE FUNCTION "billing_events_accepted_at"();

-- Events accepted before this migration: the last 2xx attempt's answer, else the transition to
-- accepted, else the row's last change. accepted_at is no rollup column, so the rollups are left alone.
ALTER TABLE "billing_events" DISABLE TRIGGER "billing_events_rollup_update";
UPDATE "billing_events" e SET "accepted_at" = COALESCE(
  (SELECT max(a.started_at + make_interval(secs => a.latency_ms / 1000.0)) FROM "delivery_attempts" a WHERE a.event_id = e.id AND a.status BETWEEN 200 AND 299),
  (SELECT max(t.at) FROM "event_transitions" t WHERE t.event_id = e.id AND t.to_state = 'accepted'),
  e.updated_at)
WHERE e.state = 'accepted';
ALTER TABLE "billing_events" ENABLE TRIGGER "billing_events_rollup_update";
