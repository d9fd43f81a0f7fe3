import type pg from 'pg';
import { withTransaction } from '../db/with-transaction.ts';

/**
 * Folds the delta rows of every tally group that has more than one into a single row (and drops
 * groups that sum to zero), so reading a campaign's figures stays a read of a few rows. One statement
 * per table: the rows it deletes and the sum it inserts commit together, and a delta appended
 * meanwhile is left for the next fold. One fold at a time (a transaction lock; others skip): two could
 * delete the same rows in different orders and deadlock. Returns the folded rows written (0 when skipped).
 */
export async function foldTallies(pool: pg.Pool): Promise<number> {
  return withTransaction(pool, async (db) => {
    const { rows } = await db.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('fold-tallies')) AS locked`);
    if (!rows[0]?.locked) return 0;
    return fold(db);
  });
}

async function fold(db: pg.PoolClient): Promise<number> {
  const contacts = await db.query(
    `WITH spread AS (
       SELECT campaign_id FROM contact_tally GROUP BY campaign_id, state, outcome, dialed HAVING count(*) > 1 OR sum(contacts) = 0
     ), folded AS (
       DELETE FROM contact_tally t WHERE t.campaign_id IN (SELECT campaign_id FROM spread)
       RETURNING t.campaign_id, t.state, t.outcome, t.dialed, t.contacts
     )
     INSERT INTO contact_tally (campaign_id, state, outcome, dialed, contacts)
     SELECT campaign_id, state, outcome, dialed, sum(contacts) FROM folded GROUP BY 1, 2, 3, 4 HAVING sum(contacts) <> 0`,
  );
  const conversations = await db.query(
    `WITH spread AS (
       SELECT campaign_id FROM conversation_tally GROUP BY campaign_id, state, goal_met, opted_out, insights_pending HAVING count(*) > 1 OR sum(conversations) = 0
     ), folded AS (
       DELETE FROM conversation_tally t WHERE t.campaign_id IN (SELECT campaign_id FROM spread)
       RETURNING t.campaign_id, t.state, t.goal_met, t.opted_out, t.insights_pending, t.conversations
     )
     INSERT INTO conversation_tally (campaign_id, state, goal_met, opted_out, insights_pending, conversations)
     SELECT campaign_id, state, goal_met, opted_out, insights_pending, sum(conversations) FROM folded GROUP BY 1, 2, 3, 4, 5 HAVING sum(conversations) <> 0`,
  );
  return (contacts.rowCount ?? 0) + (conversations.rowCount ?? 0);
}
