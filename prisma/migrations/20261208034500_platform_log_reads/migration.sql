-- A read of the platform's Dev Dashboard log (the sandbox's, or an imported file), recorded even
-- when it returns no rows: "read, nothing there" is not "never read". as_of is the moment the read
-- reflects: a sandbox read's start, a file's export time (else its latest row's time), never
-- the upload. rows_from / rows_to: the earliest and latest row times it carried.
CREATE TABLE "platform_log_reads" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "source" "VerdictSource" NOT NULL,
    "read_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "as_of" TIMESTAMPTZ(3) NOT NULL,
    "rows_from" TIMESTAMPTZ(3),
    "rows_to" TIMESTAMPTZ(3),
    "row_count" INTEGER NOT NULL,
    "read_by" TEXT NOT NULL,

    CONSTRAINT "platform_log_reads_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "platform_log_reads_connection_id_as_of_idx" ON "platform_log_reads"("connection_id", "as_of");

-- The reads before this table: one per connection and source, as of its rows' last stamp (what was used until now).
INSERT INTO "platform_log_reads" ("connection_id", "source", "read_at", "as_of", "rows_from", "rows_to", "row_count", "read_by")
SELECT "connection_id", "source", max("imported_at"), max("imported_at"), min("occurred_at"), max("occurred_at"), count(*)::int, 'migration'
FROM "platform_log_entries" GROUP BY "connection_id", "source";
