-- AlterTable
ALTER TABLE "wix_rejections" ADD COLUMN     "fingerprint" TEXT;

-- CreateTable
CREATE TABLE "idempotency_conflicts" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "connection_id" UUID NOT NULL,
    "idempotency_key" VARCHAR(64) NOT NULL,
    "body_hash" TEXT NOT NULL,
    "stored_body_hash" TEXT NOT NULL,
    "source" "EventSource" NOT NULL,
    "api_key_id" UUID,
    "user_id" UUID,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_conflicts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idempotency_conflicts_last_seen_at_idx" ON "idempotency_conflicts"("last_seen_at");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_conflicts_event_id_body_hash_key" ON "idempotency_conflicts"("event_id", "body_hash");

-- CreateIndex
CREATE UNIQUE INDEX "wix_rejections_wix_instance_id_fingerprint_key" ON "wix_rejections"("wix_instance_id", "fingerprint");

-- AddForeignKey
ALTER TABLE "idempotency_conflicts" ADD CONSTRAINT "idempotency_conflicts_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "billing_events"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
