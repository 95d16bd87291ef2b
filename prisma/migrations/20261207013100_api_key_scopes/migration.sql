-- AlterTable
ALTER TABLE "ingest_api_keys" ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY['ingest']::TEXT[];
