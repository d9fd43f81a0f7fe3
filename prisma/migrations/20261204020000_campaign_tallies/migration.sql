-- Counts a campaign's status reads without counting its contacts: contact_tally and
-- conversation_tally hold signed deltas (contacts per state, outcome and whether ever dialed,
-- conversations per state, goal and opt-out) that statement triggers append in the same transaction
-- as the rows change. The sum of a campaign's rows is its exact count in any snapshot. Appending
-- (never updating a shared counter row) keeps concurrent dial transactions from waiting on each
-- other, and the maintenance worker folds each group's rows into one (fold-tallies.ts). Neither
-- table is in schema.prisma: only SQL reads them, like the contact_result view.
CREATE TABLE "contact_tally" (
    "campaign_id" UUID NOT NULL,
    "state" "ContactState" NOT NULL,
    "outcome" TEXT,
    "dialed" BOOLEAN NOT NULL,
    "contacts" BIGINT NOT NULL
);
CREATE INDEX "contact_tally_campaign_id_idx" ON "contact_tally"("campaign_id");

CREATE TABLE "conversation_tally" (
    "campaign_id" UUID NOT NULL,
    "state" "ConversationState" NOT NULL,
    "goal_met" BOOLEAN,
    "opted_out" BOOLEAN NOT NULL,
    "insights_pending" BOOLEAN NOT NULL,
    "conversations" BIGINT NOT NULL
);
CREATE INDEX "conversation_tally_campaign_id_idx" ON "conversation_tally"("campaign_id");

-- One function per table for its three triggers (a trigger with transition tables has one event).
-- A group whose rows only changed in other columns nets to zero and appends nothing.
CREATE FUNCTION "tally_contact_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO "contact_tally" ("campaign_id", "state", "outcome", "dialed", "contacts")
        SELECT "campaign_id", "state", "outcome", "attempt_count" > "unplaced_attempts", count(*)
          FROM new_rows GROUP BY 1, 2, 3, 4;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO "contact_tally" ("campaign_id", "state", "outcome", "dialed", "contacts")
        SELECT "campaign_id", "state", "outcome", "attempt_count" > "unplaced_attempts", -count(*)
          FROM old_rows GROUP BY 1, 2, 3, 4;
    ELSE
        INSERT INTO "contact_tally" ("campaign_id", "state", "outcome", "dialed", "contacts")
        SELECT "campaign_id", "state", "outcome", "dialed", sum("change")
          FROM (SELECT "campaign_id", "state", "outcome", "attempt_count" > "unplaced_attempts" AS "dialed", 1 AS "change" FROM new_rows
                UNION ALL
                SELECT "campaign_id", "state", "outcome", "attempt_count" > "unplaced_attempts", -1 FROM old_rows) AS changes
         GROUP BY 1, 2, 3, 4 HAVING sum("change") <> 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER "contact_tally_insert" AFTER INSERT ON "contact" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "tally_contact_changes"();
CREATE TRIGGER "contact_tally_update" AFTER UPDATE ON "contact" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "tally_contact_changes"();
CREATE TRIGGER "contact_tally_delete" AFTER DELETE ON "contact" REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "tally_contact_changes"();

CREATE FUNCTION "tally_conversation_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO "conversation_tally" ("campaign_id", "state", "goal_met", "opted_out", "insights_pending", "conversations")
        SELECT "campaign_id", "state", "goal_met", coalesce("opted_out", false), "insights_pending" > 0, count(*)
          FROM new_rows GROUP BY 1, 2, 3, 4, 5;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO "conversation_tally" ("campaign_id", "state", "goal_met", "opted_out", "insights_pending", "conversations")
        SELECT "campaign_id", "state", "goal_met", coalesce("opted_out", false), "insights_pending" > 0, -count(*)
          FROM old_rows GROUP BY 1, 2, 3, 4, 5;
    ELSE
        INSERT INTO "conversation_tally" ("campaign_id", "state", "goal_met", "opted_out", "insights_pending", "conversations")
        SELECT "campaign_id", "state", "goal_met", "opted_out", "insights_pending", sum("change")
          FROM (SELECT "campaign_id", "state", "goal_met", coalesce("opted_out", false) AS "opted_out", "insights_pending" > 0 AS "insights_pending", 1 AS "change" FROM new_rows
                UNION ALL
                SELECT "campaign_id", "state", "goal_met", coalesce("opted_out", false), "insights_pending" > 0, -1 FROM old_rows) AS changes
         GROUP BY 1, 2, 3, 4, 5 HAVING sum("change") <> 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER "conversation_tally_insert" AFTER INSERT ON "call_conversation" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "tally_conversation_changes"();
CREATE TRIGGER "conversation_tally_update" AFTER UPDATE ON "call_conversation" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "tally_conversation_changes"();
CREATE TRIGGER "conversation_tally_delete" AFTER DELETE ON "call_conversation" REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "tally_conversation_changes"();

-- The rows that exist now. The triggers above already lock out writers (CREATE TRIGGER takes a
-- SHARE ROW EXCLUSIVE lock until this migration commits), so nothing is counted twice or missed.
INSERT INTO "contact_tally" ("campaign_id", "state", "outcome", "dialed", "contacts")
SELECT "campaign_id", "state", "outcome", "attempt_count" > "unplaced_attempts", count(*) FROM "contact" GROUP BY 1, 2, 3, 4;
INSERT INTO "conversation_tally" ("campaign_id", "state", "goal_met", "opted_out", "insights_pending", "conversations")
SELECT "campaign_id", "state", "goal_met", coalesce("opted_out", false), "insights_pending" > 0, count(*) FROM "call_conversation" GROUP BY 1, 2, 3, 4, 5;

-- Why pending contacts wait, without reading them: the never-dialed ones waiting for their calling
-- window (next_attempt_at ahead) are a range of this index, and so is the earliest retry.
CREATE INDEX "contact_pending_next_attempt_idx" ON "contact"("campaign_id", ("attempt_count" > "unplaced_attempts"), "next_attempt_at") WHERE "state" = 'pending';
-- Attempts still holding a slot, and outcomes taken from call records: small sets of a campaign's attempts.
CREATE INDEX "call_attempt_campaign_id_unreleased_idx" ON "call_attempt"("campaign_id") WHERE "slot_released_at" IS NULL;
CREATE INDEX "call_attempt_campaign_id_from_records_idx" ON "call_attempt"("campaign_id") WHERE "outcome_source" = 'call_record';
