-- CreateEnum
CREATE TYPE "ShopLookupState" AS ENUM ('pending', 'found', 'not_found');

-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "discovery_backfilled_at" TIMESTAMPTZ(3),
ADD COLUMN     "discovery_error" TEXT,
ADD COLUMN     "discovery_error_at" TIMESTAMPTZ(3),
ADD COLUMN     "discovery_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "discovery_locked_until" TIMESTAMPTZ(3),
ADD COLUMN     "discovery_next_at" TIMESTAMPTZ(3),
ADD COLUMN     "discovery_scan" JSONB,
ADD COLUMN     "discovery_synced_at" TIMESTAMPTZ(3),
ADD COLUMN     "discovery_watermark" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "shops" ADD COLUMN     "installed_at" TIMESTAMPTZ(3),
ADD COLUMN     "lookup_error" TEXT,
ADD COLUMN     "lookup_state" "ShopLookupState";

-- CreateTable
CREATE TABLE "shopify_partner_events" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "shop_id" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shopify_partner_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "shopify_partner_events_connection_id_event_type_occurred_at_idx" ON "shopify_partner_events"("connection_id", "event_type", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "shopify_partner_events_connection_id_event_id_key" ON "shopify_partner_events"("connection_id", "event_id");

-- CreateIndex
CREATE INDEX "shops_lookup_state_idx" ON "shops"("lookup_state");
