import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { makeDialWorker } from '../src/dialing/dial-worker.ts';
import { startMaintenanceWorker } from '../src/dialing/maintenance-worker.ts';
import { makeFeeder } from '../src/dialing/run-feeder.ts';
import { checkCallRecords } from '../src/dialing/check-call-records.ts';
import { makeCallRecordReader } from '../src/dialing/call-record-reader.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { formatStatus } from '../src/cli/commands/status.ts';
import type { SimulatedCall } from '../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { closeWorker } from '../src/jobs/queues.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeRunningCampaign, startDialStack, type DialStack } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { tallyMismatches } from './support/tallies.ts';

/** The contact outcome and attempt state a simulated call must end in. */
function expectedOf(call: SimulatedCall): { outcome: string; state: string } {
  if (call.outcome === 'voicemail') return { outcome: 'voicemail', state: 'completed' };
  const state = call.outcome.replace('-', '_');
  return { outcome: state, state };
}

describe('calls whose terminal callback never came end per their call record', () => {
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

  // The workers know the simulator's account id (TELNYX_ACCOUNT_SID) unless `knowAccount` is false.
  async function stack(simulatorOptions: SimulatorOptions, knowAccount = true): Promise<DialStack> {
    const accountSid = `acct-${stacks.length}`;
    const started = await startDialStack(
      db,
      `${prefix}-${stacks.length}`,
      { rateLimit: false, accountSid, ...simulatorOptions },
      {
        CALL_RECORD_CHECK_SECONDS: '1',
        CALL_RECORD_READS_PER_SECOND: '50',
        ...(knowAccount ? { TELNYX_ACCOUNT_SID: accountSid } : {}),
      },
    );
    stacks.push(started);
    return started;
  }

  // First: later tests' receivers learn an account id into this schema.
  it('without an account id nothing is read, and the sweep says so', async () => {
    const s = await stack({}, false);
    const reader = makeCallRecordReader(s.app)!;
    expect(await checkCallRecords(s.app, reader, { quietMs: 1000 })).toEqual({ checked: 0, recorded: 0, noAccount: true });
  });

  it(
    'a third of the calls send no callback: every contact is dialed once and ends as the simulator says, from callback or call record',
    { timeout: 90_000 },
    async () => {
      const s = await stack({
        dropCallbacksRate: 0.34,
        outcomes: { completed: 3, voicemail: 2, 'no-answer': 2, busy: 1, failed: 1 },
        callRecords: { visibilityDelayMs: 300 },
      });
      const { campaignId, phones } = await makeRunningCampaign(s.app, 45, { machineDetection: 'Enable', retry: { maxAttempts: 1 } });
      workers.push(makeDialWorker(s.app, { concurrency: 20 }), await startMaintenanceWorker(s.app));
      const feeder = makeFeeder(s.app);
      feeder.start(100);
      try {
        await waitFor(async () => (await getCampaignStatus(s.app, campaignId)).done, {
          description: 'the campaign to be done',
          timeoutMs: 60_000,
          details: () => getCampaignStatus(s.app, campaignId),
        });
      } finally {
        await feeder.stop();
      }
      const calls = s.simulator.calls.filter((call) => phones.includes(call.to));
      expect(calls.map((call) => call.to).sort()).toEqual([...phones].sort());
      expect(calls.filter((call) => call.callbacksDropped).length).toBeGreaterThan(5);
      const { rows } = await db.pool.query<{ call_sid: string; state: string; outcome: string; outcome_source: string; phone: string }>(
        `SELECT a.call_sid, a.state, c.outcome, a.outcome_source, c.phone FROM call_attempt a JOIN contact c ON c.id = a.contact_id WHERE a.campaign_id = $1`,
        [campaignId],
      );
      expect(rows).toHaveLength(45);
      for (const call of calls) {
        const row = rows.find((candidate) => candidate.call_sid === call.callSid);
        expect(row, call.to).toBeDefined();
        expect({ state: row!.state, outcome: row!.outcome }).toEqual(expectedOf(call));
        expect(row!.outcome_source).toBe(call.callbacksDropped ? 'call_record' : 'callback');
      }
      const campaign = (await db.pool.query('SELECT status, active_calls FROM campaign WHERE id = $1', [campaignId])).rows[0];
      expect(campaign).toEqual({ status: 'completed', active_calls: 0 });

      // dialer status and /metrics tell how many outcomes came from call records.
      const dropped = calls.filter((call) => call.callbacksDropped).length;
      const status = await getCampaignStatus(s.app, campaignId);
      expect(status.reconciliation).toEqual({ awaiting: 0, outcomesFromCallRecords: dropped, notPlaced: 0 });
      expect(formatStatus(status)).toContain(`call records: 0 awaiting reconciliation, ${dropped} outcomes from call records\n`.trimEnd());
      const metrics = (await s.receiver.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(new RegExp(`^dialer_attempt_outcomes_by_source\\{source="call_record"\\} ${dropped}$`, 'm'));
      expect(metrics).toMatch(new RegExp(`^dialer_attempt_outcomes_by_source\\{source="callback"\\} ${45 - dropped}$`, 'm'));
      expect(metrics).toMatch(/^dialer_attempts_awaiting_reconciliation 0$/m);
    },
  );

  it('a record that never shows up (404) or answers 429 is never a conclusion: the call stays open, checked again later', { timeout: 60_000 }, async () => {
    const s = await stack({ dropCallbacksRate: 1, callRecords: { visibilityDelayMs: 3_600_000 } });
    const { campaignId } = await makeRunningCampaign(s.app, 3, { retry: { maxAttempts: 1 } });
    workers.push(makeDialWorker(s.app, { concurrency: 5 }));
    const feeder = makeFeeder(s.app);
    feeder.start(100);
    try {
      await waitFor(async () => s.simulator.calls.length === 3, { description: 'three calls placed' });
    } finally {
      await feeder.stop();
    }
    const reader = makeCallRecordReader(s.app, { tries: 1 })!;
    await waitFor(
      async () => {
        await checkCallRecords(s.app, reader, { quietMs: 1000, maxGapMs: 1000 });
        const { rows } = await db.pool.query<{ n: number }>('SELECT min(record_checks)::int AS n FROM call_attempt WHERE campaign_id = $1', [campaignId]);
        return rows[0]!.n >= 3;
      },
      { description: 'each attempt checked three times', timeoutMs: 30_000 },
    );
    const { rows } = await db.pool.query(
      'SELECT a.state, a.slot_released_at, a.record_check_note, c.state AS contact_state FROM call_attempt a JOIN contact c ON c.id = a.contact_id WHERE a.campaign_id = $1',
      [campaignId],
    );
    for (const row of rows) {
      expect(row).toMatchObject({ state: 'accepted', slot_released_at: null, record_check_note: 'call record not found (yet)', contact_state: 'in_call' });
    }
    expect((await getCampaignStatus(s.app, campaignId)).reconciliation).toEqual({ awaiting: 3, outcomesFromCallRecords: 0, notPlaced: 0 });
    expect((await s.receiver.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^dialer_attempts_awaiting_reconciliation 3$/m);

    // The same calls, readable now but every GET answered 429: still nothing concluded.
    const limited = await stack({ dropCallbacksRate: 1, callRecords: { rateLimitedRate: 1 } });
    const other = await makeRunningCampaign(limited.app, 2, { retry: { maxAttempts: 1 } });
    workers.push(makeDialWorker(limited.app, { concurrency: 5 }));
    const feeder2 = makeFeeder(limited.app);
    feeder2.start(100);
    try {
      await waitFor(async () => limited.simulator.calls.length === 2, { description: 'two calls placed' });
    } finally {
      await feeder2.stop();
    }
    await limited.simulator.callbacksSettled();
    const limitedReader = makeCallRecordReader(limited.app, { tries: 2, retryDelayMs: 1 })!;
    await waitFor(
      async () => {
        await checkCallRecords(limited.app, limitedReader, { quietMs: 1000, maxGapMs: 1000 });
        const { rows: checked } = await db.pool.query<{ n: number }>('SELECT min(record_checks)::int AS n FROM call_attempt WHERE campaign_id = $1', [
          other.campaignId,
        ]);
        return checked[0]!.n >= 2;
      },
      { description: 'each attempt checked twice', timeoutMs: 30_000 },
    );
    const { rows: after } = await db.pool.query('SELECT state, record_check_note FROM call_attempt WHERE campaign_id = $1', [other.campaignId]);
    for (const row of after) expect(row).toMatchObject({ state: 'accepted', record_check_note: expect.stringContaining('HTTP 429') });
  });

  it('keeps the campaign tallies equal to the rows they count', async () => {
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});
