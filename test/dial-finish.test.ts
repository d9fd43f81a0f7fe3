import { describe, expect, it } from 'vitest';
import { claimContact } from '../src/attempts/claim-contact.ts';
import { finishAttempt } from '../src/attempts/finish-attempt.ts';
import { reapAttempts } from '../src/attempts/reap-attempts.ts';
import { withTransaction } from '../src/db/with-transaction.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';

// The claim and finishAttempt against Postgres alone: retry policy, slot accounting, completion.
describe('claim and finishAttempt', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const ctx = useTestApp(db, { QUEUE_PREFIX: prefix });

  const contact = async (id: string) => (await db.pool.query(`SELECT * FROM contact WHERE id = $1`, [id])).rows[0];
  const campaign = async (id: string) => (await db.pool.query(`SELECT * FROM campaign WHERE id = $1`, [id])).rows[0];
  const queue = (contactId: string) => db.pool.query(`UPDATE contact SET state = 'queued' WHERE id = $1 AND state = 'pending'`, [contactId]);

  async function claim(campaignId: string, contactId: string, attemptNumber: number): Promise<string> {
    await queue(contactId);
    const result = await claimContact(ctx.app.pool, { campaignId, contactId, attemptNumber });
    if (result.kind !== 'claimed') throw new Error(`expected a claim, got ${result.kind}`);
    return result.claim.attemptId;
  }
  const finish = (attemptId: string, state: Parameters<typeof finishAttempt>[2]) =>
    withTransaction(ctx.app.pool, (client) => finishAttempt(client, attemptId, state));

  it('retries per policy (no_answer, then busy), one attempt row each, then records the final outcome', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 1, { retry: { maxAttempts: 2, retryOn: ['no_answer', 'busy'], delaySeconds: 600 } });
    const contactId = contactIds[0]!;
    const first = await claim(campaignId, contactId, 1);
    expect((await campaign(campaignId)).active_calls).toBe(1);
    // Never two attempts in flight: the contact is not queued, so attempt 2 cannot be claimed.
    expect((await claimContact(ctx.app.pool, { campaignId, contactId, attemptNumber: 2 })).kind).toBe('notClaimable');

    expect(await finish(first, 'no_answer')).toMatchObject({ finished: true, outcome: 'no_answer', contactState: 'pending' });
    const retrying = await contact(contactId);
    expect(retrying).toMatchObject({ state: 'pending', attempt_count: 1, outcome: 'no_answer' });
    expect(retrying.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(590_000);
    expect((await campaign(campaignId)).active_calls).toBe(0);

    // A stale job for attempt 1 finds nothing; attempt 2 is claimed.
    await queue(contactId);
    expect((await claimContact(ctx.app.pool, { campaignId, contactId, attemptNumber: 1 })).kind).toBe('notClaimable');
    const second = await claim(campaignId, contactId, 2);
    expect(await finish(second, 'busy')).toMatchObject({ outcome: 'busy', contactState: 'busy', campaignCompleted: true });
    expect(await contact(contactId)).toMatchObject({ state: 'busy', attempt_count: 2, outcome: 'busy', next_attempt_at: null });
    expect(await campaign(campaignId)).toMatchObject({ status: 'completed', active_calls: 0 });
    expect((await db.pool.query(`SELECT attempt_number FROM call_attempt WHERE contact_id = $1 ORDER BY 1`, [contactId])).rows).toEqual([
      { attempt_number: 1 },
      { attempt_number: 2 },
    ]);
  });

  it('releases the slot exactly once however often an attempt is finished', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 2);
    const attempts = [await claim(campaignId, contactIds[0]!, 1), await claim(campaignId, contactIds[1]!, 1)];
    expect((await campaign(campaignId)).active_calls).toBe(2);
    expect((await finish(attempts[0]!, 'completed')).finished).toBe(true);
    expect((await finish(attempts[0]!, 'failed')).finished).toBe(false);
    expect(await campaign(campaignId)).toMatchObject({ active_calls: 1, status: 'running' });
    expect(await contact(contactIds[0]!)).toMatchObject({ state: 'completed', outcome: 'completed' });
  });

  it('a call answered by a machine is a voicemail, retried only when the policy says so', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 2, {
      machineDetection: 'Enable',
      retry: { maxAttempts: 3, retryOn: ['voicemail'], delaySeconds: 60 },
    });
    const retried = await claim(campaignId, contactIds[0]!, 1);
    await db.pool.query(`UPDATE call_attempt SET answered_by = 'machine_end_beep' WHERE id = $1`, [retried]);
    expect(await finish(retried, 'completed')).toMatchObject({ outcome: 'voicemail', contactState: 'pending' });

    const human = await claim(campaignId, contactIds[1]!, 1);
    await db.pool.query(`UPDATE call_attempt SET answered_by = 'human' WHERE id = $1`, [human]);
    expect(await finish(human, 'completed')).toMatchObject({ outcome: 'completed', contactState: 'completed' });
  });

  it('no slot, a paused campaign, the do-not-call list and a closed window all stop the dial before it starts', async () => {
    const { campaignId, contactIds, phones } = await makeRunningCampaign(ctx.app, 4, { maxConcurrentCalls: 1 });
    await claim(campaignId, contactIds[0]!, 1);
    await queue(contactIds[1]!);
    expect((await claimContact(ctx.app.pool, { campaignId, contactId: contactIds[1]!, attemptNumber: 1 })).kind).toBe('noSlot');
    expect(await contact(contactIds[1]!)).toMatchObject({ state: 'queued', attempt_count: 0 });

    await db.pool.query(`UPDATE campaign SET max_concurrent_calls = 10 WHERE id = $1`, [campaignId]);
    await db.pool.query(`INSERT INTO do_not_call (phone, scope) VALUES ($1, 'global')`, [phones[1]]);
    expect((await claimContact(ctx.app.pool, { campaignId, contactId: contactIds[1]!, attemptNumber: 1 })).kind).toBe('suppressed');
    expect(await contact(contactIds[1]!)).toMatchObject({ state: 'suppressed', outcome: 'suppressed', attempt_count: 0 });

    // 03:00 in the contact's zone: back to pending until the window opens, nothing counted.
    await db.pool.query(`UPDATE contact SET timezone = 'America/Chicago' WHERE id = $1`, [contactIds[2]]);
    await queue(contactIds[2]!);
    const night = new Date('2026-11-25T09:00:00Z');
    const outside = await claimContact(ctx.app.pool, { campaignId, contactId: contactIds[2]!, attemptNumber: 1 }, night);
    expect(outside).toEqual({ kind: 'outsideWindow', nextAt: new Date('2026-11-25T14:00:00Z') });
    expect(await contact(contactIds[2]!)).toMatchObject({ state: 'pending', attempt_count: 0 });

    // A second before the window closes (20:59:59 in Chicago): the request could leave after it closed.
    await queue(contactIds[2]!);
    const closing = new Date('2026-11-26T02:59:59Z');
    const late = await claimContact(ctx.app.pool, { campaignId, contactId: contactIds[2]!, attemptNumber: 1 }, closing);
    expect(late).toEqual({ kind: 'outsideWindow', nextAt: new Date('2026-11-26T14:00:00Z') });
    expect(await contact(contactIds[2]!)).toMatchObject({ state: 'pending', attempt_count: 0 });

    await db.pool.query(`UPDATE campaign SET status = 'paused' WHERE id = $1`, [campaignId]);
    await queue(contactIds[3]!);
    expect((await claimContact(ctx.app.pool, { campaignId, contactId: contactIds[3]!, attemptNumber: 1 })).kind).toBe('campaignNotRunning');
    expect(await contact(contactIds[3]!)).toMatchObject({ state: 'pending', attempt_count: 0 });
    expect((await campaign(campaignId)).active_calls).toBe(1);
  });

  it('the reaper fails calls that outlived TimeLimit + Timeout + margin and frees their slots', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 2, { timeLimit: 60, timeout: 10 });
    const old = await claim(campaignId, contactIds[0]!, 1);
    const recent = await claim(campaignId, contactIds[1]!, 1);
    await db.pool.query(`UPDATE call_attempt SET state = 'in_progress', claimed_at = claimed_at - interval '71 seconds' WHERE id = $1`, [old]);
    await db.pool.query(`UPDATE call_attempt SET state = 'in_progress' WHERE id = $1`, [recent]);
    expect(await reapAttempts(ctx.app.pool, 0)).toBe(1);
    expect((await db.pool.query(`SELECT state, error_detail FROM call_attempt WHERE id = $1`, [old])).rows[0]).toMatchObject({
      state: 'failed',
      error_detail: expect.stringMatching(/no terminal callback/),
    });
    expect(await contact(contactIds[0]!)).toMatchObject({ state: 'failed', outcome: 'failed' });
    expect((await campaign(campaignId)).active_calls).toBe(1);
    expect(await reapAttempts(ctx.app.pool, 0)).toBe(0);
  });
});
