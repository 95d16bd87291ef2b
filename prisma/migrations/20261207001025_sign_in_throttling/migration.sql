-- CreateEnum
CREATE TYPE "SignInScope" AS ENUM ('account', 'address');

-- CreateTable
CREATE TABLE "sign_in_throttles" (
    "scope" "SignInScope" NOT NULL,
    "subject" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "first_failure_at" TIMESTAMPTZ(3) NOT NULL,
    "last_failure_at" TIMESTAMPTZ(3) NOT NULL,
    "locked_until" TIMESTAMPTZ(3),
    "refused" INTEGER NOT NULL DEFAULT 0,
    "last_other" TEXT,

    CONSTRAINT "sign_in_throttles_pkey" PRIMARY KEY ("scope","subject")
);

-- CreateTable
CREATE TABLE "sign_in_known_addresses" (
    "user_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "last_success_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sign_in_known_addresses_pkey" PRIMARY KEY ("user_id","address")
);

-- CreateIndex
CREATE INDEX "sign_in_throttles_last_failure_at_idx" ON "sign_in_throttles"("last_failure_at");
