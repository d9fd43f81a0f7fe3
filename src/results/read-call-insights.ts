import type pg from 'pg';
import type { InsightEntry, TranscriptEntry } from './read-results-page.ts';

/**
 * Goal rate per campaign: calls whose goal was met / calls with a goal result (true or false).
 * Campaigns with no goal result yet are absent.
 */
export async function readGoalRates(pool: pg.Pool, campaignIds: readonly string[]): Promise<Map<string, number>> {
  if (campaignIds.length === 0) return new Map();
  const { rows } = await pool.query<{ campaign_id: string; met: number; decided: number }>(
    `SELECT campaign_id, count(*) FILTER (WHERE goal_met)::int AS met, count(goal_met)::int AS decided
       FROM call_conversation WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id`,
    [campaignIds],
  );
  return new Map(rows.filter((row) => row.decided > 0).map((row) => [row.campaign_id, row.met / row.decided]));
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
