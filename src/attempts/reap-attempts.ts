import type pg from 'pg';
import { finishAttempt } from './finish-attempt.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { openAttemptStates, sqlStates } from './states.ts';

const openStates = sqlStates(openAttemptStates);

/**
 * Calls that outlived the longest they could last (the campaign's TimeLimit + Timeout + `marginMs`)
 * without a terminal callback: the terminal callback was lost. They are recorded as failed through
 * finishAttempt so their concurrency slot is never leaked.
 */
export async function reapAttempts(pool: pg.Pool, marginMs: number, limit = 500): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT a.id FROM call_attempt a JOIN campaign k ON k.id = a.campaign_id
     WHERE a.state IN ${openStates} AND a.slot_released_at IS NULL
       AND a.claimed_at < ${nowUtcSql} - make_interval(secs => COALESCE((k.config->>'timeLimit')::int, 14400)
                                                          + COALESCE((k.config->>'timeout')::int, 30) + $1)
     ORDER BY a.claimed_at LIMIT $2`,
    [marginMs / 1000, limit],
  );
  let reaped = 0;
  for (const { id } of rows) {
    const done = await withTransaction(pool, async (client) => {
      const moved = await client.query(
        `UPDATE call_attempt SET state = 'failed', ended_at = COALESCE(ended_at, ${nowUtcSql}),
           error_detail = COALESCE(error_detail, 'no terminal callback within TimeLimit + Timeout + margin'), updated_at = ${nowUtcSql}
         WHERE id = $1 AND state IN ${openStates} AND slot_released_at IS NULL`,
        [id],
      );
      if (moved.rowCount !== 1) return false;
      await finishAttempt(client, id, 'failed');
      return true;
    });
    if (done) reaped += 1;
  }
  return reaped;
}
