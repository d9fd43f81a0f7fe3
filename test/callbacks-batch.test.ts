import { describe, expect, it } from 'vitest';
import { parseCallbackBody } from '../src/callbacks/parse-callback-body.ts';
import { readCallbackFacts } from '../src/callbacks/read-callback-facts.ts';
import { recordCallbacks, type CallbackToRecord } from '../src/callbacks/record-callback.ts';
import { withTransaction } from '../src/dialing/with-transaction.ts';
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
    const attempts = await db.pool.query(`SELECT id, state, jsonb_array_length(status_history) AS events, slot_released_at FROM call_attempt WHERE id = ANY($1) ORDER BY id`, [
      [one.attemptId, two.attemptId],
    ]);
    const byId = Object.fromEntries(attempts.rows.map((row) => [row.id, row]));
    expect(byId[one.attemptId]).toMatchObject({ state: 'completed', events: 2 });
    expect(byId[one.attemptId].slot_released_at).not.toBeNull();
    expect(byId[two.attemptId]).toMatchObject({ state: 'in_progress', events: 2, slot_released_at: null });
    const stored = await db.pool.query(`SELECT count(*)::int AS count FROM call_event WHERE attempt_id = ANY($1)`, [[one.attemptId, two.attemptId]]);
    expect(stored.rows[0].count).toBe(4);
  });
});
