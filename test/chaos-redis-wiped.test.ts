import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { makeQueue } from '../src/jobs/queues.ts';
import {
  callRecordChaosEnv,
  type ChaosStack,
  expectAlive,
  expectDialedOnceAsSimulated,
  type OwnRedis,
  spawnWorkerProcess,
  startChaosStack,
  startOwnRedis,
  waitForCampaignDone,
} from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { useTestDatabase } from './support/database.ts';
import { waitFor } from './support/wait-for.ts';

// Chaos: someone runs FLUSHALL on the queue's Redis mid-campaign. The server stays up (connections
// live, nothing reconnects) but every BullMQ job, job scheduler, lock and pace key is gone. Postgres
// is the truth: the feeder's repair pass must queue again what Postgres holds as queued, and the
// maintenance schedulers must be rebuilt, with no contact dialed twice. The test runs its OWN
// redis-server: the machine's is shared. RECONCILE_GRACE_SECONDS is an hour: every end must come
// from a callback or a call record.
describe('chaos: Redis wiped (FLUSHALL) mid-campaign', () => {
  const db = useTestDatabase();
  let redis: OwnRedis;
  let stack: ChaosStack;

  beforeAll(async () => {
    redis = await startOwnRedis();
    stack = await startChaosStack(db, {
      prefix: 'chaos-redis-wiped',
      redisUrl: redis.url,
      simulator: {
        rateLimit: false,
        latencyMs: 40,
        callbackDelayMs: 5,
        callDurationMs: 30,
        seed: 14,
        outcomes: { completed: 6, 'no-answer': 2, busy: 1, voicemail: 1 },
        callRecords: { visibilityDelayMs: 1000 },
      },
      env: callRecordChaosEnv,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('the repair pass and the schedulers bring everything back: each contact dialed once, outcomes as simulated', { timeout: 150_000 }, async () => {
    const contacts = 300;
    const { campaignId } = await makeRunningCampaign(
      stack.app,
      contacts,
      { callsPerSecond: 30, maxConcurrentCalls: 1000, machineDetection: 'Enable' },
      'draft',
    );
    await startCampaign(stack.app, campaignId);
    const worker = spawnWorkerProcess(stack);
    const queue = makeQueue(stack.app, 'maintenance');
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const schedulers = async () =>
      (await queue.getJobSchedulers())
        .map((scheduler) => scheduler.key)
        .sort()
        .join(',');
    let doneAt: number;
    try {
      await waitFor(() => stack.simulator.calls.length >= 60, {
        description: 'the worker to be well into the campaign',
        timeoutMs: 60_000,
        details: () => worker.stderr().slice(-4000),
      });
      expect(await schedulers()).toBe('reap,reconcile,records,tallies');
      expect(await client.flushall()).toBe('OK');
      const dialsAtWipe = stack.simulator.calls.length;
      // The wipe must cut the campaign short: otherwise this test proves nothing.
      expect(dialsAtWipe).toBeLessThan(contacts);
      // FLUSHALL's OK is the proof of the wipe: the running processes write new keys (pace permits,
      // jobs) within milliseconds, so counting keys afterwards would race them.

      await waitFor(async () => (await schedulers()) === 'reap,reconcile,records,tallies', {
        description: 'the records, reconcile, reap and tallies job schedulers to exist again after the wipe',
        timeoutMs: 45_000,
        details: () => worker.stderr().slice(-4000),
      });
      const status = await waitForCampaignDone(stack.app, campaignId, { simulator: stack.simulator, timeoutMs: 90_000 });
      doneAt = Date.now();
      expect(status.status).toBe('completed');
      expectAlive(worker, 'dialer worker');
      expectAlive(stack.receiver, 'dialer serve');
    } finally {
      client.disconnect();
      await queue.close();
      expect(await worker.stop(), worker.stderr()).toBe(0);
    }
    await stack.simulator.callbacksSettled();

    const { ledger, context } = await expectDialedOnceAsSimulated(db.pool, stack.simulator, campaignId, contacts);
    expect(ledger.activeCalls, context).toBe(0);
    const lastCallAt = Math.max(...stack.simulator.calls.map((call) => call.at));
    expect(doneAt - lastCallAt, context).toBeLessThan(120_000);
  });
});
