-- CreateEnum
CREATE TYPE "EventKind" AS ENUM ('shopify_usage', 'wix_billing_event', 'wix_usage');

-- AlterTable
ALTER TABLE "billing_events" ADD COLUMN     "kind" "EventKind",
ADD COLUMN     "predicted_hint" TEXT;
-- Events recorded before kinds existed: Shopify usage, or Wix external billing events.
UPDATE "billing_events" SET "kind" = CASE "platform" WHEN 'shopify' THEN 'shopify_usage'::"EventKind" ELSE 'wix_billing_event'::"EventKind" END;
ALTER TABLE "billing_events" ALTER COLUMN "kind" SET NOT NULL;

-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "last_auth_error_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_send_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_send_error" TEXT,
ADD COLUMN     "verdict_cursor" TEXT;

-- CreateTable
CREATE TABLE "wix_price_items" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "unit_price" DECIMAL(24,10) NOT NULL,
    "currency" CHAR(3) NOT NULL,

    CONSTRAINT "wix_price_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_permits" (
    "connection_id" UUID NOT NULL,
    "second" BIGINT NOT NULL,
    "used" INTEGER NOT NULL,

    CONSTRAINT "rate_permits_pkey" PRIMARY KEY ("connection_id","second")
);

-- CreateIndex
CREATE UNIQUE INDEX "wix_price_items_connection_id_kind_currency_key" ON "wix_price_items"("connection_id", "kind", "currency");

-- AddForeignKey
ALTER TABLE "wix_price_items" ADD CONSTRAINT "wix_price_items_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
