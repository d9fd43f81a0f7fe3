import type pg from 'pg';
import { markContactInCallSql } from './mark-contact-in-call.ts';
import { nowUtcSql } from './sql-time.ts';

/**
 * The call may exist (timeout after sending, 5xx, reset): never redialed. The attempt becomes
 * unknown and keeps its concurrency slot; its callbacks, or the reconciler after the grace period,
 * decide how it ended.
 */
export async function recordAmbiguous(pool: pg.Pool, attemptId: string, reason: string): Promise<void> {
  await pool.query(
    `UPDATE call_attempt SET state = 'unknown', error_detail = $2, responded_at = ${nowUtcSql}, updated_at = ${nowUtcSql}
     WHERE id = $1 AND state = 'claimed'`,
    [attemptId, reason],
  );
  await pool.query(markContactInCallSql, [attemptId]);
}
