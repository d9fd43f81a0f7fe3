import type pg from 'pg';
import { markContactInCallSql } from './mark-contact-in-call.ts';
import { nowUtcSql } from './sql-time.ts';

/**
 * Telnyx placed the call. Callbacks may already have advanced the attempt (they can beat the
 * response): the state moves to accepted only from claimed, and the contact to in_call only from
 * dialing, so nothing they recorded is ever downgraded.
 */
export async function recordAccepted(pool: pg.Pool, attemptId: string, campaignId: string, callSid: string): Promise<void> {
  await pool.query(
    `UPDATE call_attempt SET call_sid = COALESCE(call_sid, $2), responded_at = COALESCE(responded_at, ${nowUtcSql}),
       state = CASE WHEN state = 'claimed' THEN 'accepted'::"AttemptState" ELSE state END, updated_at = ${nowUtcSql}
     WHERE id = $1`,
    [attemptId, callSid],
  );
  await pool.query(markContactInCallSql, [attemptId]);
  // A placed call ends any run of identical rejections; the condition keeps this hot row unwritten otherwise.
  await pool.query(
    `UPDATE campaign SET consecutive_rejections = 0, last_rejection_code = NULL WHERE id = $1 AND consecutive_rejections > 0`,
    [campaignId],
  );
}
