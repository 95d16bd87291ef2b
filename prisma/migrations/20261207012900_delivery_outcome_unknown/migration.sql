-- AlterEnum
ALTER TYPE "DeliveryState" ADD VALUE 'outcome_unknown';
