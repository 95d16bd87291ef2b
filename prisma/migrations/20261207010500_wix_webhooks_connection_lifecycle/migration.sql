-- CreateEnum
CREATE TYPE "WixWebhookOutcome" AS ENUM ('applied', 'stale', 'ignored');

-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "archived_at" TIMESTAMPTZ(3),
ADD COLUMN     "disabled_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_test_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_test_ok" BOOLEAN,
ADD COLUMN     "last_test_result" JSONB;

-- AlterTable
ALTER TABLE "wix_instances" ADD COLUMN     "lifecycle_at" TIMESTAMPTZ(3),
ADD COLUMN     "looked_up_at" TIMESTAMPTZ(3),
ADD COLUMN     "lookup_error" TEXT,
ADD COLUMN     "plan_auto_renewing" BOOLEAN,
ADD COLUMN     "plan_cycle" TEXT,
ADD COLUMN     "plan_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "plan_package" TEXT;

-- CreateTable
CREATE TABLE "wix_webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "dedupe_key" CHAR(64) NOT NULL,
    "event_type" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "wix_instance_id" UUID,
    "data" JSONB NOT NULL,
    "identity" JSONB,
    "account_info" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" "WixWebhookOutcome" NOT NULL,
    "summary" TEXT NOT NULL,

    CONSTRAINT "wix_webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_invoice_statuses" (
    "id" BIGSERIAL NOT NULL,
    "wix_instance_id" UUID NOT NULL,
    "invoice_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "recurring" BOOLEAN,
    "status_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "wix_invoice_statuses_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "wix_webhook_deliveries_wix_instance_id_received_at_idx" ON "wix_webhook_deliveries"("wix_instance_id", "received_at");

-- CreateIndex
CREATE INDEX "wix_webhook_deliveries_connection_id_received_at_idx" ON "wix_webhook_deliveries"("connection_id", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "wix_webhook_deliveries_connection_id_dedupe_key_key" ON "wix_webhook_deliveries"("connection_id", "dedupe_key");

-- CreateIndex
CREATE UNIQUE INDEX "wix_invoice_statuses_wix_instance_id_invoice_id_key" ON "wix_invoice_statuses"("wix_instance_id", "invoice_id");

-- AddForeignKey
ALTER TABLE "wix_webhook_deliveries" ADD CONSTRAINT "wix_webhook_deliveries_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_webhook_deliveries" ADD CONSTRAINT "wix_webhook_deliveries_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_invoice_statuses" ADD CONSTRAINT "wix_invoice_statuses_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
