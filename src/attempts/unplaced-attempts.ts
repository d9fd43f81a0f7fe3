import type pg from 'pg';
import { completeLockedCampaignIfDone } from './complete-campaign-if-done.ts';
import { markContactInCallCte } from './mark-contact-in-call.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { callStatusTransitions, currentRankSql, inFlightContactStates, sqlStates, unconfirmedAttemptStates } from './states.ts';

/** An attempt that never learned its call_sid (claimed, or an ambiguous answer): did Telnyx place it? */
export interface UnconfirmedAttempt {
  id: string;
  phone: string;
  /** The campaign's From number. */
  from: string;
  claimedAt: Date;
  absentChecks: number;
  recordChecks: number;
}

// Unconfirmed, no call_sid, no callback at all (a callback names the call), still holding its slot.
const unconfirmedSql = `a.state IN ${sqlStates(unconfirmedAttemptStates)} AND a.call_sid IS NULL AND a.slot_released_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM call_event e WHERE e.attempt_id = a.id)`;

/**
 * Leases (for `leaseMs`) up to `limit` unconfirmed attempts whose dial can no longer be in flight
 * (claimed more than `inFlightMs` ago) and whose next check is due.
 */
export async function takeUnconfirmedAttempts(pool: pg.Pool, inFlightMs: number, leaseMs: number, limit: number): Promise<UnconfirmedAttempt[]> {
  const { rows } = await pool.query<{
    id: string;
    phone: string;
    from: string;
    claimed_at: Date;
    record_absent_checks: number;
    record_checks: number;
  }>(
    `WITH due AS (
       SELECT a.id FROM call_attempt a
       WHERE ${unconfirmedSql} AND a.claimed_at < ${nowUtcSql} - make_interval(secs => $1)
         AND (a.record_check_at IS NULL OR a.record_check_at <= ${nowUtcSql})
       ORDER BY a.claimed_at LIMIT $3
       FOR UPDATE OF a SKIP LOCKED
     ), leased AS (
       UPDATE call_attempt a SET record_check_at = ${nowUtcSql} + make_interval(secs => $2) FROM due WHERE a.id = due.id
       RETURNING a.id, a.contact_id, a.campaign_id, a.claimed_at, a.record_absent_checks, a.record_checks
     )
     SELECT l.id, c.phone, k.config->>'from' AS "from", l.claimed_at AT TIME ZONE 'UTC' AS claimed_at, l.record_absent_checks, l.record_checks
     FROM leased l JOIN contact c ON c.id = l.contact_id JOIN campaign k ON k.id = l.campaign_id`,
    [inFlightMs / 1000, leaseMs / 1000, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    phone: row.phone,
    from: row.from,
    claimedAt: row.claimed_at,
    absentChecks: row.record_absent_checks,
    recordChecks: row.record_checks,
  }));
}

/** Of these call_sids, the ones some attempt already holds (they belong to another dial). */
export async function callSidsInUse(pool: pg.Pool, callSids: string[]): Promise<Set<string>> {
  if (callSids.length === 0) return new Set();
  const { rows } = await pool.query<{ call_sid: string }>('SELECT call_sid FROM call_attempt WHERE call_sid = ANY($1::text[])', [callSids]);
  return new Set(rows.map((row) => row.call_sid));
}

/** A listing that found no call (`absent`, counted towards "never placed") or could not tell (an error). */
export async function recordUnconfirmedCheck(pool: pg.Pool, attemptId: string, absent: boolean, nextAfterMs: number, note: string): Promise<void> {
  await pool.query(
    `UPDATE call_attempt SET record_checks = record_checks + 1, record_absent_checks = record_absent_checks + $4,
       record_check_at = ${nowUtcSql} + make_interval(secs => $2), record_check_note = $3
     WHERE id = $1`,
    [attemptId, nextAfterMs / 1000, note.slice(0, 500), absent ? 1 : 0],
  );
}

/**
 * The attempt's call was found in the records but has not ended: the attempt takes its call_sid (and
 * the state the record shows, never lower than its own), the contact is in a call, and the overdue-call
 * checks follow it from there. False when the attempt moved on meanwhile (a callback came).
 */
export async function adoptCallSid(pool: pg.Pool, attemptId: string, callSid: string, recordStatus: string): Promise<boolean> {
  const transition = callStatusTransitions[recordStatus];
  const next = transition && transition !== 'analyzed' ? transition : { state: 'accepted', rank: 1 };
  const { rows } = await pool.query(
    `WITH attempt AS (
       UPDATE call_attempt a SET call_sid = $2,
         state = CASE WHEN ${currentRankSql} < $4 THEN $3::"AttemptState" ELSE a.state END,
         record_check_at = NULL, record_check_note = 'call found in the records: ' || $5::text, updated_at = ${nowUtcSql}
       WHERE a.id = $1 AND ${unconfirmedSql}
       RETURNING a.contact_id, a.attempt_number
     ), ${markContactInCallCte}
     SELECT 1 FROM attempt`,
    [attemptId, callSid, next.state, next.rank, recordStatus],
  );
  return rows.length === 1;
}

/**
 * Telnyx's records show no call for this dial, on enough checks spaced for their eventual consistency:
 * it was never placed. The attempt row stays (state not_placed: an audit trail, and its id is still
 * the token of the callback URLs Telnyx would use, so a call placed after all would still be seen),
 * its slot is freed, and the contact goes back to pending to be dialed again as a NEW attempt (the
 * next attempt number: the unique (contact, attempt number) and the dial job id of this one stay
 * untouched), with unplaced_attempts + 1 so this one does not count against retry.maxAttempts. A
 * campaign canceled meanwhile cancels the contact instead. One transaction, conditional on the attempt
 * still being unconfirmed with no callback: false when anything moved it on.
 */
export async function markNotPlaced(pool: pg.Pool, attemptId: string, note: string): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ contact_id: string; campaign_id: string; attempt_number: number }>(
      `UPDATE call_attempt a SET state = 'not_placed', slot_released_at = ${nowUtcSql}, ended_at = COALESCE(a.ended_at, ${nowUtcSql}),
         record_checks = a.record_checks + 1, record_absent_checks = a.record_absent_checks + 1,
         record_check_at = NULL, record_check_note = $2, updated_at = ${nowUtcSql}
       WHERE a.id = $1 AND ${unconfirmedSql}
       RETURNING a.contact_id, a.campaign_id, a.attempt_number`,
      [attemptId, note.slice(0, 500)],
    );
    const attempt = rows[0];
    if (!attempt) return false;
    // Lock order as everywhere: attempt, campaign, contact.
    const campaign = await client.query<{ canceled: boolean }>(
      `UPDATE campaign SET active_calls = GREATEST(active_calls - 1, 0), updated_at = ${nowUtcSql} WHERE id = $1 RETURNING status = 'canceled' AS canceled`,
      [attempt.campaign_id],
    );
    const canceled = campaign.rows[0]?.canceled === true;
    await client.query(
      `UPDATE contact SET state = $3::"ContactState", outcome = CASE WHEN $4 THEN 'canceled' ELSE outcome END,
         unplaced_attempts = unplaced_attempts + 1, next_attempt_at = NULL, updated_at = ${nowUtcSql}
       WHERE id = $1 AND attempt_count = $2 AND state IN ${sqlStates(inFlightContactStates)}`,
      [attempt.contact_id, attempt.attempt_number, canceled ? 'canceled' : 'pending', canceled],
    );
    if (canceled) await completeLockedCampaignIfDone(client, attempt.campaign_id);
    return true;
  });
}
