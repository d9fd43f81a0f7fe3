import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { makeDialWorker } from '../src/dialing/dial-worker.ts';
import { makeFeeder } from '../src/dialing/run-feeder.ts';
import { checkUnconfirmedAttempts, type CheckUnconfirmedOptions } from '../src/dialing/check-call-records.ts';
import { makeCallRecordReader } from '../src/dialing/call-record-reader.ts';
import { claimContacts } from '../src/attempts/claim-contact.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { closeWorker } from '../src/jobs/queues.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeRunningCampaign, startDialStack, type DialStack } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';

describe('dials that never learned their call_sid are settled from the call records', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const stacks: DialStack[] = [];
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => closeWorker(worker)));
  });
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.close()));
  });

  async function stack(simulatorOptions: SimulatorOptions): Promise<DialStack> {
    const accountSid = `acct-${stacks.length}`;
    const started = await startDialStack(
      db,
      `${prefix}-${stacks.length}`,
      { rateLimit: false, accountSid, ...simulatorOptions },
      { TELNYX_ACCOUNT_SID: accountSid, CALL_RECORD_READS_PER_SECOND: '100' },
    );
    stacks.push(started);
    return started;
  }

  async function dialAll(s: DialStack, count: number) {
    workers.push(makeDialWorker(s.app, { concurrency: 10 }));
    const feeder = makeFeeder(s.app);
    feeder.start(100);
    try {
      await waitFor(async () => s.simulator.calls.length === count, { description: `${count} calls placed`, details: () => s.simulator.requests.length });
      await waitFor(
        async () => {
          const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM call_attempt WHERE state = 'claimed'`);
          return rows[0].n === 0;
        },
        { description: 'every dial answered' },
      );
    } finally {
      await feeder.stop();
    }
  }

  const sweepUntil = async (s: DialStack, options: CheckUnconfirmedOptions, done: () => Promise<boolean>, description: string) => {
    const reader = makeCallRecordReader(s.app, { tries: 2, retryDelayMs: 1 })!;
    await waitFor(
      async () => {
        await checkUnconfirmedAttempts(s.app, reader, options);
        return done();
      },
      { description, timeoutMs: 30_000 },
    );
  };

  /** Claims every contact of the campaign as a dial worker would, then "dies": nothing is sent. */
  async function claimWithoutDialing(s: DialStack, campaignId: string, contactIds: string[]) {
    await db.pool.query(`UPDATE contact SET state = 'queued' WHERE campaign_id = $1`, [campaignId]);
    const claims = await claimContacts(
      s.app.pool,
      campaignId,
      contactIds.map((contactId) => ({ campaignId, contactId, attemptNumber: 1 })),
    );
    expect(claims.every((claim) => claim.kind === 'claimed')).toBe(true);
  }

  it(
    'ambiguous answers (reset after placing) and no callbacks: each attempt adopts its call and the outcome the simulator chose',
    { timeout: 60_000 },
    async () => {
      const s = await stack({ faults: { reset_after_placing: 1 }, dropCallbacksRate: 1, outcomes: { completed: 2, 'no-answer': 1, busy: 1 } });
      const { campaignId, phones } = await makeRunningCampaign(s.app, 8, { retry: { maxAttempts: 1 } });
      await dialAll(s, 8);
      const { rows: unknown } = await db.pool.query(`SELECT state, call_sid FROM call_attempt WHERE campaign_id = $1`, [campaignId]);
      expect(unknown.every((row) => row.state === 'unknown' && row.call_sid === null)).toBe(true);
      await s.simulator.callbacksSettled();

      await sweepUntil(
        s,
        { inFlightMs: 0, absentChecks: 3, spacingMs: 100 },
        async () => (await getCampaignStatus(s.app, campaignId)).done,
        'the campaign to be done',
      );
      const { rows } = await db.pool.query<{ phone: string; call_sid: string; state: string; outcome_source: string; contact_state: string }>(
        `SELECT c.phone, a.call_sid, a.state, a.outcome_source, c.state AS contact_state FROM call_attempt a JOIN contact c ON c.id = a.contact_id WHERE a.campaign_id = $1`,
        [campaignId],
      );
      expect(rows).toHaveLength(8);
      for (const call of s.simulator.calls) {
        expect(phones).toContain(call.to);
        const row = rows.find((candidate) => candidate.phone === call.to)!;
        expect(row).toMatchObject({ call_sid: call.callSid, state: call.outcome.replace('-', '_'), outcome_source: 'call_record' });
      }
    },
  );

  it(
    'claims whose worker died before sending: never placed after spaced checks, dialed again as a new attempt that does not count',
    { timeout: 60_000 },
    async () => {
      const s = await stack({ outcomes: { 'no-answer': 1 } });
      const { campaignId, contactIds, phones } = await makeRunningCampaign(s.app, 4, { retry: { maxAttempts: 2, retryOn: ['no_answer'], delaySeconds: 600 } });
      await claimWithoutDialing(s, campaignId, contactIds);

      const attempts = () =>
        db.pool.query(`SELECT state, record_absent_checks, record_checks FROM call_attempt WHERE campaign_id = $1 ORDER BY id`, [campaignId]);
      const reader = makeCallRecordReader(s.app)!;
      // One listing finding nothing concludes nothing.
      expect(await checkUnconfirmedAttempts(s.app, reader, { inFlightMs: 0, absentChecks: 3, spacingMs: 60_000 })).toMatchObject({ checked: 4, notPlaced: 0 });
      expect((await attempts()).rows.every((row) => row.state === 'claimed' && row.record_absent_checks === 1)).toBe(true);
      // Not checked again before the spacing is up.
      expect(await checkUnconfirmedAttempts(s.app, reader, { inFlightMs: 0, absentChecks: 3, spacingMs: 60_000 })).toMatchObject({ checked: 0 });
      await db.pool.query(`UPDATE call_attempt SET record_check_at = NULL WHERE campaign_id = $1`, [campaignId]);

      await sweepUntil(
        s,
        { inFlightMs: 0, absentChecks: 3, spacingMs: 100 },
        async () => (await attempts()).rows.every((row) => row.state === 'not_placed'),
        'every claim found never placed',
      );
      expect((await attempts()).rows.every((row) => row.record_checks === 3 && row.record_absent_checks === 3)).toBe(true);
      const { rows: contacts } = await db.pool.query(`SELECT state, attempt_count, unplaced_attempts FROM contact WHERE campaign_id = $1`, [campaignId]);
      expect(contacts.every((row) => row.state === 'pending' && row.attempt_count === 1 && row.unplaced_attempts === 1)).toBe(true);
      expect((await db.pool.query(`SELECT active_calls FROM campaign WHERE id = $1`, [campaignId])).rows[0].active_calls).toBe(0);
      const status = await getCampaignStatus(s.app, campaignId);
      expect(status.reconciliation).toEqual({ awaiting: 0, outcomesFromCallRecords: 0, notPlaced: 4 });
      // Never dialed: due now, not waiting for a retry, and no dial counted in the results.
      expect(status.pending).toMatchObject({ due: 4, retry: 0 });
      const { rows: results } = await db.pool.query(`SELECT attempts, waiting FROM contact_result WHERE campaign_id = $1`, [campaignId]);
      expect(results).toEqual(Array(4).fill({ attempts: 0, waiting: 'due' }));

      // Dialed again: attempt 2 of each, the first real call. With maxAttempts 2 and no answer, one more
      // dial is still due (the unplaced attempt did not count), so the contact waits for it.
      await dialAll(s, 4);
      await waitFor(
        async () => {
          const { rows } = await db.pool.query(
            `SELECT count(*)::int AS n FROM contact WHERE campaign_id = $1 AND state = 'pending' AND next_attempt_at IS NOT NULL`,
            [campaignId],
          );
          return rows[0].n === 4;
        },
        { description: 'every contact waiting for its retry' },
      );
      expect(s.simulator.calls.map((call) => call.to).sort()).toEqual([...phones].sort());
      const { rows: all } = await db.pool.query(`SELECT attempt_number, state FROM call_attempt WHERE campaign_id = $1 ORDER BY attempt_number, state`, [
        campaignId,
      ]);
      expect(all.map((row) => `${row.attempt_number}:${row.state}`)).toEqual([...Array(4).fill('1:not_placed'), ...Array(4).fill('2:no_answer')]);
    },
  );

  it('a call list that cannot be read (429 every time) never counts as "not found"', { timeout: 60_000 }, async () => {
    const s = await stack({ callRecords: { rateLimitedRate: 1 } });
    const { campaignId, contactIds } = await makeRunningCampaign(s.app, 2, { retry: { maxAttempts: 1 } });
    await claimWithoutDialing(s, campaignId, contactIds);
    await sweepUntil(
      s,
      { inFlightMs: 0, absentChecks: 2, spacingMs: 50 },
      async () => {
        const { rows } = await db.pool.query(`SELECT min(record_checks)::int AS n FROM call_attempt WHERE campaign_id = $1`, [campaignId]);
        return rows[0].n >= 4;
      },
      'four checks of each attempt',
    );
    const { rows } = await db.pool.query(`SELECT state, record_absent_checks, record_check_note FROM call_attempt WHERE campaign_id = $1`, [campaignId]);
    for (const row of rows) expect(row).toMatchObject({ state: 'claimed', record_absent_checks: 0, record_check_note: expect.stringContaining('429') });
  });
});
