import type pg from 'pg';
import { nowUtcSql } from './sql-time.ts';
import { withTransaction } from './with-transaction.ts';

/**
 * Telnyx provably did not place the call (429, auth failure, request never sent): the claim is undone
 * as if it never happened. The attempt row goes (attempt numbers stay honest), the contact gets its
 * attempt back and returns to `returnTo` (or is canceled, if its campaign was), and the slot is freed. `then` runs in the same transaction.
 * Returns false when the attempt had already moved on (nothing undone).
 */
export async function undoUnplacedClaim(
  pool: pg.Pool,
  claim: { attemptId: string; campaignId: string; contactId: string },
  returnTo: 'queued' | 'pending',
  then?: (client: pg.PoolClient) => Promise<void>,
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const campaign = await client.query<{ status: string }>(`SELECT status FROM campaign WHERE id = $1 FOR NO KEY UPDATE`, [claim.campaignId]);
    const removed = await client.query(`DELETE FROM call_attempt WHERE id = $1 AND state = 'claimed' AND slot_released_at IS NULL`, [
      claim.attemptId,
    ]);
    if (removed.rowCount !== 1) return false;
    await client.query(`UPDATE campaign SET active_calls = GREATEST(active_calls - 1, 0) WHERE id = $1`, [claim.campaignId]);
    // Canceled meanwhile: cancel's sweep ran while this contact was dialing, so it is canceled here.
    const canceled = campaign.rows[0]?.status === 'canceled';
    await client.query(
      `UPDATE contact SET state = $2, outcome = CASE WHEN $3 THEN 'canceled' ELSE outcome END, attempt_count = attempt_count - 1, updated_at = ${nowUtcSql}
       WHERE id = $1 AND state = 'dialing'`,
      [claim.contactId, canceled ? 'canceled' : returnTo, canceled],
    );
    await then?.(client);
    return true;
  });
}
