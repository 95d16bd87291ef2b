-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'operator', 'viewer');

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('shopify', 'wix');

-- CreateEnum
CREATE TYPE "Environment" AS ENUM ('live', 'sandbox');

-- CreateEnum
CREATE TYPE "InstallState" AS ENUM ('installed', 'uninstalled');

-- CreateEnum
CREATE TYPE "EventSource" AS ENUM ('ui', 'api', 'import', 'scenario');

-- CreateEnum
CREATE TYPE "DeliveryState" AS ENUM ('received', 'held', 'queued', 'sending', 'accepted', 'retrying', 'failed');

-- CreateEnum
CREATE TYPE "Verdict" AS ENUM ('billable', 'non_billable', 'failed');

-- CreateEnum
CREATE TYPE "VerdictSource" AS ENUM ('sandbox_log', 'imported_file', 'person', 'wix_invoice', 'platform_response');

-- CreateEnum
CREATE TYPE "PricingStructure" AS ENUM ('fixed', 'graduated', 'volume');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor_email" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "note" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "ingest_api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connections" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "environment" "Environment" NOT NULL,
    "api_base_url" TEXT NOT NULL,
    "partner_api_url" TEXT,
    "client_id" TEXT NOT NULL,
    "app_gid" TEXT,
    "client_secret_enc" TEXT NOT NULL,
    "api_key_enc" TEXT,
    "account_id" TEXT,
    "partner_api_token_enc" TEXT,
    "plugin_public_key" TEXT,
    "default_charge_limit" DECIMAL(24,10),
    "alert_webhook_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plans" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "monthly_fee" DECIMAL(24,10) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "meters" (
    "id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "structure" "PricingStructure" NOT NULL,
    "unit_price" DECIMAL(24,10) NOT NULL,
    "included_units" DECIMAL(24,10) NOT NULL DEFAULT 0,
    "tiers" JSONB,
    "currency" CHAR(3) NOT NULL,

    CONSTRAINT "meters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shops" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "shop_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "is_dev_store" BOOLEAN NOT NULL DEFAULT false,
    "install_state" "InstallState" NOT NULL DEFAULT 'installed',
    "uninstalled_at" TIMESTAMPTZ(3),
    "plan_handle" TEXT,
    "subscription_status" TEXT,
    "cycle_start" TIMESTAMPTZ(3),
    "cycle_end" TIMESTAMPTZ(3),
    "subscription_synced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shops_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wix_instances" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "instance_id" TEXT NOT NULL,
    "site_name" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "is_test" BOOLEAN NOT NULL DEFAULT false,
    "install_state" "InstallState" NOT NULL DEFAULT 'installed',
    "uninstalled_at" TIMESTAMPTZ(3),
    "subscription_id" TEXT,
    "initial_charge_limit" DECIMAL(24,10),
    "charge_limit" DECIMAL(24,10),
    "cycle_start" TIMESTAMPTZ(3),
    "cycle_end" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wix_instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "billing_events" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "shop_id" UUID,
    "wix_instance_id" UUID,
    "handle" TEXT NOT NULL,
    "quantity" DECIMAL(24,10),
    "amount" DECIMAL(24,10),
    "currency" CHAR(3),
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "idempotency_key" VARCHAR(64) NOT NULL,
    "payload" JSONB NOT NULL,
    "source" "EventSource" NOT NULL,
    "created_by_id" UUID,
    "api_key_id" UUID,
    "predicted_verdict" "Verdict" NOT NULL,
    "predicted_code" TEXT,
    "predicted_details" TEXT,
    "state" "DeliveryState" NOT NULL,
    "send_anyway" BOOLEAN NOT NULL DEFAULT false,
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "platform_verdict" "Verdict",
    "platform_code" TEXT,
    "platform_details" TEXT,
    "verdict_source" "VerdictSource",
    "verdict_at" TIMESTAMPTZ(3),
    "corrects_id" BIGINT,
    "correction_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "billing_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempts" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "request" JSONB NOT NULL,
    "status" INTEGER,
    "response_body" TEXT,
    "latency_ms" INTEGER NOT NULL,
    "error" TEXT,
    "retryable" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_transitions" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,

    CONSTRAINT "event_transitions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "audit_log_entity_type_entity_id_at_idx" ON "audit_log"("entity_type", "entity_id", "at");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE UNIQUE INDEX "ingest_api_keys_hash_key" ON "ingest_api_keys"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "connections_platform_client_id_environment_key" ON "connections"("platform", "client_id", "environment");

-- CreateIndex
CREATE UNIQUE INDEX "plans_connection_id_handle_key" ON "plans"("connection_id", "handle");

-- CreateIndex
CREATE UNIQUE INDEX "meters_plan_id_handle_key" ON "meters"("plan_id", "handle");

-- CreateIndex
CREATE UNIQUE INDEX "shops_connection_id_shop_id_key" ON "shops"("connection_id", "shop_id");

-- CreateIndex
CREATE UNIQUE INDEX "wix_instances_connection_id_instance_id_key" ON "wix_instances"("connection_id", "instance_id");

-- CreateIndex
CREATE INDEX "billing_events_occurred_at_id_idx" ON "billing_events"("occurred_at", "id");

-- CreateIndex
CREATE INDEX "billing_events_state_next_attempt_at_idx" ON "billing_events"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "billing_events_connection_id_occurred_at_idx" ON "billing_events"("connection_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "billing_events_connection_id_idempotency_key_key" ON "billing_events"("connection_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "delivery_attempts_event_id_number_key" ON "delivery_attempts"("event_id", "number");

-- CreateIndex
CREATE INDEX "event_transitions_event_id_at_idx" ON "event_transitions"("event_id", "at");

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_api_keys" ADD CONSTRAINT "ingest_api_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plans" ADD CONSTRAINT "plans_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "meters" ADD CONSTRAINT "meters_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shops" ADD CONSTRAINT "shops_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wix_instances" ADD CONSTRAINT "wix_instances_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing_events" ADD CONSTRAINT "billing_events_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing_events" ADD CONSTRAINT "billing_events_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing_events" ADD CONSTRAINT "billing_events_wix_instance_id_fkey" FOREIGN KEY ("wix_instance_id") REFERENCES "wix_instances"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing_events" ADD CONSTRAINT "billing_events_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing_events" ADD CONSTRAINT "billing_events_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "ingest_api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing_events" ADD CONSTRAINT "billing_events_corrects_id_fkey" FOREIGN KEY ("corrects_id") REFERENCES "billing_events"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "billing_events"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_transitions" ADD CONSTRAINT "event_transitions_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "billing_events"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
