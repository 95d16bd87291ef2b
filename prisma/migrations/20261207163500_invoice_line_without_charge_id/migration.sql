-- Wix's SDK types an invoice line's chargeId as nullable (docs/platforms/wix.md §5.3): such a line is kept, matched to no charge.
ALTER TABLE "wix_invoice_lines" ALTER COLUMN "charge_id" DROP NOT NULL;
