import type pg from 'pg';
import { finishReleasedAttempts, type ReleasedAttemptToFinish } from '../attempts/finish-attempt.ts';
import type { CallbackFacts } from './read-callback-facts.ts';
import { currentRankSql, isTerminalAttemptState, sqlStates, terminalAttemptStates, type TerminalAttemptState } from '../attempts/states.ts';
import { statementName } from '../db/connection.ts';
import { isUuid } from '../db/uuid.ts';

export type RecordedCallback =
  | { outcome: 'unknown_attempt' }
  | {
      outcome: 'stored' | 'duplicate';
      attemptId: string;
      campaignId: string;
      contactId: string;
      previousState: string;
      state: string;
      /** The terminal state this callback moved the attempt into, if it did. */
      finished: TerminalAttemptState | null;
    };

export interface CallbackToRecord {
  attemptToken: string;
  facts: CallbackFacts;
  payload: Record<string, unknown>;
}

// One statement for a whole batch: resolve each callback's attempt (token first, CallSid as fallback,
// as two equality lookups: this plan is cached per connection, often while call_attempt is still
// tiny, and an OR of the two let it settle on a sequential scan per callback that stayed as the table grew),
// lock the attempts, store each raw event once, and apply the new ones. Every field keeps its first
// known value except the state, which only moves up in rank, the recording URL (newest wins) and the
// status history, which records every distinct event. A callback whose attempt is named by another
// callback of the same batch is left out (`contended`): an UPDATE applies one row per attempt, so
// those are recorded one by one afterwards. Entering a terminal state releases the attempt's slot in
// the same row update, exactly once (only where it is still held); finishReleasedAttempts does the rest.
const recordSql = `
WITH input AS (
  SELECT * FROM unnest(
    $1::uuid[], $2::text[], $3::"CallEventKind"[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $8::"AttemptState"[], $9::int[],
    $10::text[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::text[], $16::int[], $17::int[],
    $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[]
  ) WITH ORDINALITY AS i(token, call_sid, kind, seq, status, dedupe_suffix, payload, new_state, new_rank,
    at_text, ringing_at, answered_at, ended_at, analyzed_at, answered_by, ring_sec, talk_sec,
    hangup_cause, hangup_source, sip_cause, conversation_id, recording_url, error_code, error_detail, ord)
), resolved AS MATERIALIZED (
  SELECT i.ord, COALESCE(
    (SELECT a.id FROM call_attempt a WHERE a.id = i.token),
    (SELECT a.id FROM call_attempt a WHERE a.call_sid = i.call_sid)
  ) AS attempt_id
  FROM input i
), claimed AS (
  SELECT ord, attempt_id, count(*) OVER (PARTITION BY attempt_id) AS sharing FROM resolved WHERE attempt_id IS NOT NULL
), target AS (
  SELECT c.ord, a.id, a.campaign_id, a.contact_id, a.state, a.slot_released_at IS NULL AS holds_slot
  FROM claimed c JOIN call_attempt a ON a.id = c.attempt_id
  WHERE c.sharing = 1
  ORDER BY a.id
  FOR UPDATE OF a
), event AS (
  INSERT INTO call_event (attempt_id, campaign_id, kind, call_sid, sequence_number, status, dedupe_key, payload)
  SELECT t.id, t.campaign_id, i.kind, i.call_sid, i.seq, i.status, t.id::text || ':' || i.dedupe_suffix, i.payload
  FROM target t JOIN input i ON i.ord = t.ord
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING attempt_id
), applied AS (
  UPDATE call_attempt a SET
    state = CASE WHEN i.new_state IS NOT NULL AND ${currentRankSql} < i.new_rank THEN i.new_state ELSE a.state END,
    call_sid = COALESCE(a.call_sid, i.call_sid),
    last_sequence_number = GREATEST(a.last_sequence_number, i.seq),
    status_history = CASE WHEN i.kind = 'status'
      THEN a.status_history || jsonb_build_array(jsonb_build_object('status', i.status, 'sequenceNumber', i.seq, 'at', i.at_text))
      ELSE a.status_history END,
    ringing_at = COALESCE(a.ringing_at, i.ringing_at AT TIME ZONE 'UTC'),
    answered_at = COALESCE(a.answered_at, i.answered_at AT TIME ZONE 'UTC'),
    ended_at = COALESCE(a.ended_at, i.ended_at AT TIME ZONE 'UTC'),
    analyzed_at = COALESCE(a.analyzed_at, i.analyzed_at AT TIME ZONE 'UTC'),
    answered_by = COALESCE(a.answered_by, i.answered_by),
    ring_duration_sec = COALESCE(a.ring_duration_sec, i.ring_sec),
    talk_duration_sec = COALESCE(a.talk_duration_sec, i.talk_sec),
    hangup_cause = COALESCE(a.hangup_cause, i.hangup_cause),
    hangup_source = COALESCE(a.hangup_source, i.hangup_source),
    sip_hangup_cause = COALESCE(a.sip_hangup_cause, i.sip_cause),
    conversation_id = COALESCE(a.conversation_id, i.conversation_id),
    recording_url = COALESCE(i.recording_url, a.recording_url),
    error_code = COALESCE(a.error_code, i.error_code),
    error_detail = COALESCE(a.error_detail, i.error_detail),
    slot_released_at = CASE WHEN i.new_state IN ${sqlStates(terminalAttemptStates)} AND ${currentRankSql} < i.new_rank
      THEN COALESCE(a.slot_released_at, now() AT TIME ZONE 'UTC') ELSE a.slot_released_at END,
    outcome_source = CASE WHEN i.new_state IN ${sqlStates(terminalAttemptStates)} AND ${currentRankSql} < i.new_rank
      THEN 'callback'::"OutcomeSource" ELSE a.outcome_source END,
    updated_at = now() AT TIME ZONE 'UTC'
  FROM event e JOIN target t ON t.id = e.attempt_id JOIN input i ON i.ord = t.ord
  WHERE a.id = e.attempt_id
  RETURNING a.id, a.state, a.attempt_number, a.answered_by, (t.holds_slot AND a.slot_released_at IS NOT NULL) AS released,
    (SELECT k.unplaced_attempts FROM contact k WHERE k.id = a.contact_id) AS unplaced_attempts
)
SELECT i.ord, t.id, t.campaign_id, t.contact_id, t.state AS previous_state, ap.state AS state,
       ap.attempt_number, ap.answered_by, ap.unplaced_attempts, COALESCE(ap.released, false) AS released,
       (ap.id IS NOT NULL) AS stored, (c.ord IS NOT NULL AND t.ord IS NULL) AS contended
FROM input i
LEFT JOIN claimed c ON c.ord = i.ord
LEFT JOIN target t ON t.ord = i.ord
LEFT JOIN applied ap ON ap.id = t.id
ORDER BY i.ord`;

