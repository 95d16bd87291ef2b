-- A meter's price over time, per plan and handle: a plan whose price changes under the same handle
-- must not price its past cycles at today's price. One row each time a meter is written with a
-- price (structure, unit price, included units, tiers, currency) other than its latest one; a meter
-- deleted and made again under its handle continues the same history. Written by a trigger, so
-- every writer of meters (the sandbox sync, discovery, the plans page) keeps it.
CREATE TABLE "meter_prices" (
    "id" BIGSERIAL NOT NULL,
    "plan_id" UUID NOT NULL,
    "handle" TEXT NOT NULL,
    "structure" "PricingStructure" NOT NULL,
    "unit_price" DECIMAL(24,10) NOT NULL,
    "included_units" DECIMAL(24,10) NOT NULL,
    "tiers" JSONB,
    "currency" CHAR(3) NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "meter_prices_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "meter_prices_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "meter_prices_plan_id_handle_effective_from_idx" ON "meter_prices"("plan_id", "handle", "effective_from");

CREATE FUNCTION "meters_price_history"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM (
      SELECT * FROM "meter_prices" h WHERE h.plan_id = NEW.plan_id AND h.handle = NEW.handle ORDER BY h.effective_from DESC, h.id DESC LIMIT 1
    ) last
    WHERE last.structure = NEW.structure AND last.unit_price = NEW.unit_price AND last.included_units = NEW.included_units
      AND last.tiers IS NOT DISTINCT FROM NEW.tiers AND last.currency = NEW.currency
  ) THEN
    INSERT INTO "meter_prices" ("plan_id", "handle", "structure", "unit_price", "included_units", "tiers", "currency", "effective_from")
    VALUES (NEW.plan_id, NEW.handle, NEW.structure, NEW.unit_price, NEW.included_units, NEW.tiers, NEW.currency, clock_timestamp());
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER "meters_price_history" AFTER INSERT OR UPDATE ON "meters"
  FOR EACH ROW EXECUTE FUNCTION "meters_price_history"();

-- The prices in force now, from now on; a cycle before the first known price is priced with it.
INSERT INTO "meter_prices" ("plan_id", "handle", "structure", "unit_price", "included_units", "tiers", "currency")
SELECT "plan_id", "handle", "structure", "unit_price", "included_units", "tiers", "currency" FROM "meters";
