import type pg from 'pg';
import { completeCampaignIfDone } from '../dialing/complete-campaign-if-done.ts';
import { nowUtcSql } from '../dialing/sql-time.ts';
import { withTransaction } from '../dialing/with-transaction.ts';

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
 * re-checks the list anyway). Campaign rows are locked before contact rows, the order the dial claim
 * uses, so the two never deadlock; a campaign left with nothing to dial is completed.
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
    const campaigns = await client.query<{ id: string }>(
      `SELECT id FROM campaign
       WHERE ($2::uuid IS NULL OR id = $2::uuid)
         AND id IN (SELECT campaign_id FROM contact WHERE phone = ANY($1::text[]) AND state IN ('pending', 'queued'))
       ORDER BY id FOR UPDATE`,
      [phones, campaignId],
    );
    const campaignIds = campaigns.rows.map((row) => row.id);
    const suppressed = await client.query(
      `UPDATE contact SET state = 'suppressed', outcome = 'suppressed', next_attempt_at = NULL, updated_at = ${nowUtcSql}
       WHERE campaign_id = ANY($2::uuid[]) AND phone = ANY($1::text[]) AND state IN ('pending', 'queued')`,
      [phones, campaignIds],
    );
    for (const id of campaignIds) await completeCampaignIfDone(client, id);
    return { added: inserted.rowCount ?? 0, suppressedContacts: suppressed.rowCount ?? 0 };
  });
}
