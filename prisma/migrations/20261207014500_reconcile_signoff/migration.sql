-- CreateEnum
CREATE TYPE "RefreshStatus" AS ENUM ('requested', 'running', 'finished', 'failed');

-- CreateEnum
CREATE TYPE "CycleState" AS ENUM ('open', 'balanced', 'closed', 'closed_with_gap');

-- CreateEnum
CREATE TYPE "DifferenceKind" AS ENUM ('missing_there', 'missing_here', 'verdict_differs', 'units_differ', 'amount_differs');

-- CreateEnum
CREATE TYPE "DifferenceState" AS ENUM ('open', 'resolved', 'cleared');

-- CreateTable
CREATE TABLE "platform_figures" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "cycle_start" TIMESTAMPTZ(3) NOT NULL,
    "cycle_end" TIMESTAMPTZ(3) NOT NULL,
    "handle" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "units" DECIMAL(24,10),
    "amount" DECIMAL(24,10),
    "currency" CHAR(3) NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "platform_figures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "platform_refreshes" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "status" "RefreshStatus" NOT NULL DEFAULT 'requested',
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "rate_limited" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "platform_refreshes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconcile_cycles" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "subject_label" TEXT NOT NULL,
    "cycle_start" TIMESTAMPTZ(3) NOT NULL,
    "cycle_end" TIMESTAMPTZ(3) NOT NULL,
    "meters" JSONB NOT NULL DEFAULT '[]',
    "open_count" INTEGER NOT NULL DEFAULT 0,
    "state" "CycleState" NOT NULL DEFAULT 'open',
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fingerprint" TEXT NOT NULL DEFAULT '',
    "closed_by_id" UUID,
    "closed_by_email" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "close_note" TEXT,
    "gap" JSONB,
    "snapshot" JSONB,
    "closed_fingerprint" TEXT,
    "reopened_at" TIMESTAMPTZ(3),

    CONSTRAINT "reconcile_cycles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconcile_differences" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "cycle_start" TIMESTAMPTZ(3) NOT NULL,
    "kind" "DifferenceKind" NOT NULL,
    "key" TEXT NOT NULL,
    "event_id" BIGINT,
    "handle" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3),
    "our_units" DECIMAL(24,10),
    "platform_units" DECIMAL(24,10),
    "amount" DECIMAL(24,10) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "our_verdict" TEXT,
    "platform_verdict" TEXT,
    "state" "DifferenceState" NOT NULL DEFAULT 'open',
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolution" TEXT,
    "resolved_by_id" UUID,
    "resolved_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "note" TEXT,

    CONSTRAINT "reconcile_differences_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "platform_figures_connection_id_subject_id_cycle_start_handl_key" ON "platform_figures"("connection_id", "subject_id", "cycle_start", "handle", "source");

-- CreateIndex
CREATE INDEX "platform_refreshes_connection_id_requested_at_idx" ON "platform_refreshes"("connection_id", "requested_at");

-- CreateIndex
CREATE INDEX "platform_refreshes_status_requested_at_idx" ON "platform_refreshes"("status", "requested_at");

-- CreateIndex
CREATE INDEX "reconcile_cycles_connection_id_cycle_end_idx" ON "reconcile_cycles"("connection_id", "cycle_end");

-- CreateIndex
CREATE UNIQUE INDEX "reconcile_cycles_connection_id_subject_id_cycle_start_key" ON "reconcile_cycles"("connection_id", "subject_id", "cycle_start");

-- CreateIndex
CREATE INDEX "reconcile_differences_connection_id_state_id_idx" ON "reconcile_differences"("connection_id", "state", "id");

-- CreateIndex
CREATE INDEX "reconcile_differences_connection_id_subject_id_cycle_start__idx" ON "reconcile_differences"("connection_id", "subject_id", "cycle_start", "state");

-- CreateIndex
CREATE UNIQUE INDEX "reconcile_differences_connection_id_subject_id_cycle_start__key" ON "reconcile_differences"("connection_id", "subject_id", "cycle_start", "kind", "key");
