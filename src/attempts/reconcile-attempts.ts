import type pg from 'pg';
import { finishAttempt } from './finish-attempt.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { sqlStates, unconfirmedAttemptStates } from './states.ts';

/**
 * Attempts never confirmed: `claimed` (the worker died between claim and response) or `unknown` (an
 * ambiguous response), with no callback at all after `graceMs`. They become failed_unknown through
 * finishAttempt: the slot is freed and only the retry policy (never a blind redial) decides what next.
 * An attempt that got any callback is left to those callbacks (and, at worst, to the reaper).
 * The last resort: the call-record checks (src/dialing/check-call-records.ts) settle these attempts
 * well before the grace period ends whenever Telnyx can be asked.
 */
export async function reconcileAttempts(pool: pg.Pool, graceMs: number, limit = 500): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT a.id FROM call_attempt a
     WHERE a.state IN ${sqlStates(unconfirmedAttemptStates)} AND a.claimed_at < ${nowUtcSql} - make_interval(secs => $1)
       AND NOT EXISTS (SELECT 1 FROM call_event e WHERE e.attempt_id = a.id)
     ORDER BY a.claimed_at LIMIT $2`,
    [graceMs / 1000, limit],
  );
  let reconciled = 0;
  for (const { id } of rows) {
    const done = await withTransaction(pool, async (client) => {
      // Conditions re-checked under the row lock: a callback may have landed since the SELECT.
      const moved = await client.query(
        `UPDATE call_attempt a SET state = 'failed_unknown', ended_at = COALESCE(a.ended_at, ${nowUtcSql}),
           error_detail = COALESCE(a.error_detail, 'no callback confirmed this call within the grace period'), updated_at = ${nowUtcSql}
         WHERE a.id = $1 AND a.state IN ${sqlStates(unconfirmedAttemptStates)} AND NOT EXISTS (SELECT 1 FROM call_event e WHERE e.attempt_id = a.id)`,
        [id],
      );
      if (moved.rowCount !== 1) return false;
      await finishAttempt(client, id, 'failed_unknown');
      return true;
    });
    if (done) reconciled += 1;
  }
  return reconciled;
}
