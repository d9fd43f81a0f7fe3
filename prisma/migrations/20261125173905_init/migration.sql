-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('draft', 'running', 'paused', 'completed', 'canceled');

-- CreateEnum
CREATE TYPE "ContactState" AS ENUM ('pending', 'queued', 'dialing', 'in_call', 'completed', 'no_answer', 'busy', 'failed', 'canceled', 'suppressed');

-- CreateEnum
CREATE TYPE "AttemptState" AS ENUM ('claimed', 'accepted', 'rejected', 'unknown', 'initiated', 'ringing', 'in_progress', 'completed', 'busy', 'no_answer', 'canceled', 'failed', 'failed_unknown');

-- CreateEnum
CREATE TYPE "CallEventKind" AS ENUM ('status', 'conversation', 'amd', 'recording');

-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('running', 'completed', 'failed');

-- CreateTable
CREATE TABLE "campaign" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "status" "CampaignStatus" NOT NULL DEFAULT 'draft',
    "pause_reason" TEXT,
    "config" JSONB NOT NULL,
    "max_concurrent_calls" INTEGER NOT NULL,
    "active_calls" INTEGER NOT NULL DEFAULT 0,
    "consecutive_rejections" INTEGER NOT NULL DEFAULT 0,
    "last_rejection_code" TEXT,
    "schedule_cron" TEXT,
    "schedule_tz" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "campaign_id" UUID NOT NULL,
    "phone" TEXT NOT NULL,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "timezone" TEXT,
    "state" "ContactState" NOT NULL DEFAULT 'pending',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3),
    "outcome" TEXT,
    "import_id" UUID,
    "source_row" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call_attempt" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contact_id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "attempt_number" INTEGER NOT NULL,
    "state" "AttemptState" NOT NULL DEFAULT 'claimed',
    "call_sid" TEXT,
    "last_sequence_number" INTEGER,
    "status_history" JSONB NOT NULL DEFAULT '[]',
    "answered_by" TEXT,
    "ring_duration_sec" INTEGER,
    "talk_duration_sec" INTEGER,
    "hangup_cause" TEXT,
    "hangup_source" TEXT,
    "sip_hangup_cause" TEXT,
    "conversation_id" TEXT,
    "recording_url" TEXT,
    "error_code" TEXT,
    "error_detail" TEXT,
    "claimed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "responded_at" TIMESTAMP(3),
    "ringing_at" TIMESTAMP(3),
    "answered_at" TIMESTAMP(3),
    "ended_at" TIMESTAMP(3),
    "analyzed_at" TIMESTAMP(3),
    "slot_released_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "call_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call_event" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "attempt_id" UUID,
    "campaign_id" UUID,
    "kind" "CallEventKind" NOT NULL,
    "call_sid" TEXT,
    "sequence_number" INTEGER,
    "status" TEXT,
    "dedupe_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "call_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "campaign_id" UUID NOT NULL,
    "file_name" TEXT NOT NULL,
    "status" "ImportStatus" NOT NULL DEFAULT 'running',
    "rows_read" INTEGER NOT NULL DEFAULT 0,
    "imported" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "import_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_rejection" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "import_id" UUID NOT NULL,
    "row_number" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "raw" TEXT NOT NULL,

    CONSTRAINT "import_rejection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "do_not_call" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "phone" TEXT NOT NULL,
    "campaign_id" UUID,
    "scope" TEXT NOT NULL,
    "source" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "do_not_call_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "contact_campaign_id_state_next_attempt_at_idx" ON "contact"("campaign_id", "state", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "contact_campaign_id_phone_key" ON "contact"("campaign_id", "phone");

-- CreateIndex
CREATE UNIQUE INDEX "call_attempt_call_sid_key" ON "call_attempt"("call_sid");

-- CreateIndex
CREATE INDEX "call_attempt_campaign_id_state_idx" ON "call_attempt"("campaign_id", "state");

-- CreateIndex
CREATE INDEX "call_attempt_state_claimed_at_idx" ON "call_attempt"("state", "claimed_at");

-- CreateIndex
CREATE UNIQUE INDEX "call_attempt_contact_id_attempt_number_key" ON "call_attempt"("contact_id", "attempt_number");

-- CreateIndex
CREATE UNIQUE INDEX "call_event_dedupe_key_key" ON "call_event"("dedupe_key");

-- CreateIndex
CREATE INDEX "call_event_attempt_id_idx" ON "call_event"("attempt_id");

-- CreateIndex
CREATE INDEX "call_event_call_sid_idx" ON "call_event"("call_sid");

-- CreateIndex
CREATE INDEX "import_campaign_id_idx" ON "import"("campaign_id");

-- CreateIndex
CREATE INDEX "import_rejection_import_id_row_number_idx" ON "import_rejection"("import_id", "row_number");

-- CreateIndex
CREATE UNIQUE INDEX "do_not_call_phone_scope_key" ON "do_not_call"("phone", "scope");

-- AddForeignKey
ALTER TABLE "contact" ADD CONSTRAINT "contact_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_attempt" ADD CONSTRAINT "call_attempt_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_attempt" ADD CONSTRAINT "call_attempt_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_event" ADD CONSTRAINT "call_event_attempt_id_fkey" FOREIGN KEY ("attempt_id") REFERENCES "call_attempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_event" ADD CONSTRAINT "call_event_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import" ADD CONSTRAINT "import_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_rejection" ADD CONSTRAINT "import_rejection_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "import"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "do_not_call" ADD CONSTRAINT "do_not_call_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
