import { describe, expect, it } from 'vitest';
import { parseCallbackBody } from '../src/callbacks/parse-callback-body.ts';
import { readCallbackFacts } from '../src/callbacks/read-callback-facts.ts';
import { recordCallbacks, type CallbackToRecord } from '../src/callbacks/record-callback.ts';
import { withTransaction } from '../src/db/with-transaction.ts';
import { answeredCallEvents, makeCallFixture } from './support/call-fixtures.ts';
import { useTestDatabase } from './support/database.ts';

describe('recordCallbacks: one statement for a batch', () => {
  const db = useTestDatabase();
  const toRecord = (attemptToken: string, body: string): CallbackToRecord => {
    const parsed = parseCallbackBody(Buffer.from(body), 'application/x-www-form-urlencoded', '');
    return { attemptToken, facts: readCallbackFacts('status', parsed, new Date()), payload: parsed.payload };
  };

  it('applies a batch mixing several events of one call, a redelivery, a CallSid fallback and an unknown call', async () => {
    const one = await makeCallFixture(db.pool);
    const two = await makeCallFixture(db.pool);
    const oneEvents = answeredCallEvents(one.call);
    const twoEvents = answeredCallEvents(two.call);
    const stranger = answeredCallEvents({ ...one.call, callSid: 'v3:stranger' });
    const batch = [
      toRecord(one.attemptId, oneEvents[1]!.body), // ringing
      toRecord(one.attemptId, oneEvents[3]!.body), // completed, same attempt, same batch
      toRecord(one.attemptId, oneEvents[1]!.body), // redelivered ringing
      toRecord('not-a-token', twoEvents[2]!.body), // found by CallSid
      toRecord(two.attemptId, twoEvents[0]!.body), // same attempt as the CallSid one
      toRecord('00000000-0000-4000-8000-000000000000', stranger[1]!.body),
    ];
    const results = await withTransaction(db.pool, (client) => recordCallbacks(client, batch));
    expect(results.map((result) => result.outcome)).toEqual(['stored', 'stored', 'duplicate', 'stored', 'stored', 'unknown_attempt']);
    expect(results[1]).toMatchObject({ attemptId: one.attemptId, state: 'completed', finished: 'completed' });
    expect(results[3]).toMatchObject({ attemptId: two.attemptId, state: 'in_progress' });
    const attempts = await db.pool.query(
      `SELECT id, state, jsonb_array_length(status_history) AS events, slot_released_at FROM call_attempt WHERE id = ANY($1) ORDER BY id`,
      [[one.attemptId, two.attemptId]],
    );
    const byId = Object.fromEntries(attempts.rows.map((row) => [row.id, row]));
    expect(byId[one.attemptId]).toMatchObject({ state: 'completed', events: 2 });
    expect(byId[one.attemptId].slot_released_at).not.toBeNull();
    expect(byId[two.attemptId]).toMatchObject({ state: 'in_progress', events: 2, slot_released_at: null });
    const stored = await db.pool.query(`SELECT count(*)::int AS count FROM call_event WHERE attempt_id = ANY($1)`, [[one.attemptId, two.attemptId]]);
    expect(stored.rows[0].count).toBe(4);
  });

  it('keeps finding attempts through their indexes after call_attempt grows under a plan cached while it was tiny', async () => {
    // Each receiver connection plans the named batch statement once, usually at a campaign's start.
    const client = await db.pool.connect();
    try {
      await client.query(`SET plan_cache_mode = force_generic_plan`);
      const first = await makeCallFixture(db.pool);
      await recordCallbacks(client, [toRecord(first.attemptId, answeredCallEvents(first.call)[1]!.body)]);
      await db.pool.query(
        `WITH c AS (
           INSERT INTO contact (campaign_id, phone, state, attempt_count)
           SELECT $1, '+1312' || lpad(n::text, 7, '0'), 'in_call', 1 FROM generate_series(1, 5000) AS n RETURNING id
         )
         INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid) SELECT id, $1, 1, 'accepted', 'v3:grown-' || id FROM c`,
        [first.campaignId],
      );
      const plans: string[] = [];
      client.on('notice', (notice) => plans.push(notice.message ?? ''));
      await client.query(`LOAD 'auto_explain'`);
      await client.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_level = notice`);
      const byToken = await makeCallFixture(db.pool);
      const bySid = await makeCallFixture(db.pool);
      const results = await recordCallbacks(client, [
        toRecord(byToken.attemptId, answeredCallEvents(byToken.call)[1]!.body),
        toRecord('not-a-token', answeredCallEvents(bySid.call)[1]!.body),
      ]);
      expect(results.map((result) => result.outcome)).toEqual(['stored', 'stored']);
      const plan = plans.find((message) => message.includes('call_event')) ?? '';
      expect(plan).toContain('call_attempt_pkey');
      expect(plan).not.toMatch(/Seq Scan on call_attempt/);
    } finally {
      client.release(true);
    }
  });
});
