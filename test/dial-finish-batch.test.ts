import { describe, expect, it } from 'vitest';
import { parseCallbackBody } from '../src/callbacks/parse-callback-body.ts';
import { readCallbackFacts } from '../src/callbacks/read-callback-facts.ts';
import { recordCallbacks, type CallbackToRecord } from '../src/callbacks/record-callback.ts';
import { claimContact } from '../src/attempts/claim-contact.ts';
import { finishAttempts, type AttemptToFinish } from '../src/attempts/finish-attempt.ts';
import { withTransaction } from '../src/db/with-transaction.ts';
import { answeredCallEvents, makeCallFixture } from './support/call-fixtures.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// finishAttempts: many ended calls in one transaction keep finishAttempt's contract call by call.
describe('finishAttempts: a batch of ended calls', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const ctx = useTestApp(db, { QUEUE_PREFIX: prefix });

  const campaign = async (id: string) => (await db.pool.query(`SELECT * FROM campaign WHERE id = $1`, [id])).rows[0];
  const contactStates = async (ids: string[]) =>
    (await db.pool.query<{ state: string }>(`SELECT state FROM contact WHERE id = ANY($1) ORDER BY array_position($1, id)`, [ids])).rows.map(
      (row) => row.state,
    );
  const releasedSlots = async (attemptIds: string[]) =>
    (await db.pool.query(`SELECT count(*)::int AS count FROM call_attempt WHERE id = ANY($1) AND slot_released_at IS NOT NULL`, [attemptIds])).rows[0].count;
  const finish = (attempts: AttemptToFinish[]) => withTransaction(ctx.app.pool, (client) => finishAttempts(client, attempts));

  async function claimAll(campaignId: string, contactIds: string[], attemptNumber: number): Promise<string[]> {
    const attemptIds: string[] = [];
    for (const contactId of contactIds) {
      await db.pool.query(`UPDATE contact SET state = 'queued' WHERE id = $1`, [contactId]);
      const result = await claimContact(ctx.app.pool, { campaignId, contactId, attemptNumber });
      if (result.kind !== 'claimed') throw new Error(`expected a claim, got ${result.kind}`);
      attemptIds.push(result.claim.attemptId);
    }
    return attemptIds;
  }

  it('finishes many calls of one campaign: one slot each, retries per policy, completed with the last final contact', async () => {
    const { campaignId, contactIds } = await makeRunningCampaign(ctx.app, 6, { retry: { maxAttempts: 2, retryOn: ['no_answer'], delaySeconds: 600 } });
    const first = await claimAll(campaignId, contactIds, 1);
    const batch: AttemptToFinish[] = [
      ...first.slice(0, 4).map((attemptId) => ({ attemptId, terminalState: 'completed' as const })),
      ...first.slice(4).map((attemptId) => ({ attemptId, terminalState: 'no_answer' as const })),
      { attemptId: first[0]!, terminalState: 'failed' }, // redelivered in the same batch
    ];
    const results = await finish(batch);
    expect(results.map((result) => [result.finished, result.contactState])).toEqual([
      ...Array(4).fill([true, 'completed']),
      [true, 'pending'],
      [true, 'pending'],
      [false, undefined],
    ]);
    expect(await contactStates(contactIds)).toEqual(['completed', 'completed', 'completed', 'completed', 'pending', 'pending']);
    expect(await campaign(campaignId)).toMatchObject({ status: 'running', active_calls: 0 });

    const second = await claimAll(campaignId, contactIds.slice(4), 2);
    const last = await finish(second.map((attemptId) => ({ attemptId, terminalState: 'no_answer' })));
    expect(last).toEqual([
      { finished: true, outcome: 'no_answer', contactState: 'no_answer', campaignCompleted: true },
      { finished: true, outcome: 'no_answer', contactState: 'no_answer', campaignCompleted: true },
    ]);
    const completed = await campaign(campaignId);
    expect(completed).toMatchObject({ status: 'completed', active_calls: 0 });

    // The whole history finished again: nothing moves.
    const again = await finish([...first, ...second].map((attemptId) => ({ attemptId, terminalState: 'completed' })));
    expect(again.every((result) => !result.finished)).toBe(true);
    expect((await campaign(campaignId)).updated_at).toEqual(completed.updated_at);
    expect(await contactStates(contactIds)).toEqual(['completed', 'completed', 'completed', 'completed', 'no_answer', 'no_answer']);
  });

  it('finishes calls of two campaigns in one batch: each campaign counts only its own slots', async () => {
    const one = await makeRunningCampaign(ctx.app, 3);
    const two = await makeRunningCampaign(ctx.app, 3);
    const oneAttempts = await claimAll(one.campaignId, one.contactIds, 1);
    const twoAttempts = await claimAll(two.campaignId, two.contactIds, 1);
    // Interleaved, all of campaign one and two of campaign two's three calls, one of them twice.
    const ended = [oneAttempts[0]!, twoAttempts[0]!, oneAttempts[1]!, twoAttempts[1]!, oneAttempts[2]!, twoAttempts[0]!];
    const results = await finish(ended.map((attemptId) => ({ attemptId, terminalState: 'busy' })));
    expect(results.map((result) => result.finished)).toEqual([true, true, true, true, true, false]);
    expect(results.map((result) => result.campaignCompleted)).toEqual([true, false, true, false, true, undefined]);
    expect(await campaign(one.campaignId)).toMatchObject({ status: 'completed', active_calls: 0 });
    expect(await campaign(two.campaignId)).toMatchObject({ status: 'running', active_calls: 1 });
    expect(await releasedSlots(oneAttempts)).toBe(3);
    expect(await releasedSlots(twoAttempts)).toBe(2);
    expect(await contactStates(two.contactIds)).toEqual(['busy', 'busy', 'dialing']);
  });

  it('a terminal callback redelivered in the same callback batch releases its slot once', async () => {
    const calls = await Promise.all([makeCallFixture(db.pool), makeCallFixture(db.pool), makeCallFixture(db.pool)]);
    // Each fixture campaign holds one slot; two more stand for calls still running, so a second
    // release would show (active_calls never goes below zero).
    await db.pool.query(`UPDATE campaign SET active_calls = 3 WHERE id = ANY($1)`, [calls.map((call) => call.campaignId)]);
    const completedCallback = (call: (typeof calls)[number]): CallbackToRecord => {
      const parsed = parseCallbackBody(Buffer.from(answeredCallEvents(call.call)[3]!.body), 'application/x-www-form-urlencoded', '');
      return { attemptToken: call.attemptId, facts: readCallbackFacts('status', parsed, new Date()), payload: parsed.payload };
    };
    const batch = [...calls.map(completedCallback), completedCallback(calls[1]!)];
    const results = await withTransaction(db.pool, (client) => recordCallbacks(client, batch));
    expect(results.map((result) => result.outcome)).toEqual(['stored', 'stored', 'stored', 'duplicate']);
    const campaigns = await db.pool.query(`SELECT active_calls FROM campaign WHERE id = ANY($1)`, [calls.map((call) => call.campaignId)]);
    expect(campaigns.rows.map((row) => row.active_calls)).toEqual([2, 2, 2]);
    expect(await contactStates(calls.map((call) => call.contactId))).toEqual(['completed', 'completed', 'completed']);
  });

  it('a terminal callback for an attempt whose slot was already released changes no count', async () => {
    const call = await makeCallFixture(db.pool);
    await db.pool.query(`UPDATE call_attempt SET slot_released_at = now() WHERE id = $1`, [call.attemptId]);
    const parsed = parseCallbackBody(Buffer.from(answeredCallEvents(call.call)[3]!.body), 'application/x-www-form-urlencoded', '');
    const callback = { attemptToken: call.attemptId, facts: readCallbackFacts('status', parsed, new Date()), payload: parsed.payload };
    const [result] = await withTransaction(db.pool, (client) => recordCallbacks(client, [callback]));
    expect(result).toMatchObject({ outcome: 'stored', finished: 'completed' });
    expect(await campaign(call.campaignId)).toMatchObject({ active_calls: 1, status: 'running' });
    expect(await contactStates([call.contactId])).toEqual(['in_call']);
  });
});
