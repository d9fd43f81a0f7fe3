import type pg from 'pg';
import { addDoNotCallNumbers } from '../do-not-call/add-do-not-call-numbers.ts';

/**
 * Puts a number that asked not to be called again on the chosen do-not-call list at once, saying where
 * the request came from. The same transaction suppresses every contact with that number still waiting
 * (in this campaign, or in all for the global list): pending retries are canceled. Idempotent.
 */
export async function applyOptOut(
  pool: pg.Pool,
  input: { list: 'campaign' | 'global'; campaignId: string; contactId: string; attemptId: string; phone: string },
): Promise<{ added: boolean; suppressedContacts: number }> {
  const scope = input.list === 'global' ? ({ kind: 'global' } as const) : ({ kind: 'campaign', campaignId: input.campaignId } as const);
  const source = `opt-out in call: campaign ${input.campaignId}, contact ${input.contactId}, attempt ${input.attemptId}`;
  const result = await addDoNotCallNumbers(pool, scope, [input.phone], source);
  return { added: result.added > 0, suppressedContacts: result.suppressedContacts };
}
