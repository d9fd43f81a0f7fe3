-- Dials Telnyx's call records showed were never placed (attempt state not_placed, counted in
-- contact.unplaced_attempts) are not dials: `attempts` counts the placed ones, and a contact whose only
-- attempts were never placed waits as never dialed ('due' or 'window'), not for a retry. The same
-- expression as src/attempts/states.ts pendingReasonSql (change both together). One statement, no
-- semicolon in the comments (the schema engine splits at each).
CREATE OR REPLACE VIEW "contact_result" AS
SELECT
    c.id AS contact_id,
    c.campaign_id,
    cp.name AS campaign_name,
    c.phone,
    c.state,
    CASE
        WHEN c.state = 'completed' AND last_attempt.answered_by LIKE 'machine%' THEN 'voicemail'
        ELSE COALESCE(c.outcome, CASE WHEN c.state IN ('completed', 'no_answer', 'busy', 'failed', 'canceled', 'suppressed') THEN c.state::text END)
    END AS outcome,
    c.attempt_count - c.unplaced_attempts AS attempts,
    c.next_attempt_at,
    c.variables,
    c.timezone,
    c.source_row,
    last_attempt.id AS last_attempt_id,
    last_attempt.attempt_number AS last_attempt_number,
    last_attempt.call_sid,
    last_attempt.state AS last_call_status,
    last_attempt.answered_by,
    last_attempt.ring_duration_sec,
    last_attempt.talk_duration_sec,
    last_attempt.hangup_cause,
    last_attempt.hangup_source,
    last_attempt.sip_hangup_cause,
    last_attempt.conversation_id,
    last_attempt.recording_url,
    last_attempt.error_code,
    last_attempt.error_detail,
    last_attempt.claimed_at AS dialed_at,
    last_attempt.ringing_at,
    last_attempt.answered_at,
    last_attempt.ended_at,
    last_attempt.analyzed_at,
    CASE
        WHEN c.state <> 'pending' THEN NULL
        WHEN c.attempt_count - c.unplaced_attempts > 0 THEN 'retry'
        WHEN c.next_attempt_at > (now() AT TIME ZONE 'UTC') THEN 'window'
        ELSE 'due'
    END AS waiting
FROM "contact" c
JOIN "campaign" cp ON cp.id = c.campaign_id
LEFT JOIN LATERAL (
    SELECT a.* FROM "call_attempt" a
    WHERE a.contact_id = c.id
    ORDER BY a.attempt_number DESC
    LIMIT 1
) last_attempt ON true;
