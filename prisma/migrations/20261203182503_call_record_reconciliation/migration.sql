-- CreateEnum
CREATE TYPE "OutcomeSource" AS ENUM ('callback', 'call_record');

-- AlterTable
ALTER TABLE "call_attempt" ADD COLUMN     "outcome_source" "OutcomeSource",
ADD COLUMN     "record_check_at" TIMESTAMP(3),
ADD COLUMN     "record_check_note" TEXT,
ADD COLUMN     "record_checks" INTEGER NOT NULL DEFAULT 0;
