-- The dashboard's queries are short, index-driven reads of the rollups and the ledger. Postgres's
-- JIT compiles a query whose estimated cost passes jit_above_cost, which the Overview's cycle and
-- window queries do at a million events: the compiling cost more than it saved. Measured on one
-- cluster, Overview data with JIT on / off, alternating, 6 samples each: cold (first call after a
-- restart) median 652 / 574 ms, warm about 200 / 120 ms.
-- Set for this database, so every connection of the web process and the worker gets it. A role
-- that does not own the database cannot set it: then nothing changes and the migration goes on.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'jit left as it is (%): ALTER DATABASE needs the database owner', SQLERRM;
END
$$;
