import { completeLockedCampaignIfDone } from './complete-campaign-if-done.ts';
import { decideAfterAttempt, outcomeOf, type AttemptOutcome, type ContactDecision, type RetryRules } from './retry-policy.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { inFlightContactStates, sqlStates, type FinishedAttemptState } from './states.ts';
import type { Queryable } from '../db/queryable.ts';

export interface FinishedAttempt {
  /** False when this attempt had already been finished (its slot was released before). */
  finished: boolean;
  outcome?: AttemptOutcome;
  /** The contact's new state: a final state, or 'pending' for a retry. */
  contactState?: string;
  campaignCompleted?: boolean;
}

export interface AttemptToFinish {
  attemptId: string;
  terminalState: FinishedAttemptState;
}

/** An attempt whose slot was just released, as the rest of the finish needs it. */
export interface ReleasedAttempt {
  id: string;
  campaign_id: string;
  contact_id: string;
  attempt_number: number;
  answered_by: string | null;
  /** The contact's attempts that were never placed (not counted against maxAttempts); 0 when absent. */
  unplaced_attempts?: number;
}

export interface ReleasedAttemptToFinish {
  attempt: ReleasedAttempt;
  terminalState: FinishedAttemptState;
}

interface CampaignAfterRelease {
  status: string;
  config: { retry: RetryRules };
}

interface ContactChange {
  attempt: ReleasedAttempt;
  outcome: AttemptOutcome;
  decision: ContactDecision;
}

/**
 * Slot released exactly once (only the transition into a terminal state frees it): called inside the
 * transaction that first moves an attempt into a terminal state.
 * Releases the attempt's concurrency slot exactly once, records the contact's outcome (final, or back
 * to pending with next_attempt_at per the retry policy) and completes the campaign when nothing is left.
 * Idempotent: a second call for the same attempt changes nothing.
 */
export async function finishAttempt(
  client: Queryable,
  attemptId: string,
  terminalState: FinishedAttemptState,
  now: Date = new Date(),
): Promise<FinishedAttempt> {
  const [finished] = await finishAttempts(client, [{ attemptId, terminalState }], now);
  return finished!;
}

/**
 * finishAttempt for many attempts at once, with the same contract, in a constant number of
 * statements: ended calls of one campaign all update its row, so one update per campaign per batch
 * (instead of one per call) keeps that hot row lock short. Results come back in the order given; an
 * attempt named twice is finished by its first entry only.
 */
export async function finishAttempts(client: Queryable, attempts: readonly AttemptToFinish[], now: Date = new Date()): Promise<FinishedAttempt[]> {
  if (attempts.length === 0) return [];
  const released = await releaseSlots(
    client,
    attempts.map((attempt) => attempt.attemptId),
  );
  const toFinish: ReleasedAttemptToFinish[] = [];
  const seen = new Set<string>();
  const positions = attempts.map(({ attemptId, terminalState }) => {
    const attempt = released.get(attemptId);
    if (!attempt || seen.has(attemptId)) return null;
    seen.add(attemptId);
    return toFinish.push({ attempt, terminalState }) - 1;
  });
  const finished = await finishReleasedAttempts(client, toFinish, now);
  return positions.map((position) => (position === null ? { finished: false } : finished[position]!));
}

/**
 * The rest of finishAttempts, for attempts whose slots the caller's transaction has just released
 * itself, each exactly once (an UPDATE that set slot_released_at where it was null): campaign counts,
 * contacts, completion. Results come back in the order given.
 */
export async function finishReleasedAttempts(
  client: Queryable,
  released: readonly ReleasedAttemptToFinish[],
  now: Date = new Date(),
): Promise<FinishedAttempt[]> {
  if (released.length === 0) return [];
  const campaigns = await decrementActiveCalls(
    client,
    released.map(({ attempt }) => attempt),
  );
  const changes = released.map(({ attempt, terminalState }): ContactChange | null => {
    const campaign = campaigns.get(attempt.campaign_id);
    if (!campaign) return null;
    const outcome = outcomeOf(terminalState, attempt.answered_by);
    // Dials never placed (contact.unplaced_attempts) are not attempts for maxAttempts.
    const placedNumber = attempt.attempt_number - (attempt.unplaced_attempts ?? 0);
    const decision = decideAfterAttempt(campaign.config.retry, outcome, placedNumber, now, campaign.status === 'canceled');
    return { attempt, outcome, decision };
  });
  const applicable = changes.filter((change): change is ContactChange => change !== null);
  const contactStates = await updateContacts(client, applicable);
  const completed = await completeCampaignsWithFinalContacts(client, applicable);
  return changes.map((change) =>
    change
      ? {
          finished: true,
          outcome: change.outcome,
          contactState: contactStates.get(change.attempt.contact_id),
          campaignCompleted: change.decision.kind === 'final' && completed.has(change.attempt.campaign_id),
        }
      : { finished: true },
  );
}

