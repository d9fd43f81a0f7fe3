import type { AttemptState } from '../generated/prisma/enums.ts';

/** Attempt states a call ends in; entering one releases the concurrency slot (finishAttempt). */
export const terminalAttemptStates = ['completed', 'busy', 'no_answer', 'canceled', 'failed'] as const;
export type TerminalAttemptState = (typeof terminalAttemptStates)[number];

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
