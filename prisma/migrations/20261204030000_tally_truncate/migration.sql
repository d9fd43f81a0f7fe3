-- TRUNCATE fires no row or transition-table trigger: a truncated contact or call_conversation table
-- (directly or by CASCADE) empties its tallies too, in the same transaction.
CREATE FUNCTION "tally_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'contact' THEN
        DELETE FROM "contact_tally";
    ELSE
        DELETE FROM "conversation_tally";
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER "contact_tally_truncate" AFTER TRUNCATE ON "contact" FOR EACH STATEMENT EXECUTE FUNCTION "tally_truncate"();
CREATE TRIGGER "conversation_tally_truncate" AFTER TRUNCATE ON "call_conversation" FOR EACH STATEMENT EXECUTE FUNCTION "tally_truncate"();