// The exactly-once guard: only the transaction that sets slot_released_at gets the row back.
async function releaseSlots(client: Queryable, attemptIds: string[]): Promise<Map<string, ReleasedAttempt>> {
  const { rows } = await client.query<ReleasedAttempt>(
    `UPDATE call_attempt SET slot_released_at = ${nowUtcSql}, updated_at = ${nowUtcSql}
     WHERE id = ANY($1::uuid[]) AND slot_released_at IS NULL
     RETURNING id, campaign_id, contact_id, attempt_number, answered_by,
       (SELECT c.unplaced_attempts FROM contact c WHERE c.id = call_attempt.contact_id) AS unplaced_attempts`,
    [attemptIds],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

// One update per campaign, in id order so two batches spanning the same campaigns lock them in the
// same order. The campaign row is locked before the contact rows, and a claim never waits for a
// contact we update (it takes queued contacts, we finish dialing/in_call ones).
async function decrementActiveCalls(client: Queryable, released: readonly ReleasedAttempt[]): Promise<Map<string, CampaignAfterRelease>> {
  const releasedPerCampaign = new Map<string, number>();
  for (const { campaign_id } of released) releasedPerCampaign.set(campaign_id, (releasedPerCampaign.get(campaign_id) ?? 0) + 1);
  const campaigns = new Map<string, CampaignAfterRelease>();
  for (const campaignId of [...releasedPerCampaign.keys()].sort()) {
    const { rows } = await client.query<CampaignAfterRelease>(
      `UPDATE campaign SET active_calls = GREATEST(active_calls - $2, 0), updated_at = ${nowUtcSql}
       WHERE id = $1 RETURNING status, config`,
      [campaignId, releasedPerCampaign.get(campaignId)],
    );
    if (rows[0]) campaigns.set(campaignId, rows[0]);
  }
  return campaigns;
}

// Only the contact's current attempt decides its fate: attempt_count pins it, so a stale attempt
// finishing late can never move a contact that has moved on. Returns the new state per contact moved.
async function updateContacts(client: Queryable, changes: ContactChange[]): Promise<Map<string, string>> {
  if (changes.length === 0) return new Map();
  const { rows } = await client.query<{ id: string; state: string }>(
    `UPDATE contact c SET state = u.state::"ContactState", outcome = u.outcome,
       next_attempt_at = u.next_attempt_at AT TIME ZONE 'UTC', updated_at = ${nowUtcSql}
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS u(id, attempt_number, state, outcome, next_attempt_at)
     WHERE c.id = u.id AND c.attempt_count = u.attempt_number AND c.state IN ${sqlStates(inFlightContactStates)}
     RETURNING c.id, c.state`,
    [
      changes.map(({ attempt }) => attempt.contact_id),
      changes.map(({ attempt }) => attempt.attempt_number),
      changes.map(({ decision }) => (decision.kind === 'retry' ? 'pending' : decision.state)),
      changes.map(({ outcome }) => outcome),
      changes.map(({ decision }) => (decision.kind === 'retry' ? decision.at.toISOString() : null)),
    ],
  );
  return new Map(rows.map((row) => [row.id, row.state]));
}

// A retry leaves a contact pending, so only campaigns with a final contact in this batch can be done.
// Their rows are locked already (decrementActiveCalls), and this statement's snapshot is taken after
// that lock was granted, so it sees every contact finished by an earlier transaction.
async function completeCampaignsWithFinalContacts(client: Queryable, changes: ContactChange[]): Promise<Set<string>> {
  const candidates = new Set(changes.filter(({ decision }) => decision.kind === 'final').map(({ attempt }) => attempt.campaign_id));
  const completed = new Set<string>();
  for (const campaignId of [...candidates].sort()) {
    if (await completeLockedCampaignIfDone(client, campaignId)) completed.add(campaignId);
  }
  return completed;
}
