-- What each answered call achieved (call_conversation, read after the call): the last attempt's
-- conversation state, goal_met, opted_out, the insights still pending, the transcript, the insights as
-- stored and insight_results (label, or id when unlabeled, to the parsed JSON result, else the text).
-- New columns go at the end (CREATE OR REPLACE VIEW may only add columns there). One statement, no
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
    END AS waiting,
    conversation.state::text AS conversation_state,
    conversation.goal_met,
    conversation.opted_out,
    conversation.insights_pending,
    conversation.transcript,
    conversation.insights,
    (SELECT jsonb_object_agg(
                COALESCE(insight->>'label', insight->>'id'),
                CASE WHEN jsonb_typeof(insight->'parsed') IN ('object', 'array', 'boolean', 'number', 'string') THEN insight->'parsed' ELSE to_jsonb(insight->>'raw') END)
       FROM jsonb_array_elements(conversation.insights) AS insight) AS insight_results
FROM "contact" c
JOIN "campaign" cp ON cp.id = c.campaign_id
LEFT JOIN LATERAL (
    SELECT a.* FROM "call_attempt" a
    WHERE a.contact_id = c.id
    ORDER BY a.attempt_number DESC
    LIMIT 1
) last_attempt ON true
LEFT JOIN "call_conversation" conversation ON conversation.attempt_id = last_attempt.id;
