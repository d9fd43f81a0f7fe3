-- The dry run counts a campaign's waiting contacts per time zone and number prefix: from this index
-- alone it reads a few MB instead of the table pages the waiting contacts are spread over.
CREATE INDEX "contact_waiting_zone_idx" ON "contact"("campaign_id", "timezone", "phone", "id") WHERE "state" IN ('pending', 'queued');
