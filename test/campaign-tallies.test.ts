import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { foldTallies } from '../src/results/fold-tallies.ts';
import { readContactTallies } from '../src/results/read-tallies.ts';
import { withTransaction } from '../src/db/with-transaction.ts';
import { useTestDatabase } from './support/database.ts';
import { tallyMismatches } from './support/tallies.ts';

// The campaign figures come from tallies that statement triggers keep in the same transactions as the
// contacts change: they must match a count of the rows after any mix of writes, rollbacks and folds.
describe('campaign tallies', () => {
  const db = useTestDatabase();

  async function makeCampaign(contacts: number): Promise<string> {
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO campaign (name, status, config, max_concurrent_calls) VALUES ('tallies-' || gen_random_uuid(), 'running', '{}', 10) RETURNING id`,
    );
    const campaignId = rows[0]!.id;
    await db.pool.query(
      `INSERT INTO contact (campaign_id, phone, variables) SELECT $1, '+1555' || lpad(n::text, 7, '0'), '{}' FROM generate_series(1, $2) AS n`,
      [campaignId, contacts],
    );
    return campaignId;
  }

  it('follow inserts, moves, retries, rollbacks, upserts and deletes from concurrent writers while folds run', { timeout: 60_000 }, async () => {
    const campaignId = await makeCampaign(1500);
    const other = await makeCampaign(300);
    const limit = pLimit(8);
    let writing = true;
    // Two processes' maintenance folding at once, as writers go on.
    const foldLoop = async () => {
      let runs = 0;
      while (writing || runs < 2) {
        await foldTallies(db.pool);
        runs++;
      }
      return runs;
    };
    const folds = Promise.all([foldLoop(), foldLoop()]);
    // Each step moves up to 5 contacts one state further along a dial, as the workers do; some steps roll back.
    const moves = [
      `UPDATE contact SET state = 'dialing', attempt_count = attempt_count + 1 WHERE id = ANY($1) AND state = 'pending'`,
      `UPDATE contact SET state = 'in_call' WHERE id = ANY($1) AND state = 'dialing'`,
      `UPDATE contact SET state = 'completed', outcome = 'completed' WHERE id = ANY($1) AND state = 'in_call' AND phone < '+15550000800'`,
      `UPDATE contact SET state = 'no_answer', outcome = 'voicemail' WHERE id = ANY($1) AND state = 'in_call' AND phone >= '+15550000800'`,
      `UPDATE contact SET state = 'pending', outcome = 'no_answer', next_attempt_at = now() + interval '1 hour' WHERE id = ANY($1) AND state = 'no_answer' AND phone > '+15550001200'`,
      `UPDATE contact SET unplaced_attempts = unplaced_attempts + 1 WHERE id = ANY($1) AND state = 'pending' AND attempt_count > unplaced_attempts`,
      `UPDATE contact SET variables = '{"touched": true}' WHERE id = ANY($1)`,
      `DELETE FROM contact WHERE id = ANY($1) AND phone > '+15550001490'`,
    ];
    await Promise.all(
      Array.from({ length: 400 }, (_, step) =>
        limit(async () => {
          const target = step % 5 === 0 ? other : campaignId;
          await withTransaction(db.pool, async (client) => {
            const picked = await client.query<{ id: string }>(
              `SELECT id FROM contact WHERE campaign_id = $1 ORDER BY random() LIMIT 5 FOR UPDATE SKIP LOCKED`,
              [target],
            );
            const ids = picked.rows.map((row) => row.id);
            await client.query(moves[step % moves.length]!, [ids]);
            await client.query(moves[(step * 7 + 3) % moves.length]!, [ids]);
            if (step % 9 === 0) throw new Error('rolled back on purpose');
          }).catch((error: Error) => {
            if (error.message !== 'rolled back on purpose') throw error;
          });
        }),
      ),
    );
    // An import's upsert: new numbers are inserted, known ones updated, in one statement.
    await db.pool.query(
      `INSERT INTO contact (campaign_id, phone, variables) SELECT $1, '+1555' || lpad(n::text, 7, '0'), '{}' FROM generate_series(1400, 1700) AS n
       ON CONFLICT (campaign_id, phone) DO UPDATE SET state = 'suppressed'`,
      [campaignId],
    );
    writing = false;
    expect(Math.min(...(await folds))).toBeGreaterThanOrEqual(2);

    expect(await tallyMismatches(db.pool)).toEqual([]);
    const tallies = await readContactTallies(db.pool, [campaignId]);
    expect(tallies.reduce((sum, tally) => sum + tally.contacts, 0)).toBe(
      Number((await db.pool.query(`SELECT count(*) FROM contact WHERE campaign_id = $1`, [campaignId])).rows[0].count),
    );
    // Folded: one row per group left, none summing to zero.
    await foldTallies(db.pool);
    const { rows } = await db.pool.query<{ spread: number; empty: number }>(
      `SELECT count(*) FILTER (WHERE rows > 1)::int AS spread, count(*) FILTER (WHERE total = 0)::int AS empty
         FROM (SELECT count(*) AS rows, sum(contacts) AS total FROM contact_tally GROUP BY campaign_id, state, outcome, dialed) AS groups`,
    );
    expect(rows[0]).toEqual({ spread: 0, empty: 0 });
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });

  it('empties with a TRUNCATE of the tables they count, cascaded ones included', async () => {
    await makeCampaign(20);
    expect(await readContactTallies(db.pool, null)).not.toEqual([]);
    await db.pool.query('TRUNCATE contact CASCADE');
    expect(await readContactTallies(db.pool, null)).toEqual([]);
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });

  it('counts a contact dialed only by a dial that was never placed as never dialed', async () => {
    const campaignId = await makeCampaign(2);
    await db.pool.query(`UPDATE contact SET attempt_count = 1, unplaced_attempts = 1 WHERE campaign_id = $1 AND phone = '+15550000001'`, [campaignId]);
    await db.pool.query(`UPDATE contact SET attempt_count = 2, unplaced_attempts = 1 WHERE campaign_id = $1 AND phone = '+15550000002'`, [campaignId]);
    const tallies = await readContactTallies(db.pool, [campaignId]);
    expect(tallies.map(({ state, dialed, contacts }) => ({ state, dialed, contacts })).sort((a, b) => Number(a.dialed) - Number(b.dialed))).toEqual([
      { state: 'pending', dialed: false, contacts: 1 },
      { state: 'pending', dialed: true, contacts: 1 },
    ]);
  });
});
