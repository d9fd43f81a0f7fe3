-- Why pending contacts wait, as two plain partial indexes instead of one on an expression: Postgres
-- counts the never-dialed ones waiting for their window (a range of the first) from the index alone,
-- which it cannot do with an expression column; the second gives the earliest retry.
DROP INDEX "contact_pending_next_attempt_idx";
CREATE INDEX "contact_pending_undialed_idx" ON "contact"("campaign_id", "next_attempt_at") WHERE "state" = 'pending' AND "attempt_count" <= "unplaced_attempts";
CREATE INDEX "contact_pending_retry_idx" ON "contact"("campaign_id", "next_attempt_at") WHERE "state" = 'pending' AND "attempt_count" > "unplaced_attempts";
