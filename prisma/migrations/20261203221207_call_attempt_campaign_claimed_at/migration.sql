-- CreateIndex
CREATE INDEX "call_attempt_campaign_id_claimed_at_idx" ON "call_attempt"("campaign_id", "claimed_at");
