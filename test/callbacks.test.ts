import { describe, expect, it } from 'vitest';
import { recordAccepted } from '../src/attempts/record-accepted.ts';
import { recordAmbiguous } from '../src/attempts/record-ambiguous.ts';
import { countOutcomes } from '../src/results/count-outcomes.ts';
import {
  flattenConversationCallback,
  formEncode,
  makeAmdCallbackPayload,
  makeConversationCallbackPayload,
  makeRecordingCallbackPayload,
  makeStatusCallbackPayload,
} from '../src/telnyx/callback-payloads.ts';
import { answeredCallEvents, makeCallFixture, permutations, type CallFixture } from './support/call-fixtures.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json' };

describe('callback receiver', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const ctx = useTestApp(db, { QUEUE_PREFIX: prefix }, { server: {} });

  const post = (path: string, body: string, headers: Record<string, string> = form) => ctx.server.inject({ method: 'POST', url: path, payload: body, headers });
  const attemptRow = async (id: string) => (await db.pool.query('SELECT * FROM call_attempt WHERE id = $1', [id])).rows[0];
  const eventCount = async (id: string) => Number((await db.pool.query('SELECT count(*) FROM call_event WHERE attempt_id = $1', [id])).rows[0].count);
  const campaignRow = async (id: string) => (await db.pool.query('SELECT * FROM campaign WHERE id = $1', [id])).rows[0];
  const contactRow = async (id: string) => (await db.pool.query('SELECT * FROM contact WHERE id = $1', [id])).rows[0];

  async function sendAll(fixture: CallFixture, events: { body: string }[]) {
    for (const event of events) {
      const response = await post(`/callbacks/status/${fixture.attemptId}`, event.body);
      expect(response.statusCode, response.body).toBe(200);
    }
  }

  it('applies an answered call: state, history, timestamps, durations, hangup, recording; frees the slot once', async () => {
    const fixture = await makeCallFixture(db.pool);
    await sendAll(fixture, answeredCallEvents(fixture.call));
    const attempt = await attemptRow(fixture.attemptId);
    expect(attempt).toMatchObject({
      state: 'completed',
      last_sequence_number: 4,
      ring_duration_sec: 6,
      talk_duration_sec: 60,
      hangup_cause: 'normal_clearing',
      hangup_source: 'callee',
      sip_hangup_cause: '200',
      recording_url: 'https://example.test/rec.mp3',
    });
    expect(attempt.status_history.map((entry: { status: string }) => entry.status)).toEqual(['initiated', 'ringing', 'in-progress', 'completed', 'analyzed']);
    expect(attempt.ringing_at.toISOString()).toBe('2026-11-25T15:00:01.000Z');
    expect(attempt.answered_at.toISOString()).toBe('2026-11-25T15:00:06.000Z');
    expect(attempt.ended_at.toISOString()).toBe('2026-11-25T15:01:06.000Z');
    expect(attempt.analyzed_at.toISOString()).toBe('2026-11-25T15:01:10.000Z');
    expect(attempt.slot_released_at).not.toBeNull();
    expect((await campaignRow(fixture.campaignId)).active_calls).toBe(0);
    expect(await contactRow(fixture.contactId)).toMatchObject({ state: 'completed', outcome: 'completed' });
    expect(await eventCount(fixture.attemptId)).toBe(5);
  });

  it('ends in the right state for EVERY arrival order of an answered call’s 5 status events', async () => {
    const orders = permutations([0, 1, 2, 3, 4]);
    expect(orders).toHaveLength(120);
    // Calls run side by side (each call's events one after another, in its order), as on a live campaign.
    await Promise.all(
      orders.map(async (order) => {
        const fixture = await makeCallFixture(db.pool);
        const events = answeredCallEvents(fixture.call);
        await sendAll(
          fixture,
          order.map((index) => events[index]!),
        );
        const attempt = await attemptRow(fixture.attemptId);
        const label = order.join(',');
        expect(attempt.state, label).toBe('completed');
        expect(attempt.analyzed_at, label).not.toBeNull();
        expect(attempt.answered_at?.toISOString(), label).toBe('2026-11-25T15:00:06.000Z');
        expect(attempt.talk_duration_sec, label).toBe(60);
        expect(attempt.last_sequence_number, label).toBe(4);
        expect(attempt.status_history, label).toHaveLength(5);
        expect((await campaignRow(fixture.campaignId)).active_calls, label).toBe(0);
        expect((await contactRow(fixture.contactId)).state, label).toBe('completed');
      }),
    );
  }, 120_000);

  it('ends in the right state for every order of an unanswered call (no-answer, then retry per policy)', async () => {
    const at = (s: number) => new Date(Date.parse('2026-11-25T15:00:00Z') + s * 1000);
    await Promise.all(
      permutations([0, 1, 2, 3]).map(async (order) => {
        const fixture = await makeCallFixture(db.pool, { retry: { maxAttempts: 2, retryOn: ['no_answer'], delaySeconds: 600 } });
        const events = [
          { status: 'initiated' as const, sequenceNumber: 0, at: at(0) },
          { status: 'ringing' as const, sequenceNumber: 1, at: at(1) },
          { status: 'no-answer' as const, sequenceNumber: 2, at: at(31), hangupCause: 'no_answer' },
          { status: 'analyzed' as const, sequenceNumber: 3, at: at(33) },
        ].map((facts) => ({ body: formEncode(makeStatusCallbackPayload(fixture.call, facts)) }));
        await sendAll(
          fixture,
          order.map((index) => events[index]!),
        );
        const attempt = await attemptRow(fixture.attemptId);
        expect(attempt.state).toBe('no_answer');
        expect(attempt.ring_duration_sec).toBe(31);
        expect(attempt.talk_duration_sec).toBeNull();
        const contact = await contactRow(fixture.contactId);
        expect(contact).toMatchObject({ state: 'pending', outcome: 'no_answer' });
        expect(contact.next_attempt_at).not.toBeNull();
        expect((await campaignRow(fixture.campaignId)).active_calls).toBe(0);
      }),
    );
  }, 60_000);

  it('finishes many calls of ONE campaign at once: every callback 200, every slot released exactly once', async () => {
    const first = await makeCallFixture(db.pool);
    const fixtures = [first];
    for (let i = 1; i < 60; i += 1) {
      const contact = await db.pool.query<{ id: string }>(
        `INSERT INTO contact (campaign_id, phone, state, attempt_count) VALUES ($1, $2, 'in_call', 1) RETURNING id`,
        [first.campaignId, `+1777000${String(i).padStart(4, '0')}`],
      );
      const callSid = `v3:same-campaign-${i}`;
      const attempt = await db.pool.query<{ id: string }>(
        `INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid) VALUES ($1, $2, 1, 'accepted', $3) RETURNING id`,
        [contact.rows[0]!.id, first.campaignId, callSid],
      );
      fixtures.push({ ...first, contactId: contact.rows[0]!.id, attemptId: attempt.rows[0]!.id, callSid, call: { ...first.call, callSid } });
    }
    await db.pool.query('UPDATE campaign SET active_calls = $2 WHERE id = $1', [first.campaignId, fixtures.length]);
    await Promise.all(fixtures.map((fixture) => sendAll(fixture, answeredCallEvents(fixture.call))));
    const states = await db.pool.query(`SELECT state, count(*)::int AS count FROM call_attempt WHERE campaign_id = $1 GROUP BY state`, [first.campaignId]);
    expect(states.rows).toEqual([{ state: 'completed', count: fixtures.length }]);
    expect(await campaignRow(first.campaignId)).toMatchObject({ active_calls: 0, status: 'completed' });
  }, 60_000);

  it('stores a redelivered callback once and answers 200 (duplicate), without touching the attempt again', async () => {
    const fixture = await makeCallFixture(db.pool);
    const [initiated, ringing, , completed] = answeredCallEvents(fixture.call);
    for (const event of [initiated!, ringing!, ringing!, completed!, completed!, completed!]) {
      await post(`/callbacks/status/${fixture.attemptId}`, event.body);
    }
    const again = await post(`/callbacks/status/${fixture.attemptId}`, completed!.body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ ok: true, duplicate: true, state: 'completed' });
    expect(await eventCount(fixture.attemptId)).toBe(3);
    expect((await attemptRow(fixture.attemptId)).status_history).toHaveLength(3);
    expect((await campaignRow(fixture.campaignId)).active_calls).toBe(0);
  });

  it('accepts status callbacks as GET (query string) and as JSON, and RFC 2822 timestamps', async () => {
    const fixture = await makeCallFixture(db.pool);
    const at = new Date('2026-11-25T15:00:01Z');
    const ringing = makeStatusCallbackPayload(fixture.call, { status: 'ringing', sequenceNumber: 1, at, timestampStyle: 'rfc2822' });
    const get = await ctx.server.inject({ method: 'GET', url: `/callbacks/status/${fixture.attemptId}?${formEncode(ringing)}` });
    expect(get.statusCode, get.body).toBe(200);
    expect((await attemptRow(fixture.attemptId)).ringing_at.toISOString()).toBe(at.toISOString());
    const answered = makeStatusCallbackPayload(fixture.call, { status: 'in-progress', sequenceNumber: 2, at: new Date('2026-11-25T15:00:05Z') });
    const viaJson = await post(`/callbacks/status/${fixture.attemptId}`, JSON.stringify(answered), json);
    expect(viaJson.statusCode, viaJson.body).toBe(200);
    expect((await attemptRow(fixture.attemptId)).state).toBe('in_progress');
  });

  it('records AMD (form POST and GET) and counts a machine-answered call as voicemail, whatever the order', async () => {
    for (const amdFirst of [true, false]) {
      const fixture = await makeCallFixture(db.pool);
      const amd = formEncode(makeAmdCallbackPayload(fixture.call, { answeredBy: 'machine_end_beep', detectionDurationMs: 2400 }));
      const sendAmd = () =>
        amdFirst ? post(`/callbacks/amd/${fixture.attemptId}`, amd) : ctx.server.inject({ method: 'GET', url: `/callbacks/amd/${fixture.attemptId}?${amd}` });
      if (amdFirst) expect((await sendAmd()).statusCode).toBe(200);
      await sendAll(fixture, answeredCallEvents(fixture.call));
      if (!amdFirst) expect((await sendAmd()).statusCode).toBe(200);
      expect((await attemptRow(fixture.attemptId)).answered_by).toBe('machine_end_beep');
      const counts = await countOutcomes(db.pool, fixture.campaignId);
      expect(counts).toMatchObject({ voicemail: 1, completed: 0 });
      const view = await db.pool.query('SELECT outcome, answered_by FROM contact_result WHERE contact_id = $1', [fixture.contactId]);
      expect(view.rows[0]).toEqual({ outcome: 'voicemail', answered_by: 'machine_end_beep' });
    }
  });

  it('records conversation callbacks as JSON and as GET, keeping the raw payload', async () => {
    const fixture = await makeCallFixture(db.pool);
    const created = makeConversationCallbackPayload(fixture.call, {
      event: 'created',
      eventId: 'evt-1',
      conversationId: 'conv-42',
      at: new Date('2026-11-25T15:00:07Z'),
      assistantId: 'assistant-1',
    });
    const response = await post(`/callbacks/conversation/${fixture.attemptId}`, JSON.stringify(created), json);
    expect(response.statusCode, response.body).toBe(200);
    expect((await attemptRow(fixture.attemptId)).conversation_id).toBe('conv-42');
    const ended = makeConversationCallbackPayload(fixture.call, {
      event: 'ended',
      eventId: 'evt-2',
      conversationId: 'conv-42',
      at: new Date('2026-11-25T15:01:07Z'),
      assistantId: 'assistant-1',
      durationSeconds: 60,
    });
    const viaGet = await ctx.server.inject({
      method: 'GET',
      url: `/callbacks/conversation/${fixture.attemptId}?${formEncode(flattenConversationCallback(ended))}`,
    });
    expect(viaGet.statusCode, viaGet.body).toBe(200);
    const stored = await db.pool.query(`SELECT status, payload FROM call_event WHERE attempt_id = $1 AND kind = 'conversation' ORDER BY received_at`, [
      fixture.attemptId,
    ]);
    expect(stored.rows.map((row) => row.status)).toEqual(['call.conversation.created', 'call.conversation.ended']);
    expect(stored.rows[0].payload).toEqual(created);
  });

  it('records recording callbacks as form POST and JSON, keeping the newest URL', async () => {
    const fixture = await makeCallFixture(db.pool);
    const recording = makeRecordingCallbackPayload(fixture.call, {
      status: 'completed',
      recordingSid: 'rec-1',
      recordingUrl: 'https://example.test/recording-1.mp3',
      durationSeconds: 60,
      channels: 'dual',
    });
    expect((await post(`/callbacks/recording/${fixture.attemptId}`, formEncode(recording))).statusCode).toBe(200);
    expect((await attemptRow(fixture.attemptId)).recording_url).toBe('https://example.test/recording-1.mp3');
    const second = { ...recording, RecordingSid: 'rec-2', RecordingUrl: 'https://example.test/recording-2.mp3' };
    expect((await post(`/callbacks/recording/${fixture.attemptId}`, JSON.stringify(second), json)).statusCode).toBe(200);
    expect((await attemptRow(fixture.attemptId)).recording_url).toBe('https://example.test/recording-2.mp3');
    expect((await post(`/callbacks/recording/${fixture.attemptId}`, formEncode(recording))).json()).toMatchObject({ duplicate: true });
  });

  it('attributes a callback that beats the dial response, and the late "accepted" never downgrades it', async () => {
    const fixture = await makeCallFixture(db.pool, { attemptState: 'claimed', withCallSid: false });
    const [, ringing] = answeredCallEvents(fixture.call);
    expect((await post(`/callbacks/status/${fixture.attemptId}`, ringing!.body)).statusCode).toBe(200);
    expect(await attemptRow(fixture.attemptId)).toMatchObject({ state: 'ringing', call_sid: fixture.callSid });
    // The dial worker's record when the POST finally returns.
    await recordAccepted(db.pool, fixture.attemptId, fixture.campaignId, fixture.callSid);
    expect((await attemptRow(fixture.attemptId)).state).toBe('ringing');
  });

  it('an accepted dial moves its attempt and contact on and ends a run of rejections', async () => {
    const fixture = await makeCallFixture(db.pool, { attemptState: 'claimed', withCallSid: false });
    await db.pool.query(`UPDATE contact SET state = 'dialing' WHERE id = $1`, [fixture.contactId]);
    await db.pool.query(`UPDATE campaign SET consecutive_rejections = 2, last_rejection_code = '10016' WHERE id = $1`, [fixture.campaignId]);
    await recordAccepted(db.pool, fixture.attemptId, fixture.campaignId, fixture.callSid);
    expect(await attemptRow(fixture.attemptId)).toMatchObject({ state: 'accepted', call_sid: fixture.callSid });
    expect(await attemptRow(fixture.attemptId)).not.toMatchObject({ responded_at: null });
    const { rows } = await db.pool.query(`SELECT state FROM contact WHERE id = $1`, [fixture.contactId]);
    expect(rows[0]).toEqual({ state: 'in_call' });
    expect(await campaignRow(fixture.campaignId)).toMatchObject({ consecutive_rejections: 0, last_rejection_code: null });
  });

  it('an ambiguous dial failure leaves its attempt unknown, or as its callbacks left it, and the contact in a call', async () => {
    const claimed = await makeCallFixture(db.pool, { attemptState: 'claimed', withCallSid: false });
    const advanced = await makeCallFixture(db.pool, { attemptState: 'ringing' });
    for (const fixture of [claimed, advanced]) {
      await db.pool.query(`UPDATE contact SET state = 'dialing' WHERE id = $1`, [fixture.contactId]);
      await recordAmbiguous(db.pool, fixture.attemptId, 'timeout after sending');
      const { rows } = await db.pool.query(`SELECT state FROM contact WHERE id = $1`, [fixture.contactId]);
      expect(rows[0]).toEqual({ state: 'in_call' });
    }
    expect(await attemptRow(claimed.attemptId)).toMatchObject({ state: 'unknown', error_detail: 'timeout after sending' });
    expect(await attemptRow(claimed.attemptId)).not.toMatchObject({ responded_at: null });
    expect(await attemptRow(advanced.attemptId)).toMatchObject({ state: 'ringing', error_detail: null });
  });

  it("a late dial answer for an attempt already settled never moves the contact's next attempt", async () => {
    const fixture = await makeCallFixture(db.pool, { attemptState: 'failed_unknown' });
    // The reconciler settled attempt 1 and the retry policy's attempt 2 is being dialed now.
    await db.pool.query(`UPDATE contact SET state = 'dialing', attempt_count = 2 WHERE id = $1`, [fixture.contactId]);
    await recordAccepted(db.pool, fixture.attemptId, fixture.campaignId, fixture.callSid);
    await recordAmbiguous(db.pool, fixture.attemptId, 'timeout');
    const { rows } = await db.pool.query(`SELECT state, attempt_count FROM contact WHERE id = $1`, [fixture.contactId]);
    expect(rows[0]).toEqual({ state: 'dialing', attempt_count: 2 });
    expect((await attemptRow(fixture.attemptId)).state).toBe('failed_unknown');
  });

  it('advances an attempt left "unknown" by an ambiguous dial failure, and finds an attempt by CallSid when the token is unknown', async () => {
    const fixture = await makeCallFixture(db.pool, { attemptState: 'unknown' });
    const events = answeredCallEvents(fixture.call);
    const response = await post(`/callbacks/status/not-a-known-token`, events[1]!.body);
    expect(response.statusCode, response.body).toBe(200);
    expect((await attemptRow(fixture.attemptId)).state).toBe('ringing');
    await sendAll(fixture, [events[3]!]);
    expect((await attemptRow(fixture.attemptId)).state).toBe('completed');
    expect((await campaignRow(fixture.campaignId)).active_calls).toBe(0);
  });

  it('never changes a rejected or failed_unknown attempt, but keeps the event', async () => {
    for (const state of ['rejected', 'failed_unknown']) {
      const fixture = await makeCallFixture(db.pool, { attemptState: state });
      await sendAll(fixture, answeredCallEvents(fixture.call).slice(0, 4));
      expect((await attemptRow(fixture.attemptId)).state).toBe(state);
      expect(await eventCount(fixture.attemptId)).toBe(4);
      expect((await campaignRow(fixture.campaignId)).active_calls).toBe(1);
    }
  });

  it('answers 404 for an unknown attempt (token and CallSid both unknown) and stores nothing', async () => {
    const fixture = await makeCallFixture(db.pool);
    const stranger = { ...fixture.call, callSid: 'v3:nobody' };
    const [, ringing] = answeredCallEvents(stranger);
    const response = await post('/callbacks/status/00000000-0000-4000-8000-000000000000', ringing!.body);
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: 'not_found', field: 'attemptId' });
    expect(Number((await db.pool.query(`SELECT count(*) FROM call_event WHERE call_sid = 'v3:nobody'`)).rows[0].count)).toBe(0);
    expect((await post(`/callbacks/hangup/${fixture.attemptId}`, ringing!.body)).statusCode).toBe(404);
  });

  it('refuses malformed callbacks with 400 naming the field, and oversize bodies with 413', async () => {
    const fixture = await makeCallFixture(db.pool);
    const url = `/callbacks/status/${fixture.attemptId}`;
    const cases: [string, Record<string, string>, string][] = [
      ['{"CallStatus": ', json, 'body'],
      ['[1,2]', json, 'body'],
      ['CallSid=x&SequenceNumber=1', form, 'CallStatus'],
      ['CallStatus=exploded&SequenceNumber=1', form, 'CallStatus'],
      ['CallStatus=ringing&SequenceNumber=-1', form, 'SequenceNumber'],
      ['CallStatus=ringing&SequenceNumber=1&Timestamp=yesterday', form, 'Timestamp'],
      ['<xml/>', { 'content-type': 'application/xml' }, 'content-type'],
    ];
    for (const [body, headers, field] of cases) {
      const response = await post(url, body, headers);
      expect(response.statusCode, body).toBe(400);
      expect(response.json().error.field, body).toBe(field);
    }
    expect((await post(`/callbacks/amd/${fixture.attemptId}`, 'CallSid=x')).json().error.field).toBe('AnsweredBy');
    const oversize = await post(url, `CallStatus=ringing&Junk=${'x'.repeat(70 * 1024)}`);
    expect(oversize.statusCode).toBe(413);
    expect(oversize.json().error.code).toBe('payload_too_large');
    expect(await eventCount(fixture.attemptId)).toBe(0);
    expect((await attemptRow(fixture.attemptId)).state).toBe('accepted');
  });

  it('counts callbacks by kind and result in /metrics', async () => {
    const response = await ctx.server.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/dialer_callbacks_total\{kind="status",result="stored"\} \d+/);
    expect(response.body).toMatch(/dialer_callbacks_total\{kind="status",result="malformed"\} [1-9]/);
    expect(response.body).toMatch(/dialer_call_outcomes_total\{state="completed"\} [1-9]/);
    expect(response.body).toMatch(/dialer_calls_in_progress \d+/);
    expect(response.body).toMatch(/dialer_contacts\{state="completed"\} [1-9]/);
  });
});
