import { nowUtcSql } from '../db/sql-time.ts';
import { activeContactStates, sqlStates } from './states.ts';
import type { Queryable } from '../db/queryable.ts';

/**
 * Marks a running campaign completed when no contact is left to dial or in a call. Takes the campaign
 * row lock first and checks in a later statement: two transactions finishing the last two contacts are
 * serialised on that lock, and the second one's fresh snapshot sees the first one's contact as final.
 * Returns whether the campaign was completed now. NO KEY UPDATE, never FOR UPDATE: inserting a row
 * that references the campaign (call_event, call_attempt) holds a KEY SHARE lock on it, and FOR UPDATE
 * would deadlock against those transactions.
 */
export async function completeCampaignIfDone(client: Queryable, campaignId: string): Promise<boolean> {
  await client.query(`SELECT 1 FROM campaign WHERE id = $1 FOR NO KEY UPDATE`, [campaignId]);
  return completeLockedCampaignIfDone(client, campaignId);
}

/**
 * completeCampaignIfDone for a caller whose transaction already holds the campaign row lock (it has
 * updated the row in an earlier statement), saving a round trip while that hot lock is held.
 */
export async function completeLockedCampaignIfDone(client: Queryable, campaignId: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE campaign SET status = 'completed', completed_at = ${nowUtcSql}, updated_at = ${nowUtcSql}
     WHERE id = $1 AND status = 'running'
       AND NOT EXISTS (SELECT 1 FROM contact WHERE campaign_id = $1 AND state IN ${sqlStates(activeContactStates)})`,
    [campaignId],
  );
  return rowCount === 1;
}
