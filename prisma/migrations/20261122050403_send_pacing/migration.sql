-- DropTable
DROP TABLE "rate_permits";

-- CreateTable
CREATE TABLE "send_pacing" (
    "connection_id" UUID NOT NULL,
    "next_at_us" BIGINT NOT NULL,

    CONSTRAINT "send_pacing_pkey" PRIMARY KEY ("connection_id")
);
