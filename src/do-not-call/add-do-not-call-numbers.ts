import type pg from 'pg';
import { completeCampaignIfDone } from '../attempts/complete-campaign-if-done.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { sqlStates, waitingContactStates } from '../attempts/states.ts';

/** 'global' or one campaign's id: where a do-not-call entry applies. */
export type DoNotCallScope = { kind: 'global' } | { kind: 'campaign'; campaignId: string };

export interface AddedNumbers {
  /** Numbers newly listed (already listed ones are left as they were). */
  added: number;
  /** Contacts not yet dialed (pending/queued) now marked suppressed. */
  suppressedContacts: number;
}

/**
 * Lists a batch of E.164 numbers as do-not-call and, in the same transaction, suppresses every
 * matching contact that has not been dialed yet, so no number is both listed and still due. A queued
 * contact's dial job stays in Redis but can no longer be claimed (the claim needs state 'queued', and
 * re-checks the list anyway). Contact rows are locked before campaign rows (in id order), the order
 * the dial claim takes them, so the two never deadlock; a campaign left with nothing to dial is completed.
 */
export async function addDoNotCallNumbers(pool: pg.Pool, scope: DoNotCallScope, phones: string[], source: string): Promise<AddedNumbers> {
  const campaignId = scope.kind === 'campaign' ? scope.campaignId : null;
  return withTransaction(pool, async (client) => {
    const inserted = await client.query(
      `INSERT INTO do_not_call (phone, campaign_id, scope, source, created_at)
       SELECT DISTINCT phone, $2::uuid, $3, $4, ${nowUtcSql} FROM unnest($1::text[]) AS phone
       ON CONFLICT (phone, scope) DO NOTHING`,
      [phones, campaignId, campaignId ?? 'global', source],
    );
    const suppressed = await client.query<{ campaign_id: string }>(
      `UPDATE contact c SET state = 'suppressed', outcome = 'suppressed', next_attempt_at = NULL, updated_at = ${nowUtcSql}
       FROM (SELECT id FROM contact
             WHERE ($2::uuid IS NULL OR campaign_id = $2::uuid) AND phone = ANY($1::text[]) AND state IN ${sqlStates(waitingContactStates)}
             ORDER BY id FOR NO KEY UPDATE) due
       WHERE c.id = due.id AND c.state IN ${sqlStates(waitingContactStates)}
       RETURNING c.campaign_id`,
      [phones, campaignId],
    );
    const campaignIds = [...new Set(suppressed.rows.map((row) => row.campaign_id))].sort();
    for (const id of campaignIds) await completeCampaignIfDone(client, id);
    return { added: inserted.rowCount ?? 0, suppressedContacts: suppressed.rowCount ?? 0 };
  });
}
