-- CreateEnum
CREATE TYPE "PersonalDataMode" AS ENUM ('refuse', 'warn');

-- AlterTable
ALTER TABLE "billing_events" ADD COLUMN     "personal_data" JSONB;

-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "personal_data_mode" "PersonalDataMode" NOT NULL DEFAULT 'refuse';

-- CreateTable
CREATE TABLE "personal_data_catches" (
    "connection_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "refused" INTEGER NOT NULL DEFAULT 0,
    "held" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "personal_data_catches_pkey" PRIMARY KEY ("connection_id","day")
);

-- CreateIndex
CREATE INDEX "personal_data_catches_day_idx" ON "personal_data_catches"("day");

-- AddForeignKey
ALTER TABLE "personal_data_catches" ADD CONSTRAINT "personal_data_catches_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;
