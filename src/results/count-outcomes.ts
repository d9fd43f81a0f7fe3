import { finalContactStates, sqlStates } from '../attempts/states.ts';
import type { Queryable } from '../db/queryable.ts';

// A type alias, not an interface, so it reads as a Record<string, number> where one is expected.
export type OutcomeCounts = {
  completed: number;
  no_answer: number;
  busy: number;
  failed: number;
  canceled: number;
  /** Completed calls that AMD says a machine answered. */
  voicemail: number;
  suppressed: number;
};

/** Final outcomes of a campaign's contacts (for `dialer status`); contacts still in play are not counted. */
export async function countOutcomes(pool: Queryable, campaignId: string): Promise<OutcomeCounts> {
  const { rows } = await pool.query<{ outcome: keyof OutcomeCounts; count: string }>(
    `SELECT CASE WHEN outcome = 'voicemail' THEN 'voicemail' ELSE state::text END AS outcome, count(*) AS count
       FROM contact_result
      WHERE campaign_id = $1 AND state IN ${sqlStates(finalContactStates)}
      GROUP BY 1`,
    [campaignId],
  );
  const counts: OutcomeCounts = { completed: 0, no_answer: 0, busy: 0, failed: 0, canceled: 0, voicemail: 0, suppressed: 0 };
  for (const row of rows) counts[row.outcome] = Number(row.count);
  return counts;
}
