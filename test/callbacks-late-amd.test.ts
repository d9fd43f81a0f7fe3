import { describe, expect, it } from 'vitest';
import { formEncode, makeAmdCallbackPayload, type AnsweredBy } from '../src/telnyx/callback-payloads.ts';
import { answeredCallEvents, makeCallFixture, type CallFixture } from './support/call-fixtures.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { tallyMismatches } from './support/tallies.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('a machine AMD result arriving after the call ended', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const ctx = useTestApp(db, { QUEUE_PREFIX: prefix }, { server: {} });

  const post = async (path: string, body: string) => {
    const response = await ctx.server.inject({ method: 'POST', url: path, payload: body, headers: form });
    expect(response.statusCode, response.body).toBe(200);
  };
  const contactRow = async (id: string) =>
    (await db.pool.query('SELECT state, outcome, attempt_count, next_attempt_at FROM contact WHERE id = $1', [id])).rows[0];
  const campaignRow = async (id: string) => (await db.pool.query('SELECT status, active_calls FROM campaign WHERE id = $1', [id])).rows[0];

  /** A call in progress of a running campaign with machine detection and this retry policy; `others` more contacts wait to be dialed. */
  async function makeCall(retry: object, others = 1): Promise<CallFixture> {
    const fixture = await makeCallFixture(db.pool);
    await db.pool.query(`UPDATE campaign SET config = config || $2::jsonb WHERE id = $1`, [
      fixture.campaignId,
      JSON.stringify({ machineDetection: 'Enable', asyncAmd: true, retry: { delaySeconds: 600, ...retry } }),
    ]);
    for (let index = 0; index < others; index += 1) {
      await db.pool.query(`INSERT INTO contact (campaign_id, phone) VALUES ($1, $2)`, [
        fixture.campaignId,
        `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
      ]);
    }
    return fixture;
  }
  const endCall = async (fixture: CallFixture) => {
    for (const event of answeredCallEvents(fixture.call)) await post(`/callbacks/status/${fixture.attemptId}`, event.body);
  };
  const sendAmd = (fixture: CallFixture, answeredBy: AnsweredBy) =>
    post(`/callbacks/amd/${fixture.attemptId}`, formEncode(makeAmdCallbackPayload(fixture.call, { answeredBy, detectionDurationMs: 2400 })));

  it('retries the contact when the policy retries voicemail, as if the AMD had come first; a redelivery changes nothing', async () => {
    const fixture = await makeCall({ maxAttempts: 3, retryOn: ['voicemail'] });
    await endCall(fixture);
    expect(await contactRow(fixture.contactId)).toMatchObject({ state: 'completed', outcome: 'completed', attempt_count: 1 });

    await sendAmd(fixture, 'machine_end_beep');
    const contact = await contactRow(fixture.contactId);
    expect(contact).toMatchObject({ state: 'pending', outcome: 'voicemail', attempt_count: 1 });
    const wait = await db.pool.query(`SELECT extract(epoch FROM next_attempt_at - (now() AT TIME ZONE 'UTC'))::int AS seconds FROM contact WHERE id = $1`, [
      fixture.contactId,
    ]);
    expect(wait.rows[0].seconds).toBeGreaterThan(540); // the policy's 600 s delay
    expect(wait.rows[0].seconds).toBeLessThanOrEqual(600);
    expect(await campaignRow(fixture.campaignId)).toEqual({ status: 'running', active_calls: 0 });
    const view = await db.pool.query('SELECT outcome, state FROM contact_result WHERE contact_id = $1', [fixture.contactId]);
    expect(view.rows[0]).toEqual({ outcome: 'voicemail', state: 'pending' });

    await sendAmd(fixture, 'machine_end_beep');
    expect(await contactRow(fixture.contactId)).toEqual(contact);
    // The attempt itself stays over: one attempt row, its slot released once.
    const attempts = await db.pool.query('SELECT state, slot_released_at IS NOT NULL AS released FROM call_attempt WHERE contact_id = $1', [fixture.contactId]);
    expect(attempts.rows).toEqual([{ state: 'completed', released: true }]);
  });

  it('leaves a contact that has moved on alone: retried already, or on a later attempt', async () => {
    const fixture = await makeCall({ maxAttempts: 3, retryOn: ['voicemail'] });
    await endCall(fixture);
    // Another path moved it (here: by hand, as a later attempt would): the late AMD must not touch it.
    await db.pool.query(`UPDATE contact SET state = 'dialing', attempt_count = 2 WHERE id = $1`, [fixture.contactId]);
    await sendAmd(fixture, 'machine_start');
    expect(await contactRow(fixture.contactId)).toMatchObject({ state: 'dialing', attempt_count: 2, outcome: 'completed' });
  });

  it('makes the contact a final voicemail (no_answer) when the policy does not retry it, or has no attempts left', async () => {
    for (const retry of [
      { maxAttempts: 3, retryOn: ['no_answer'] },
      { maxAttempts: 1, retryOn: ['voicemail'] },
    ]) {
      const fixture = await makeCall(retry);
      await endCall(fixture);
      await sendAmd(fixture, 'machine_end_silence');
      expect(await contactRow(fixture.contactId)).toMatchObject({ state: 'no_answer', outcome: 'voicemail', attempt_count: 1, next_attempt_at: null });
    }
  });

  it('does not reopen a campaign that completed on this call, nor retry in a canceled one', async () => {
    const last = await makeCall({ maxAttempts: 3, retryOn: ['voicemail'] }, 0);
    await endCall(last);
    expect((await campaignRow(last.campaignId)).status).toBe('completed');
    await sendAmd(last, 'machine_end_beep');
    expect(await contactRow(last.contactId)).toMatchObject({ state: 'no_answer', outcome: 'voicemail', next_attempt_at: null });
    expect((await campaignRow(last.campaignId)).status).toBe('completed');

    const canceled = await makeCall({ maxAttempts: 3, retryOn: ['voicemail'] });
    await endCall(canceled);
    await db.pool.query(`UPDATE campaign SET status = 'canceled' WHERE id = $1`, [canceled.campaignId]);
    await sendAmd(canceled, 'machine_end_beep');
    expect(await contactRow(canceled.contactId)).toMatchObject({ state: 'no_answer', outcome: 'voicemail', next_attempt_at: null });
  });

  it('retries in a paused campaign (dialed once it is resumed)', async () => {
    const fixture = await makeCall({ maxAttempts: 2, retryOn: ['voicemail'] });
    await endCall(fixture);
    await db.pool.query(`UPDATE campaign SET status = 'paused' WHERE id = $1`, [fixture.campaignId]);
    await sendAmd(fixture, 'machine_end_other');
    expect(await contactRow(fixture.contactId)).toMatchObject({ state: 'pending', outcome: 'voicemail' });
  });

  it('changes nothing for a human, or when an earlier AMD result already said human', async () => {
    const human = await makeCall({ maxAttempts: 3, retryOn: ['voicemail'] });
    await endCall(human);
    await sendAmd(human, 'human');
    expect(await contactRow(human.contactId)).toMatchObject({ state: 'completed', outcome: 'completed' });

    const firstHuman = await makeCall({ maxAttempts: 3, retryOn: ['voicemail'] });
    await sendAmd(firstHuman, 'human');
    await endCall(firstHuman);
    await sendAmd(firstHuman, 'machine_end_beep'); // answered_by keeps its first value
    expect(await contactRow(firstHuman.contactId)).toMatchObject({ state: 'completed', outcome: 'completed' });
  });

  it('ends in the same decision when the AMD result and the final status arrive together', async () => {
    for (let round = 0; round < 6; round += 1) {
      const fixture = await makeCall({ maxAttempts: 3, retryOn: ['voicemail'] });
      const events = answeredCallEvents(fixture.call);
      for (const event of events.slice(0, 3)) await post(`/callbacks/status/${fixture.attemptId}`, event.body);
      const final = post(`/callbacks/status/${fixture.attemptId}`, events[3]!.body);
      const amd = sendAmd(fixture, 'machine_end_beep');
      await Promise.all(round % 2 ? [final, amd] : [amd, final]);
      expect(await contactRow(fixture.contactId)).toMatchObject({ state: 'pending', outcome: 'voicemail', attempt_count: 1 });
      expect(await campaignRow(fixture.campaignId)).toEqual({ status: 'running', active_calls: 0 });
    }
  });

  it('keeps the campaign tallies equal to the rows they count', async () => {
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});
