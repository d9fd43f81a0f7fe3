import type { ContactState } from '../generated/prisma/enums.ts';
import type { FinishedAttemptState } from './states.ts';

/** Outcomes a campaign may choose to retry (its `retry.retryOn`). */
export const retryableOutcomes = ['no_answer', 'busy', 'failed', 'voicemail'] as const;
export type RetryableOutcome = (typeof retryableOutcomes)[number];

/** A campaign's `retry` rules, as its config schema checks them. */
export interface RetryRules {
  maxAttempts: number;
  retryOn: readonly RetryableOutcome[];
  delaySeconds: number;
}

/** How an attempt ended, as the results and the retry policy name it. */
export type AttemptOutcome = 'completed' | 'voicemail' | 'no_answer' | 'busy' | 'failed' | 'canceled' | 'rejected' | 'failed_unknown';

export function outcomeOf(state: FinishedAttemptState, answeredBy: string | null): AttemptOutcome {
  if (state === 'completed' && answeredBy?.startsWith('machine')) return 'voicemail';
  return state;
}

// A voicemail did not reach the person; an unconfirmed or refused dial is a failure for retry purposes.
const finalStateOf: Record<AttemptOutcome, ContactState> = {
  completed: 'completed',
  voicemail: 'no_answer',
  no_answer: 'no_answer',
  busy: 'busy',
  failed: 'failed',
  canceled: 'failed',
  rejected: 'failed',
  failed_unknown: 'failed',
};

const retryClassOf: Record<AttemptOutcome, RetryableOutcome | null> = {
  completed: null,
  voicemail: 'voicemail',
  no_answer: 'no_answer',
  busy: 'busy',
  failed: 'failed',
  canceled: null,
  rejected: 'failed',
  failed_unknown: 'failed',
};

export type ContactDecision = { kind: 'final'; state: ContactState } | { kind: 'retry'; at: Date };

/** What happens to the contact after attempt `attemptNumber` ended with `outcome`. Pure. */
export function decideAfterAttempt(retry: RetryRules, outcome: AttemptOutcome, attemptNumber: number, now: Date, campaignCanceled: boolean): ContactDecision {
  const retryClass = retryClassOf[outcome];
  const mayRetry = !campaignCanceled && retryClass !== null && retry.retryOn.includes(retryClass) && attemptNumber < retry.maxAttempts;
  if (mayRetry) return { kind: 'retry', at: new Date(now.getTime() + retry.delaySeconds * 1000) };
  return { kind: 'final', state: finalStateOf[outcome] };
}
