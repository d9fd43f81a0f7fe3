import type pg from 'pg';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';

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
    const { rows } = await client.query<{ undone: boolean }>(undoSql, [claim.attemptId, claim.campaignId, claim.contactId, returnTo]);
    if (!rows[0]!.undone) return false;
    await then?.(client);
    return true;
  });
}

// One statement, so the hot campaign row is locked only from here to the commit, never across round
// trips. The status comes from the campaign row as this statement updated it: a cancel that committed
// first is seen (canceled meanwhile: cancel's sweep ran while this contact was dialing, so it is
// canceled here). Lock order: attempt, campaign, contact (as the callback receiver).
const undoSql = `
WITH removed AS (
  DELETE FROM call_attempt WHERE id = $1 AND state = 'claimed' AND slot_released_at IS NULL RETURNING id
), slot AS (
  UPDATE campaign SET active_calls = GREATEST(active_calls - 1, 0)
  WHERE id = $2 AND EXISTS (SELECT 1 FROM removed) RETURNING status = 'canceled' AS canceled
), contact AS (
  UPDATE contact SET state = CASE WHEN (SELECT canceled FROM slot) THEN 'canceled' ELSE $4::"ContactState" END,
    outcome = CASE WHEN (SELECT canceled FROM slot) THEN 'canceled' ELSE outcome END,
    attempt_count = attempt_count - 1, updated_at = ${nowUtcSql}
  WHERE id = $3 AND state = 'dialing' AND EXISTS (SELECT 1 FROM slot) RETURNING id
)
SELECT EXISTS (SELECT 1 FROM removed) AS undone`;
