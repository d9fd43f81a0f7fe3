import { finalContactStates } from '../attempts/states.ts';
import type { Queryable } from '../db/queryable.ts';
import { readContactTallies, type ContactTally } from './read-tallies.ts';

// A type alias, not an interface, so it reads as a Record<string, number> where one is expected.
export type OutcomeCounts = {
  completed: number;
  no_answer: number;
  busy: number;
  failed: number;
  canceled: number;
  /** Calls that AMD says a machine answered. */
  voicemail: number;
  suppressed: number;
};

const finalStates: ReadonlySet<string> = new Set(finalContactStates);

/**
 * Final outcomes of a campaign's contacts (for `dialer status`); contacts still in play are not
 * counted. A voicemail is a contact whose outcome is voicemail, whatever final state its retries left
 * it in (as in the contact_result view).
 */
export function outcomesOf(tallies: readonly ContactTally[]): OutcomeCounts {
  const counts: OutcomeCounts = { completed: 0, no_answer: 0, busy: 0, failed: 0, canceled: 0, voicemail: 0, suppressed: 0 };
  for (const tally of tallies) {
    if (!finalStates.has(tally.state)) continue;
    counts[tally.outcome === 'voicemail' ? 'voicemail' : (tally.state as keyof OutcomeCounts)] += tally.contacts;
  }
  return counts;
}

export async function countOutcomes(db: Queryable, campaignId: string): Promise<OutcomeCounts> {
  return outcomesOf(await readContactTallies(db, [campaignId]));
}
