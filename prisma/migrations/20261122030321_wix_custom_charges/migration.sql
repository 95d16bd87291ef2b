-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('info', 'warning', 'critical');

-- CreateEnum
CREATE TYPE "AlertWebhookStatus" AS ENUM ('not_configured', 'pending', 'sending', 'delivered', 'failed');

-- CreateEnum
CREATE TYPE "WixLimitSource" AS ENUM ('initial', 'raised', 'rejection');

-- CreateEnum
CREATE TYPE "WixPeriodStatus" AS ENUM ('proposed', 'invoiced', 'rejected', 'no_charges');

-- CreateEnum
CREATE TYPE "WixChargeStatus" AS ENUM ('proposed', 'invoiced', 'rejected', 'withdrawn');

-- CreateEnum
CREATE TYPE "WixRejectionKind" AS ENUM ('charges', 'usages');

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "connection_id" UUID,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" JSONB,
    "dedupe_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by_id" UUID,
    "webhook_status" "AlertWebhookStatus" NOT NULL DEFAULT 'not_configured',
    "webhook_attempts" INTEGER NOT NULL DEFAULT 0,
    "webhook_last_attempt_at" TIMESTAMPTZ(3),
    "webhook_next_attempt_at" TIMESTAMPTZ(3),
    "webhook_last_status" INTEGER,
    "webhook_last_error" TEXT,
    "webhook_delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_limit_changes" (
    "id" BIGSERIAL NOT NULL,
    "wix_instance_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" "WixLimitSource" NOT NULL,
    "previous_limit" DECIMAL(24,10),
    "charge_limit" DECIMAL(24,10) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "subscription_id" TEXT,
    "request_id" TEXT,

    CONSTRAINT "wix_limit_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_billing_periods" (
    "id" UUID NOT NULL,
    "wix_instance_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "subscription_id" TEXT,
    "status" "WixPeriodStatus" NOT NULL,
    "charge_limit" DECIMAL(24,10) NOT NULL,
    "already_charged" DECIMAL(24,10) NOT NULL DEFAULT 0,
    "usage_amount" DECIMAL(24,10) NOT NULL,
    "proposed_amount" DECIMAL(24,10) NOT NULL,
    "carried_amount" DECIMAL(24,10) NOT NULL,
    "carried" JSONB NOT NULL,
    "invoiced_amount" DECIMAL(24,10),
    "last_event_id" BIGINT,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "last_request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "wix_billing_periods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_charges" (
    "id" UUID NOT NULL,
    "period_id" UUID NOT NULL,
    "wix_instance_id" UUID NOT NULL,
    "charge_id" VARCHAR(64) NOT NULL,
    "description" TEXT NOT NULL,
    "amount" DECIMAL(24,10) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "lines" JSONB NOT NULL,
    "status" "WixChargeStatus" NOT NULL,
    "invoice_id" UUID,
    "invoiced_amount" DECIMAL(24,10),
    "rejection_reasons" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "proposed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "wix_charges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_invoices" (
    "id" UUID NOT NULL,
    "wix_instance_id" UUID NOT NULL,
    "invoice_id" TEXT NOT NULL,
    "subscription_id" TEXT,
    "currency" CHAR(3) NOT NULL,
    "total" DECIMAL(24,10) NOT NULL,
    "request_id" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wix_invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_invoice_lines" (
    "id" BIGSERIAL NOT NULL,
    "invoice_row_id" UUID NOT NULL,
    "line_id" TEXT NOT NULL,
    "charge_id" TEXT NOT NULL,
    "amount" DECIMAL(24,10) NOT NULL,
    "wix_charge_row_id" UUID,

    CONSTRAINT "wix_invoice_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_rejections" (
    "id" BIGSERIAL NOT NULL,
    "wix_instance_id" UUID NOT NULL,
    "kind" "WixRejectionKind" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "currency" CHAR(3) NOT NULL,
    "subscription_id" TEXT,
    "charge_limit" DECIMAL(24,10),
    "reasons" TEXT[],
    "charge_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "usage_lines" JSONB,
    "request_id" TEXT,

    CONSTRAINT "wix_rejections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "alerts_dedupe_key_key" ON "alerts"("dedupe_key");

-- CreateIndex
CREATE INDEX "alerts_created_at_id_idx" ON "alerts"("created_at", "id");

-- CreateIndex
CREATE INDEX "alerts_subject_type_subject_id_created_at_idx" ON "alerts"("subject_type", "subject_id", "created_at");

-- CreateIndex
CREATE INDEX "alerts_webhook_status_webhook_next_attempt_at_idx" ON "alerts"("webhook_status", "webhook_next_attempt_at");

-- CreateIndex
CREATE INDEX "wix_limit_changes_wix_instance_id_at_idx" ON "wix_limit_changes"("wix_instance_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "wix_billing_periods_wix_instance_id_period_start_period_end_key" ON "wix_billing_periods"("wix_instance_id", "period_start", "period_end");

-- CreateIndex
CREATE INDEX "wix_charges_period_id_idx" ON "wix_charges"("period_id");

-- CreateIndex
CREATE UNIQUE INDEX "wix_charges_wix_instance_id_charge_id_key" ON "wix_charges"("wix_instance_id", "charge_id");

-- CreateIndex
CREATE UNIQUE INDEX "wix_invoices_wix_instance_id_invoice_id_key" ON "wix_invoices"("wix_instance_id", "invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "wix_invoice_lines_invoice_row_id_line_id_key" ON "wix_invoice_lines"("invoice_row_id", "line_id");

-- CreateIndex
CREATE INDEX "wix_rejections_wix_instance_id_at_idx" ON "wix_rejections"("wix_instance_id", "at");

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_acknowledged_by_id_fkey" FOREIGN KEY ("acknowledged_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_limit_changes" ADD CONSTRAINT "wix_limit_changes_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_billing_periods" ADD CONSTRAINT "wix_billing_periods_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_charges" ADD CONSTRAINT "wix_charges_period_id_fkey" FOREIGN KEY ("period_id") REFERENCES "wix_billing_periods"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_charges" ADD CONSTRAINT "wix_charges_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_charges" ADD CONSTRAINT "wix_charges_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "wix_invoices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_invoices" ADD CONSTRAINT "wix_invoices_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_invoice_lines" ADD CONSTRAINT "wix_invoice_lines_invoice_row_id_fkey" FOREIGN KEY ("invoice_row_id") REFERENCES "wix_invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_rejections" ADD CONSTRAINT "wix_rejections_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
