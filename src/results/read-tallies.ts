import { ContactState } from '../generated/prisma/enums.ts';
import type { Queryable } from '../db/queryable.ts';

/**
 * Counts kept with the rows (contact_tally, conversation_tally: see their migration): a campaign's
 * figures without reading its contacts, exact in the caller's snapshot. Each group may still be spread
 * over several delta rows until the next fold (fold-tallies.ts); these sums add them up.
 */
export interface ContactTally {
  campaignId: string;
  state: ContactState;
  /** The contact's last final outcome (e.g. completed, voicemail, no_answer), null before its first. */
  outcome: string | null;
  /** Dialed at least once (a pending one then waits for a retry). */
  dialed: boolean;
  contacts: number;
}

export interface ConversationTally {
  campaignId: string;
  state: 'pending' | 'completed' | 'timed_out';
  goalMet: boolean | null;
  optedOut: boolean;
  insightsPending: boolean;
  conversations: number;
}

/** The contact tallies of the given campaigns (every campaign when null). */
export async function readContactTallies(db: Queryable, campaignIds: readonly string[] | null): Promise<ContactTally[]> {
  const { rows } = await db.query<{ campaign_id: string; state: ContactState; outcome: string | null; dialed: boolean; contacts: string }>(
    `SELECT campaign_id, state, outcome, dialed, sum(contacts) AS contacts FROM contact_tally
      WHERE $1::uuid[] IS NULL OR campaign_id = ANY($1::uuid[])
      GROUP BY 1, 2, 3, 4 HAVING sum(contacts) <> 0`,
    [campaignIds],
  );
  return rows.map((row) => ({ campaignId: row.campaign_id, state: row.state, outcome: row.outcome, dialed: row.dialed, contacts: Number(row.contacts) }));
}

/** Contacts per state (every state listed, zeros included, in the enum's order). */
export function contactsPerState(tallies: readonly ContactTally[]): Record<ContactState, number> {
  const contacts = Object.fromEntries(Object.values(ContactState).map((state) => [state, 0])) as Record<ContactState, number>;
  for (const tally of tallies) contacts[tally.state] += tally.contacts;
  return contacts;
}

/** The conversation tallies of the given campaigns (every campaign when null). */
export async function readConversationTallies(db: Queryable, campaignIds: readonly string[] | null): Promise<ConversationTally[]> {
  const { rows } = await db.query<{
    campaign_id: string;
    state: ConversationTally['state'];
    goal_met: boolean | null;
    opted_out: boolean;
    insights_pending: boolean;
    conversations: string;
  }>(
    `SELECT campaign_id, state, goal_met, opted_out, insights_pending, sum(conversations) AS conversations FROM conversation_tally
      WHERE $1::uuid[] IS NULL OR campaign_id = ANY($1::uuid[])
      GROUP BY 1, 2, 3, 4, 5 HAVING sum(conversations) <> 0`,
    [campaignIds],
  );
  return rows.map((row) => ({
    campaignId: row.campaign_id,
    state: row.state,
    goalMet: row.goal_met,
    optedOut: row.opted_out,
    insightsPending: row.insights_pending,
    conversations: Number(row.conversations),
  }));
}
