-- AlterEnum
ALTER TYPE "DifferenceKind" ADD VALUE 'charge_differs';

-- AlterTable
ALTER TABLE "reconcile_cycles" ADD COLUMN     "charges" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "plan_handle" TEXT;
