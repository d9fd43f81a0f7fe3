import type pg from 'pg';
import { finishReleasedAttempts, type FinishedAttempt, type ReleasedAttempt } from './finish-attempt.ts';
import { nowUtcSql, utcParamSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { callStatusTransitions, openAttemptStates, sqlStates, isTerminalAttemptState, type TerminalAttemptState } from './states.ts';

/** What Telnyx's call record says about a call (src/telnyx/call-record-client.ts reads it). */
export interface CallRecordFacts {
  callSid: string;
  /** Telnyx's status: ringing, in-progress, or a final one. */
  status: string;
  durationSec: number | null;
  /** human | machine | not_sure | null. */
  answeredBy: string | null;
  endedAt: Date | null;
}

/** The attempt state a record's status ends the call in, or null while the call is not over. */
export function terminalStateOfRecord(status: string): TerminalAttemptState | null {
  const transition = callStatusTransitions[status];
  return transition && transition !== 'analyzed' && isTerminalAttemptState(transition.state) ? transition.state : null;
}

/** An attempt with a call_sid whose end has not been heard of in a while: its record is due a read. */
export interface AttemptToCheck {
  id: string;
  callSid: string;
  recordChecks: number;
}

/**
 * Takes (leases, for `leaseMs`) up to `limit` attempts holding a slot and a call_sid with no news for
 * `quietMs` (no callback, no response) or whose next check is due. The lease is in Postgres, so two
 * sweeps never read one record at once, and a sweep that died is resumed after it.
 */
export async function takeAttemptsToCheck(pool: pg.Pool, quietMs: number, leaseMs: number, limit: number): Promise<AttemptToCheck[]> {
  const { rows } = await pool.query<{ id: string; call_sid: string; record_checks: number }>(
    `UPDATE call_attempt a SET record_check_at = ${nowUtcSql} + make_interval(secs => $2)
     FROM (
       SELECT id FROM call_attempt
       WHERE state IN ${sqlStates(openAttemptStates)} AND call_sid IS NOT NULL AND slot_released_at IS NULL
         AND COALESCE(record_check_at, updated_at + make_interval(secs => $1)) <= ${nowUtcSql}
       ORDER BY COALESCE(record_check_at, updated_at) LIMIT $3
       FOR UPDATE SKIP LOCKED
     ) due
     WHERE a.id = due.id
     RETURNING a.id, a.call_sid, a.record_checks`,
    [quietMs / 1000, leaseMs / 1000, limit],
  );
  return rows.map((row) => ({ id: row.id, callSid: row.call_sid, recordChecks: row.record_checks }));
}

/** Counts a check that settled nothing (a call still going, a 404, an error) and sets the next one. */
export async function scheduleNextCheck(pool: pg.Pool, attemptId: string, afterMs: number, note: string): Promise<void> {
  await pool.query(
    `UPDATE call_attempt SET record_checks = record_checks + 1, record_check_at = ${nowUtcSql} + make_interval(secs => $2), record_check_note = $3
     WHERE id = $1`,
    [attemptId, afterMs / 1000, note.slice(0, 500)],
  );
}

/**
 * Records the end a call record tells, as the terminal callback would have: the same state, answered_by
 * (so a machine answer is a voicemail), talk time for a completed call, the slot released exactly once
 * and the contact finished through the same retry decision (finishReleasedAttempts), in one
 * transaction. `adopt` also takes the record's call_sid, for an attempt that never learned its own.
 * Returns null when the attempt had already ended (its callback won the race): nothing changes.
 */
export async function recordCallRecordOutcome(
  pool: pg.Pool,
  attemptId: string,
  record: CallRecordFacts,
  terminalState: TerminalAttemptState,
  options: { adopt?: boolean } = {},
): Promise<FinishedAttempt | null> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<ReleasedAttempt>(
      `UPDATE call_attempt a SET state = $2::"AttemptState", outcome_source = 'call_record',
         call_sid = CASE WHEN $7 THEN COALESCE(a.call_sid, $8) ELSE a.call_sid END,
         ended_at = COALESCE(a.ended_at, ${utcParamSql(3)}),
         talk_duration_sec = COALESCE(a.talk_duration_sec, $4),
         answered_by = COALESCE(a.answered_by, $5),
         status_history = a.status_history || jsonb_build_array(jsonb_build_object('status', $6::text, 'source', 'call_record', 'at', ${nowUtcSql})),
         record_checks = a.record_checks + 1, record_check_at = NULL, record_check_note = 'ended per call record: ' || $6::text,
         slot_released_at = ${nowUtcSql}, updated_at = ${nowUtcSql}
       WHERE a.id = $1 AND a.state IN ${sqlStates(openAttemptStates)} AND a.slot_released_at IS NULL
         AND (a.call_sid = $8 OR ($7 AND a.call_sid IS NULL))
       RETURNING a.id, a.campaign_id, a.contact_id, a.attempt_number, a.answered_by,
         (SELECT c.unplaced_attempts FROM contact c WHERE c.id = a.contact_id) AS unplaced_attempts`,
      [
        attemptId,
        terminalState,
        record.endedAt?.toISOString() ?? null,
        terminalState === 'completed' ? record.durationSec : null,
        record.answeredBy,
        record.status,
        options.adopt === true,
        record.callSid,
      ],
    );
    const attempt = rows[0];
    if (!attempt) return null;
    const [finished] = await finishReleasedAttempts(client, [{ attempt, terminalState }]);
    return finished!;
  });
}
