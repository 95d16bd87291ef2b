-- A later read that says something else for a key (verdict, code or quantity): when, and what the
-- row said before and from which source. A read that only restates a row changes nothing here.
ALTER TABLE "platform_log_entries" ADD COLUMN "changed_at" TIMESTAMPTZ(3),
    ADD COLUMN "prior_verdict" TEXT,
    ADD COLUMN "prior_source" "VerdictSource";

-- Why a signed-off cycle reopened, naming the platform-side source of the change.
ALTER TABLE "reconcile_cycles" ADD COLUMN "reopen_reason" TEXT;
