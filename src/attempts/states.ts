import type { AttemptState, ContactState } from '../generated/prisma/enums.ts';

/**
 * The states of a contact and of each of its attempts (dials), and how they move. Every list of
 * states used elsewhere, in code or in SQL, is derived from this file.
 *
 * Contact: pending -> queued -> dialing -> in_call -> a final state, or back to pending (a retry, or a
 * calling window still closed). Every move is one conditional UPDATE (`... WHERE state = <expected>`),
 * so of two workers only one can win.
 *
 * Attempt: claimed (row written before the request) -> accepted (call_sid) | rejected (4xx, never
 * placed) | unknown (ambiguous answer) -> initiated -> ringing -> in_progress -> a call-ending state;
 * failed_unknown when nothing ever confirmed the call; not_placed when Telnyx's records show it never was.
 */

/** Contacts not dialed yet: waiting for their turn, or with a dial job in Redis. */
export const waitingContactStates = ['pending', 'queued'] as const satisfies readonly ContactState[];
/**
 * Why a `pending` contact waits (the contact_result view's `waiting` column, `dialer status`'s split):
 * - `due`: never dialed and due now (next_attempt_at unset or past): the feeder takes it while the
 *   campaign runs;
 * - `window`: never dialed, put off until its calling window opens (next_attempt_at ahead);
 * - `retry`: dialed before (attempt_count - unplaced_attempts > 0, its last outcome e.g. `voicemail`, `no_answer`, `busy`),
 *   to be dialed again from next_attempt_at (the retry delay, or later the window's opening).
 * An undone claim (the call was never placed) gives its attempt back, and a dial the call records showed
 * was never placed (not_placed) is counted in unplaced_attempts: attempt_count - unplaced_attempts counts dials.
 */
export const pendingReasons = ['due', 'window', 'retry'] as const;
export type PendingReason = (typeof pendingReasons)[number];

/**
 * SQL for the PendingReason of the contact row `alias` (NULL when it is not pending). The view
 * contact_result computes the same expression (migration 20261203183000_contact_result_waiting):
 * change both together.
 */
export function pendingReasonSql(alias: string): string {
  return `CASE WHEN ${alias}.state <> 'pending' THEN NULL
    WHEN ${alias}.attempt_count - ${alias}.unplaced_attempts > 0 THEN 'retry'
    WHEN ${alias}.next_attempt_at > (now() AT TIME ZONE 'UTC') THEN 'window'
    ELSE 'due' END`;
}

/** Contacts with an attempt in flight: claimed and being dialed, or in a call. */
export const inFlightContactStates = ['dialing', 'in_call'] as const satisfies readonly ContactState[];
/** Contacts that are done: nothing more will happen to them. */
export const finalContactStates = ['completed', 'no_answer', 'busy', 'failed', 'canceled', 'suppressed'] as const satisfies readonly ContactState[];
/** A campaign is done when none of its contacts is in one of these. */
export const activeContactStates = [...waitingContactStates, ...inFlightContactStates] as const;

/** Attempt states a call ends in (Telnyx's final CallStatus); entering one releases the concurrency slot. */
export const terminalAttemptStates = ['completed', 'busy', 'no_answer', 'canceled', 'failed'] as const satisfies readonly AttemptState[];
export type TerminalAttemptState = (typeof terminalAttemptStates)[number];

/** Every state that ends an attempt: a call-ending one, a refused dial, or a call never confirmed. */
export const finishedAttemptStates = [...terminalAttemptStates, 'rejected', 'failed_unknown'] as const satisfies readonly AttemptState[];
export type FinishedAttemptState = (typeof finishedAttemptStates)[number];

/**
 * Telnyx's call records showed, on checks spaced for their eventual consistency, that the dial never
 * placed a call: the attempt ends without an outcome, its contact is dialed again (a new attempt) and
 * it does not count against retry.maxAttempts (contact.unplaced_attempts).
 */
export const unplacedAttemptStates = ['not_placed'] as const satisfies readonly AttemptState[];

/** The dial's answer was lost or ambiguous, or never came: nothing from Telnyx confirmed the call yet. */
export const unconfirmedAttemptStates = ['claimed', 'unknown'] as const satisfies readonly AttemptState[];
/** Attempts still holding a concurrency slot: from the claim until a finished state. */
export const openAttemptStates = ['claimed', 'accepted', 'unknown', 'initiated', 'ringing', 'in_progress'] as const satisfies readonly AttemptState[];

// Compile-time checks: each enum is split exactly, so a state added to the schema must be placed here.
type Missing<All, Listed> = Exclude<All, Listed>;
const contactStatesPlaced: Missing<ContactState, (typeof activeContactStates | typeof finalContactStates)[number]> extends never ? true : never = true;
const attemptStatesPlaced: Missing<AttemptState, (typeof openAttemptStates | typeof finishedAttemptStates | typeof unplacedAttemptStates)[number]> extends never
  ? true
  : never = true;
void contactStatesPlaced;
void attemptStatesPlaced;

/** A list of states as an SQL list: `('a', 'b')`. The states are the constants above, never input. */
export function sqlStates(states: readonly string[]): string {
  return `(${states.map((state) => `'${state}'`).join(', ')})`;
}

/**
 * Telnyx CallStatus -> the attempt state it moves to and that state's rank. Transitions only go up
 * in rank, so a late `ringing` never undoes `in_progress` and nothing overwrites a terminal status.
 * `analyzed` (post-call processing) has no state of its own: it only stamps analyzed_at.
 */
export const callStatusTransitions: Record<string, { state: AttemptState; rank: number } | 'analyzed'> = {
  initiated: { state: 'initiated', rank: 2 },
  ringing: { state: 'ringing', rank: 3 },
  'in-progress': { state: 'in_progress', rank: 4 },
  answered: { state: 'in_progress', rank: 4 },
  completed: { state: 'completed', rank: 5 },
  busy: { state: 'busy', rank: 5 },
  'no-answer': { state: 'no_answer', rank: 5 },
  canceled: { state: 'canceled', rank: 5 },
  failed: { state: 'failed', rank: 5 },
  analyzed: 'analyzed',
};

/**
 * SQL rank of the attempt's current state. claimed/accepted/unknown may still be advanced by a
 * callback (it raced the dial response, or the response was lost); rejected, failed_unknown and the
 * terminal states rank above everything, so no callback changes them.
 */
export const currentRankSql = `CASE a.state
  WHEN 'claimed' THEN 0 WHEN 'accepted' THEN 1 WHEN 'unknown' THEN 1
  WHEN 'initiated' THEN 2 WHEN 'ringing' THEN 3 WHEN 'in_progress' THEN 4
  ELSE 99 END`;

export function isTerminalAttemptState(state: string): state is TerminalAttemptState {
  return (terminalAttemptStates as readonly string[]).includes(state);
}
