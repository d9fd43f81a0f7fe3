import { nowUtcSql } from '../db/sql-time.ts';
import type { Queryable } from '../db/queryable.ts';

/** Pauses a running campaign with a reason shown by `dialer status`; false when it was not running. */
export async function pauseCampaign(client: Queryable, campaignId: string, reason: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE campaign SET status = 'paused', pause_reason = $2, updated_at = ${nowUtcSql} WHERE id = $1 AND status = 'running'`,
    [campaignId, reason],
  );
  return rowCount === 1;
}
