import type pg from 'pg';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { decideAfterAttempt, outcomeOf, type RetryRules } from './retry-policy.ts';

/**
 * An AMD result saying "machine" can arrive after the call's final status. The call was then finished
 * (slot released, contact moved) as `completed`, answered_by still unknown, so a campaign retrying
 * `voicemail` did not retry it, and the contact's state and outcome disagree with the results view
 * (which reads answered_by and says voicemail). This redoes the contact's decision as the finish would
 * have made it had the AMD come first, only where nothing has happened since:
 *
 * - the attempt is `completed`, its slot already released, and its answered_by (first value wins) is a
 *   machine: a voicemail by the same rule as the finish (outcomeOf);
 * - the contact is still on that attempt (attempt_count = attempt_number) and still in the state that
 *   finish left it in (`completed`, outcome `completed`), so it has not been retried, canceled or
 *   finished by any other path;
 * - a retry (back to `pending`, next_attempt_at after the policy's delay) only in a running or paused
 *   campaign. A completed campaign is not reopened (it completed on this very call, nothing expects a
 *   completed campaign to run again) and a canceled one never retries: the contact gets the final
 *   state of a voicemail (`no_answer`) instead.
 *
 * The retry is a new attempt (attempt_count + 1) dialed later by the usual feed and claim; this attempt
 * is over and never dialed again, and only one attempt of the contact is ever in flight because the
 * contact only becomes pending after this attempt ended. Locks are taken in the order every finish
 * takes them (attempt, campaign, contact), so a final status being recorded concurrently for the same
 * attempt waits for this or is seen by it. Idempotent: a redelivered AMD callback finds the contact
 * moved on and changes nothing; it also runs for redeliveries, so a crash between the AMD's commit and
 * this transaction is healed by Telnyx's retry.
 */
export async function applyLateMachineAnswers(pool: pg.Pool, attemptIds: ReadonlySet<string>, now: Date = new Date()): Promise<void> {
  if (attemptIds.size === 0) return;
  await withTransaction(pool, (client) => redecide(client, [...attemptIds].sort(), now));
}

interface LateVoicemail {
  id: string;
  campaign_id: string;
  contact_id: string;
  attempt_number: number;
  answered_by: string;
}

async function redecide(client: pg.PoolClient, attemptIds: string[], now: Date): Promise<void> {
  // NO KEY UPDATE: waits for (and blocks) the callback statement's FOR UPDATE of the same attempt,
  // without blocking call_event inserts that only reference it.
  const { rows: attempts } = await client.query<LateVoicemail>(
    `SELECT id, campaign_id, contact_id, attempt_number, answered_by FROM call_attempt
     WHERE id = ANY($1::uuid[]) AND state = 'completed' AND slot_released_at IS NOT NULL AND answered_by IS NOT NULL
     ORDER BY id FOR NO KEY UPDATE`,
    [attemptIds],
  );
  const late = attempts.filter((attempt) => outcomeOf('completed', attempt.answered_by) === 'voicemail');
  const campaigns = new Map<string, { status: string; config: { retry: RetryRules } }>();
  // Campaign rows in id order, before contacts, as finishAttempts locks them; NO KEY UPDATE, as
  // completeCampaignIfDone: a completion checking this campaign's contacts waits for this commit.
  for (const campaignId of [...new Set(late.map((attempt) => attempt.campaign_id))].sort()) {
    const { rows } = await client.query<{ status: string; config: { retry: RetryRules } }>(
      `SELECT status, config FROM campaign WHERE id = $1 FOR NO KEY UPDATE`,
      [campaignId],
    );
    if (rows[0]) campaigns.set(campaignId, rows[0]);
  }
  for (const attempt of late) {
    const campaign = campaigns.get(attempt.campaign_id);
    if (!campaign) continue;
    const mayRetry = campaign.status === 'running' || campaign.status === 'paused';
    const decision = decideAfterAttempt(campaign.config.retry, 'voicemail', attempt.attempt_number, now, !mayRetry);
    await client.query(
      `UPDATE contact SET state = $3::"ContactState", outcome = 'voicemail',
         next_attempt_at = $4::timestamptz AT TIME ZONE 'UTC', updated_at = ${nowUtcSql}
       WHERE id = $1 AND attempt_count = $2 AND state = 'completed' AND outcome = 'completed'`,
      [
        attempt.contact_id,
        attempt.attempt_number,
        decision.kind === 'retry' ? 'pending' : decision.state,
        decision.kind === 'retry' ? decision.at.toISOString() : null,
      ],
    );
  }
}
