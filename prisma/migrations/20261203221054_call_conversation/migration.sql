-- CreateEnum
CREATE TYPE "ConversationState" AS ENUM ('pending', 'completed', 'timed_out');

-- CreateTable
CREATE TABLE "call_conversation" (
    "attempt_id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "state" "ConversationState" NOT NULL DEFAULT 'pending',
    "conversation_id" TEXT,
    "transcript" JSONB,
    "insights" JSONB NOT NULL DEFAULT '[]',
    "insights_pending" INTEGER NOT NULL DEFAULT 0,
    "goal_met" BOOLEAN,
    "opted_out" BOOLEAN,
    "deadline_at" TIMESTAMP(3) NOT NULL,
    "next_check_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "checks" INTEGER NOT NULL DEFAULT 0,
    "note" TEXT,
    "webhook_results" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "call_conversation_pkey" PRIMARY KEY ("attempt_id")
);

-- CreateIndex
CREATE INDEX "call_conversation_state_next_check_at_idx" ON "call_conversation"("state", "next_check_at");

-- CreateIndex
CREATE INDEX "call_conversation_campaign_id_idx" ON "call_conversation"("campaign_id");

-- AddForeignKey
ALTER TABLE "call_conversation" ADD CONSTRAINT "call_conversation_attempt_id_fkey" FOREIGN KEY ("attempt_id") REFERENCES "call_attempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_conversation" ADD CONSTRAINT "call_conversation_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
