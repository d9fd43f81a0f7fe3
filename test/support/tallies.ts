import type { Queryable } from '../../src/db/queryable.ts';

export interface TallyMismatch {
  table: 'contact_tally' | 'conversation_tally';
  group: string;
  tallied: number;
  counted: number;
}

/**
 * Where the campaign tallies (kept by triggers) disagree with counting the rows themselves; [] when
 * they agree. Tests call it after real flows: the tallies must follow every way a row changes.
 */
export async function tallyMismatches(db: Queryable): Promise<TallyMismatch[]> {
  const contacts = await db.query<{ group: string; tallied: string; counted: string }>(
    `WITH tallied AS (SELECT campaign_id, state, outcome, dialed, sum(contacts) AS n FROM contact_tally GROUP BY 1, 2, 3, 4),
          counted AS (SELECT campaign_id, state, outcome, attempt_count > unplaced_attempts AS dialed, count(*) AS n FROM contact GROUP BY 1, 2, 3, 4)
     SELECT concat_ws(' ', coalesce(t.campaign_id, c.campaign_id), coalesce(t.state, c.state), coalesce(t.outcome, c.outcome), coalesce(t.dialed, c.dialed)) AS group,
            coalesce(t.n, 0) AS tallied, coalesce(c.n, 0) AS counted
       FROM tallied t FULL JOIN counted c
         ON t.campaign_id = c.campaign_id AND t.state = c.state AND t.outcome IS NOT DISTINCT FROM c.outcome AND t.dialed = c.dialed
      WHERE coalesce(t.n, 0) <> coalesce(c.n, 0)`,
  );
  const conversations = await db.query<{ group: string; tallied: string; counted: string }>(
    `WITH tallied AS (SELECT campaign_id, state, goal_met, opted_out, insights_pending, sum(conversations) AS n FROM conversation_tally GROUP BY 1, 2, 3, 4, 5),
          counted AS (SELECT campaign_id, state, goal_met, coalesce(opted_out, false) AS opted_out, insights_pending > 0 AS insights_pending, count(*) AS n
                        FROM call_conversation GROUP BY 1, 2, 3, 4, 5)
     SELECT concat_ws(' ', coalesce(t.campaign_id, c.campaign_id), coalesce(t.state, c.state), coalesce(t.goal_met, c.goal_met),
                      coalesce(t.opted_out, c.opted_out), coalesce(t.insights_pending, c.insights_pending)) AS group,
            coalesce(t.n, 0) AS tallied, coalesce(c.n, 0) AS counted
       FROM tallied t FULL JOIN counted c
         ON t.campaign_id = c.campaign_id AND t.state = c.state AND t.goal_met IS NOT DISTINCT FROM c.goal_met
        AND t.opted_out = c.opted_out AND t.insights_pending = c.insights_pending
      WHERE coalesce(t.n, 0) <> coalesce(c.n, 0)`,
  );
  return [
    ...contacts.rows.map((row) => ({ table: 'contact_tally' as const, group: row.group, tallied: Number(row.tallied), counted: Number(row.counted) })),
    ...conversations.rows.map((row) => ({
      table: 'conversation_tally' as const,
      group: row.group,
      tallied: Number(row.tallied),
      counted: Number(row.counted),
    })),
  ];
}
