import type { Queryable } from '../db/queryable.ts';
import { markContactInCallCte } from './mark-contact-in-call.ts';
import { nowUtcSql } from '../db/sql-time.ts';

// One statement (one round trip, one commit per placed call). Callbacks may already have advanced the
// attempt (they can beat the response): the state moves to accepted only from claimed, and the contact
// to in_call only from dialing and only while this attempt is still its current one, so nothing they
// recorded is ever downgraded and a late answer never moves the contact's next attempt. A placed call
// ends any run of identical rejections; the condition keeps the hot campaign row unwritten otherwise.
// Lock order: attempt, contact, then campaign only in that rare case.
const recordAcceptedSql = `
WITH attempt AS (
  UPDATE call_attempt SET call_sid = COALESCE(call_sid, $2), responded_at = COALESCE(responded_at, ${nowUtcSql}),
    state = CASE WHEN state = 'claimed' THEN 'accepted'::"AttemptState" ELSE state END, updated_at = ${nowUtcSql}
  WHERE id = $1 RETURNING contact_id, attempt_number
), ${markContactInCallCte}, reset AS (
  UPDATE campaign SET consecutive_rejections = 0, last_rejection_code = NULL
  WHERE id = $3 AND consecutive_rejections > 0 AND EXISTS (SELECT 1 FROM attempt)
  RETURNING id
)
SELECT 1`;

/** Telnyx placed the call: the attempt gets its call_sid and the contact is in a call. */
export async function recordAccepted(pool: Queryable, attemptId: string, campaignId: string, callSid: string): Promise<void> {
  await pool.query(recordAcceptedSql, [attemptId, callSid, campaignId]);
}
