import type { Queryable } from '../db/queryable.ts';
import { markContactInCallCte } from './mark-contact-in-call.ts';
import { nowUtcSql } from '../db/sql-time.ts';

// One statement, like recordAccepted. The attempt becomes unknown only from claimed (callbacks may
// have beaten the failed response and advanced it; then it keeps what they recorded), and the contact
// moves to in_call either way.
const recordAmbiguousSql = `
WITH attempt AS (
  UPDATE call_attempt SET
    state = CASE WHEN state = 'claimed' THEN 'unknown'::"AttemptState" ELSE state END,
    error_detail = CASE WHEN state = 'claimed' THEN $2 ELSE error_detail END,
    responded_at = CASE WHEN state = 'claimed' THEN ${nowUtcSql} ELSE responded_at END,
    updated_at = ${nowUtcSql}
  WHERE id = $1 RETURNING contact_id, attempt_number
), ${markContactInCallCte}
SELECT 1`;

/**
 * The call may exist (timeout after sending, 5xx, reset): never redialed. The attempt becomes
 * unknown and keeps its concurrency slot; its callbacks, or the reconciler after the grace period,
 * decide how it ended.
 */
export async function recordAmbiguous(pool: Queryable, attemptId: string, reason: string): Promise<void> {
  await pool.query(recordAmbiguousSql, [attemptId, reason]);
}
