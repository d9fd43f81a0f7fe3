import type pg from 'pg';
import { finishAttempt } from './finish-attempt.ts';
import { pauseCampaign } from './pause-campaign.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';

/** This many consecutive contacts refused with the same error code is a campaign-level mistake. */
export const consecutiveRejectionsToPause = 5;

export interface Rejection {
  status: number;
  code?: string;
  detail: string;
}

/**
 * Telnyx refused this dial (422 and other 4xx): the attempt is rejected with Telnyx's detail and
 * finished (slot freed, retry policy applied). The same code on several consecutive contacts pauses
 * the campaign. Returns the pause reason when it paused.
 */
export async function recordRejected(pool: pg.Pool, attemptId: string, campaignId: string, rejection: Rejection): Promise<string | null> {
  const code = rejection.code ?? `http_${rejection.status}`;
  return withTransaction(pool, async (client) => {
    const moved = await client.query(
      `UPDATE call_attempt SET state = 'rejected', error_code = $2, error_detail = $3, responded_at = ${nowUtcSql}, updated_at = ${nowUtcSql}
       WHERE id = $1 AND state = 'claimed'`,
      [attemptId, code, rejection.detail],
    );
    if (moved.rowCount !== 1) return null;
    await finishAttempt(client, attemptId, 'rejected');
    const { rows } = await client.query<{ consecutive_rejections: number }>(
      `UPDATE campaign SET
         consecutive_rejections = CASE WHEN last_rejection_code = $2 THEN consecutive_rejections + 1 ELSE 1 END,
         last_rejection_code = $2
       WHERE id = $1 RETURNING consecutive_rejections`,
      [campaignId, code],
    );
    const run = rows[0]?.consecutive_rejections ?? 0;
    if (run < consecutiveRejectionsToPause) return null;
    const reason = `Telnyx rejected ${run} consecutive contacts with error ${code} (HTTP ${rejection.status}): ${rejection.detail}`;
    return (await pauseCampaign(client, campaignId, reason)) ? reason : null;
  });
}
