import type pg from 'pg';
import type { CampaignConfig } from '../campaigns/config-schema.ts';
import { completeCampaignIfDone } from './complete-campaign-if-done.ts';
import { decideAfterAttempt, outcomeOf, type AttemptOutcome, type FinishedAttemptState } from './retry-policy.ts';
import { nowUtcSql, utcParamSql } from './sql-time.ts';

export interface FinishedAttempt {
  /** False when this attempt had already been finished (its slot was released before). */
  finished: boolean;
  outcome?: AttemptOutcome;
  /** The contact's new state: a final state, or 'pending' for a retry. */
  contactState?: string;
  campaignCompleted?: boolean;
}

/**
 * Contract 4: called inside the transaction that first moves an attempt into a terminal state.
 * Releases the attempt's concurrency slot exactly once, records the contact's outcome (final, or back
 * to pending with next_attempt_at per the retry policy) and completes the campaign when nothing is left.
 * Idempotent: a second call for the same attempt changes nothing.
 */
export async function finishAttempt(
  client: pg.ClientBase,
  attemptId: string,
  terminalState: FinishedAttemptState,
  now: Date = new Date(),
): Promise<FinishedAttempt> {
  const released = await client.query<{ campaign_id: string; contact_id: string; attempt_number: number; answered_by: string | null }>(
    `UPDATE call_attempt SET slot_released_at = ${nowUtcSql}, updated_at = ${nowUtcSql}
     WHERE id = $1 AND slot_released_at IS NULL
     RETURNING campaign_id, contact_id, attempt_number, answered_by`,
    [attemptId],
  );
  const attempt = released.rows[0];
  if (!attempt) return { finished: false };

  // The campaign row is locked before the contact row, the same order as the claim takes.
  const campaign = await client.query<{ status: string; config: CampaignConfig }>(
    `UPDATE campaign SET active_calls = GREATEST(active_calls - 1, 0), updated_at = ${nowUtcSql}
     WHERE id = $1 RETURNING status, config`,
    [attempt.campaign_id],
  );
  const campaignRow = campaign.rows[0];
  if (!campaignRow) return { finished: true };

  const outcome = outcomeOf(terminalState, attempt.answered_by);
  const decision = decideAfterAttempt(campaignRow.config.retry, outcome, attempt.attempt_number, now, campaignRow.status === 'canceled');
  // Only the contact's current attempt decides its fate: attempt_count pins it, so a stale attempt
  // finishing late can never move a contact that has moved on.
  const contact =
    decision.kind === 'retry'
      ? await client.query<{ state: string }>(
          `UPDATE contact SET state = 'pending', outcome = $3, next_attempt_at = ${utcParamSql(4)}, updated_at = ${nowUtcSql}
           WHERE id = $1 AND attempt_count = $2 AND state IN ('dialing', 'in_call') RETURNING state`,
          [attempt.contact_id, attempt.attempt_number, outcome, decision.at.toISOString()],
        )
      : await client.query<{ state: string }>(
          `UPDATE contact SET state = $3, outcome = $4, next_attempt_at = NULL, updated_at = ${nowUtcSql}
           WHERE id = $1 AND attempt_count = $2 AND state IN ('dialing', 'in_call') RETURNING state`,
          [attempt.contact_id, attempt.attempt_number, decision.state, outcome],
        );
  const campaignCompleted = decision.kind === 'final' && (await completeCampaignIfDone(client, attempt.campaign_id));
  return { finished: true, outcome, contactState: contact.rows[0]?.state, campaignCompleted };
}