interface RecordRow {
  id: string | null;
  campaign_id: string | null;
  contact_id: string | null;
  previous_state: string | null;
  state: string | null;
  attempt_number: number | null;
  answered_by: string | null;
  unplaced_attempts: number | null;
  released: boolean;
  stored: boolean;
  contended: boolean;
}

/**
 * Stores callbacks and applies them to their attempts, in the caller's transaction, in one round trip
 * for the whole batch. The attempts it moved into a terminal state release their slots in that
 * statement and are finished together (finishReleasedAttempts: counts, retry, completion) in the
 * same transaction, so a crash never leaves a finished call holding its slot. Results come back in
 * the order given.
 */
export async function recordCallbacks(client: pg.PoolClient, callbacks: readonly CallbackToRecord[]): Promise<RecordedCallback[]> {
  const column = <T>(pick: (callback: CallbackToRecord) => T) => callbacks.map(pick);
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  const values = [
    column(({ attemptToken }) => (isUuid(attemptToken) ? attemptToken : null)),
    column(({ facts }) => facts.callSid),
    column(({ facts }) => facts.kind),
    column(({ facts }) => facts.sequenceNumber),
    column(({ facts }) => facts.status),
    column(({ facts }) => facts.dedupeSuffix),
    column(({ payload }) => JSON.stringify(payload)),
    column(({ facts }) => facts.transition?.state ?? null),
    column(({ facts }) => facts.transition?.rank ?? null),
    column(({ facts }) => iso(facts.at)),
    column(({ facts }) => iso(facts.ringingAt)),
    column(({ facts }) => iso(facts.answeredAt)),
    column(({ facts }) => iso(facts.endedAt)),
    column(({ facts }) => iso(facts.analyzedAt)),
    column(({ facts }) => facts.answeredBy),
    column(({ facts }) => facts.ringDurationSec),
    column(({ facts }) => facts.talkDurationSec),
    column(({ facts }) => facts.hangupCause),
    column(({ facts }) => facts.hangupSource),
    column(({ facts }) => facts.sipHangupCause),
    column(({ facts }) => facts.conversationId),
    column(({ facts }) => facts.recordingUrl),
    column(({ facts }) => facts.errorCode),
    column(({ facts }) => facts.errorDetail),
  ];
  // Named: each connection parses and plans this large statement once, not once per batch (not behind a pooler: see statementName).
  const { rows } = await client.query<RecordRow>({ name: statementName(client, 'record-callbacks'), text: recordSql, values });
  const results: RecordedCallback[] = [];
  const toFinish: ReleasedAttemptToFinish[] = [];
  for (const [index, row] of rows.entries()) {
    if (row.contended) {
      // Alone in its own statement it cannot contend (and that call finishes its own attempt).
      results.push((await recordCallbacks(client, [callbacks[index]!]))[0]!);
      continue;
    }
    if (!row.id || !row.campaign_id || !row.contact_id || !row.previous_state) {
      results.push({ outcome: 'unknown_attempt' });
      continue;
    }
    const state = row.state ?? row.previous_state;
    const finished = row.stored && state !== row.previous_state && isTerminalAttemptState(state) ? state : null;
    if (finished && row.released) {
      const attempt = {
        id: row.id,
        campaign_id: row.campaign_id,
        contact_id: row.contact_id,
        attempt_number: row.attempt_number!,
        answered_by: row.answered_by,
        unplaced_attempts: row.unplaced_attempts ?? 0,
      };
      toFinish.push({ attempt, terminalState: finished });
    }
    results.push({
      outcome: row.stored ? 'stored' : 'duplicate',
      attemptId: row.id,
      campaignId: row.campaign_id,
      contactId: row.contact_id,
      previousState: row.previous_state,
      state,
      finished,
    });
  }
  // Campaign counts last, all together: the campaign row lock they take is held only until the commit.
  await finishReleasedAttempts(client, toFinish);
  return results;
}
