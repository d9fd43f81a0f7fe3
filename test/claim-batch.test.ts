import { describe, expect, it } from 'vitest';
import { makeClaimBatcher } from '../src/dialing/claim-batcher.ts';
import { claimContacts } from '../src/attempts/claim-contact.ts';
import { undoUnplacedClaim } from '../src/attempts/undo-unplaced-claim.ts';
import type { DialJob } from '../src/jobs/catalog.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// Claims in batches: slots stay exact, each contact is claimed once, every job gets its own answer;
// and a claim undone before its request left.
describe('batched claims', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const ctx = useTestApp(db, { QUEUE_PREFIX: prefix });

  const queueAll = (campaignId: string) => db.pool.query(`UPDATE contact SET state = 'queued' WHERE campaign_id = $1`, [campaignId]);
  const jobsOf = (campaignId: string, contactIds: string[]): DialJob[] => contactIds.map((contactId) => ({ campaignId, contactId, attemptNumber: 1 }));
  const counts = async (campaignId: string) =>
    (
      await db.pool.query<{ active_calls: number; attempts: number; dialing: number }>(
        `SELECT active_calls,
                (SELECT count(*)::int FROM call_attempt WHERE campaign_id = $1) AS attempts,
                (SELECT count(*)::int FROM contact WHERE campaign_id = $1 AND state = 'dialing') AS dialing
         FROM campaign WHERE id = $1`,
        [campaignId],
      )
    ).rows[0]!;

  it('with fewer free slots than the batch needs, claims in order up to the cap and no further', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 5, { maxConcurrentCalls: 3 });
    await queueAll(campaignId);
    const results = await claimContacts(ctx.app.pool, campaignId, jobsOf(campaignId, contactIds));
    expect(results.map((result) => result.kind)).toEqual(['claimed', 'claimed', 'claimed', 'noSlot', 'noSlot']);
    expect(await counts(campaignId)).toEqual({ active_calls: 3, attempts: 3, dialing: 3 });
    const queued = await db.pool.query(`SELECT id FROM contact WHERE campaign_id = $1 AND state = 'queued' ORDER BY id`, [campaignId]);
    expect(queued.rows.map((row) => row.id).sort()).toEqual(contactIds.slice(3).sort());
  });

  it('answers each job of a mixed batch for itself', async () => {
    const { campaignId, contactIds, phones } = await makeRunningCampaign(ctx.app, 4);
    await queueAll(campaignId);
    await db.pool.query(`UPDATE contact SET state = 'pending' WHERE id = $1`, [contactIds[1]]);
    await db.pool.query(`INSERT INTO do_not_call (phone, scope) VALUES ($1, 'global')`, [phones[3]]);
    const jobs = jobsOf(campaignId, contactIds);
    jobs[2] = { ...jobs[2]!, attemptNumber: 2 }; // a stale job for an attempt that is not next
    const results = await claimContacts(ctx.app.pool, campaignId, jobs);
    expect(results.map((result) => result.kind)).toEqual(['claimed', 'notClaimable', 'notClaimable', 'suppressed']);
    const claimed = results[0]!;
    if (claimed.kind !== 'claimed') throw new Error('expected a claim');
    expect(claimed.claim).toMatchObject({ phone: phones[0], variables: { first_name: 'P1' } });
    expect(claimed.claim.config.name).toMatch(/^dial test/);
    expect(await counts(campaignId)).toEqual({ active_calls: 1, attempts: 1, dialing: 1 });
  });

  it('two batchers (two worker processes) with every job twice claim each contact exactly once', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 60, { maxConcurrentCalls: 45 });
    await queueAll(campaignId);
    const [one, two] = [makeClaimBatcher(ctx.app.pool, { maxBatch: 7 }), makeClaimBatcher(ctx.app.pool, { maxBatch: 11 })];
    const jobs = jobsOf(campaignId, contactIds);
    const results = await Promise.all([...jobs, ...jobs].flatMap((job) => [one(job), two(job)]));
    const kinds = results.map((result) => result.kind);
    expect(kinds.filter((kind) => kind === 'claimed')).toHaveLength(45);
    expect(new Set(kinds)).toEqual(new Set(['claimed', 'notClaimable', 'noSlot']));
    const attempts = await db.pool.query(`SELECT contact_id FROM call_attempt WHERE campaign_id = $1`, [campaignId]);
    expect(new Set(attempts.rows.map((row) => row.contact_id)).size).toBe(45);
    expect(await counts(campaignId)).toEqual({ active_calls: 45, attempts: 45, dialing: 45 });
  });

  it('an undone claim gives back its slot and attempt; canceled meanwhile, its contact is canceled', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 2);
    await queueAll(campaignId);
    const claims = await claimContacts(ctx.app.pool, campaignId, jobsOf(campaignId, contactIds));
    const [first, second] = claims.map((result) => {
      if (result.kind !== 'claimed') throw new Error(`expected a claim, got ${result.kind}`);
      return result.claim.attemptId;
    });
    expect(await undoUnplacedClaim(ctx.app.pool, { attemptId: first!, campaignId, contactId: contactIds[0]! }, 'queued')).toBe(true);
    expect(await undoUnplacedClaim(ctx.app.pool, { attemptId: first!, campaignId, contactId: contactIds[0]! }, 'queued')).toBe(false);
    await db.pool.query(`UPDATE campaign SET status = 'canceled' WHERE id = $1`, [campaignId]);
    expect(await undoUnplacedClaim(ctx.app.pool, { attemptId: second!, campaignId, contactId: contactIds[1]! }, 'queued')).toBe(true);
    const contacts = await db.pool.query(`SELECT id, state, outcome, attempt_count FROM contact WHERE campaign_id = $1`, [campaignId]);
    const byId = Object.fromEntries(contacts.rows.map((row) => [row.id, row]));
    expect(byId[contactIds[0]!]).toMatchObject({ state: 'queued', outcome: null, attempt_count: 0 });
    expect(byId[contactIds[1]!]).toMatchObject({ state: 'canceled', outcome: 'canceled', attempt_count: 0 });
    expect(await counts(campaignId)).toEqual({ active_calls: 0, attempts: 0, dialing: 0 });
  });
});
