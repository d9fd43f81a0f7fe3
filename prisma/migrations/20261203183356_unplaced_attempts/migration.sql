-- AlterEnum
ALTER TYPE "AttemptState" ADD VALUE 'not_placed';

-- AlterTable
ALTER TABLE "contact" ADD COLUMN     "unplaced_attempts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "call_attempt" ADD COLUMN     "record_absent_checks" INTEGER NOT NULL DEFAULT 0;
