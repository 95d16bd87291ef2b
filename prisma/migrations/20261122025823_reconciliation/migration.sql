-- AlterTable
ALTER TABLE "shops" ADD COLUMN     "subscription_started_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "platform_log_entries" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "idempotency_key" VARCHAR(64) NOT NULL,
    "handle" TEXT NOT NULL,
    "shop_ref" TEXT,
    "occurred_at" TIMESTAMPTZ(3),
    "quantity" DECIMAL(24,10),
    "verdict" "Verdict" NOT NULL,
    "code" TEXT,
    "details" TEXT,
    "source" "VerdictSource" NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "imported_by" TEXT NOT NULL,

    CONSTRAINT "platform_log_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_closes" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "cycle_start" TIMESTAMPTZ(3) NOT NULL,
    "cycle_end" TIMESTAMPTZ(3) NOT NULL,
    "snapshot" JSONB NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "closed_by_id" UUID NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_closes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "platform_log_entries_connection_id_occurred_at_idx" ON "platform_log_entries"("connection_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "platform_log_entries_connection_id_idempotency_key_key" ON "platform_log_entries"("connection_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_closes_connection_id_subject_id_cycle_start_key" ON "reconciliation_closes"("connection_id", "subject_id", "cycle_start");
