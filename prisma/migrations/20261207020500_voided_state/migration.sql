-- AlterEnum
ALTER TYPE "DeliveryState" ADD VALUE 'voided';
