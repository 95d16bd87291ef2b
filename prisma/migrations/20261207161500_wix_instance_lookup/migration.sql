-- AlterTable
ALTER TABLE "wix_instances" ADD COLUMN     "lookup_state" "ShopLookupState";

-- CreateIndex
CREATE INDEX "wix_instances_lookup_state_idx" ON "wix_instances"("lookup_state");
