import type pg from 'pg';
import { readConversationTallies } from './read-tallies.ts';
import type { InsightEntry, TranscriptEntry } from './read-results-page.ts';

/**
 * Goal rate per campaign: calls whose goal was met / calls with a goal result (true or false).
 * Campaigns with no goal result yet are absent.
 */
export async function readGoalRates(pool: pg.Pool, campaignIds: readonly string[]): Promise<Map<string, number>> {
  if (campaignIds.length === 0) return new Map();
  const decided = new Map<string, { met: number; decided: number }>();
  for (const tally of await readConversationTallies(pool, campaignIds)) {
    if (tally.goalMet === null) continue;
    const entry = decided.get(tally.campaignId) ?? { met: 0, decided: 0 };
    entry.decided += tally.conversations;
    if (tally.goalMet) entry.met += tally.conversations;
    decided.set(tally.campaignId, entry);
  }
  return new Map([...decided].map(([campaignId, { met, decided: total }]) => [campaignId, met / total]));
}

/** The latest conversation read for a contact (its newest attempt that has one), or null. */
export interface ContactConversation {
  attemptNumber: number;
  state: string;
  goalMet: boolean | null;
  optedOut: boolean | null;
  transcript: TranscriptEntry[];
  insights: InsightEntry[];
}

export async function readContactConversation(pool: pg.Pool, contactId: string): Promise<ContactConversation | null> {
  const { rows } = await pool.query<{
    attempt_number: number;
    state: string;
    goal_met: boolean | null;
    opted_out: boolean | null;
    transcript: TranscriptEntry[] | null;
    insights: InsightEntry[] | null;
  }>(
    `SELECT a.attempt_number, cc.state::text AS state, cc.goal_met, cc.opted_out, cc.transcript, cc.insights
       FROM call_attempt a JOIN call_conversation cc ON cc.attempt_id = a.id
      WHERE a.contact_id = $1 ORDER BY a.attempt_number DESC LIMIT 1`,
    [contactId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    attemptNumber: row.attempt_number,
    state: row.state,
    goalMet: row.goal_met,
    optedOut: row.opted_out,
    transcript: row.transcript ?? [],
    insights: row.insights ?? [],
  };
}
