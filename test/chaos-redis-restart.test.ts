import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedCampaign } from '../src/dialing/feed-campaign.ts';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { makeQueue } from '../src/jobs/queues.ts';
import {
  expectAlive,
  ledgerProblems,
  noLedgerProblems,
  readDialLedger,
  spawnWorkerProcess,
  startChaosStack,
  startOwnRedis,
  waitForCampaignDone,
  type ChaosStack,
  type OwnRedis,
} from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { useTestDatabase } from './support/database.ts';

// Chaos: the Redis server dies (kill -9, no persistence: every job, lock, pace window and schedule is
// lost) in the middle of a campaign and comes back empty. Postgres is the truth; the workers must
// rebuild what Redis lost from it. The test runs its OWN redis-server: the machine's is shared. No
// process may die of it or wait for Redis forever: the worker (dial worker, feeder, pace limiter) and
// `dialer serve` (whose /healthz asks Redis) go on once it is back.
describe('chaos: Redis restarts mid-campaign', () => {
  const db = useTestDatabase();
  let redis: OwnRedis;
  let stack: ChaosStack;
  let restartedAt = 0;

  beforeAll(async () => {
    redis = await startOwnRedis();
    stack = await startChaosStack(db, {
      prefix: 'chaos-redis',
      redisUrl: redis.url,
      simulator: { rateLimit: false, latencyMs: 40, callbackDelayMs: 5, callDurationMs: 30, seed: 5, outcomes: { completed: 7, 'no-answer': 2, busy: 1 } },
      env: { ACCOUNT_CALLS_PER_SECOND: '1000' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('every contact ends final and the carrier saw each contact exactly once', { timeout: 180_000 }, async () => {
    const contacts = 300;
    const { campaignId } = await makeRunningCampaign(stack.app, contacts, { callsPerSecond: 50, maxConcurrentCalls: 1000 }, 'draft');
    await startCampaign(stack.app, campaignId);
    // Every contact is queued with its job in Redis before the workers start (as a schedule tick
    // does), so the restart wipes jobs of contacts Postgres holds as queued.
    expect((await feedCampaign(stack.app, campaignId)).enqueued).toBe(contacts);

    const worker = spawnWorkerProcess(stack);
    try {
      await waitFor(() => stack.simulator.calls.length >= 60, {
        description: 'the worker to be well into the campaign',
        timeoutMs: 60_000,
        details: () => worker.stderr(),
      });
      // The receiver's Redis connection is opened by its first health check.
      expect((await health(stack)).redis).toBe('ok');
      await redis.kill();
      const dialsAtKill = stack.simulator.calls.length;
      // Without Redis the health check answers (503, naming Redis) instead of waiting for it.
      const down = await health(stack);
      expect(down.status, JSON.stringify(down)).toBe('unavailable');
      expect(down.postgres).toBe('ok');
      await redis.start();
      restartedAt = Date.now();
      expect(dialsAtKill).toBeLessThan(contacts);
      expectAlive(worker, 'dialer worker');
      expectAlive(stack.receiver, 'dialer serve');
      await waitFor(async () => (await health(stack)).status === 'ok', {
        description: "dialer serve's health check to find Redis again",
        timeoutMs: 30_000,
        details: () => stack.receiver.stderr().slice(-4000),
      });

      const status = await waitForCampaignDone(stack.app, campaignId, { simulator: stack.simulator, timeoutMs: 120_000 });
      expect(status.status).toBe('completed');
      expectAlive(worker, 'dialer worker');
      expectAlive(stack.receiver, 'dialer serve');
    } finally {
      expect(await worker.stop(), worker.stderr()).toBe(0);
    }
    // Every line the worker wrote is a log line (pino JSON): no error went around the logger to the console.
    expect(
      worker
        .stderr()
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('{')),
    ).toEqual([]);
    await stack.simulator.callbacksSettled();

    const ledger = await readDialLedger(db.pool, stack.simulator, campaignId, 1);
    const problems = ledgerProblems(ledger);
    const context = JSON.stringify({ ...ledger, ...problems });
    expect(problems, context).toEqual(noLedgerProblems);
    // No process died: each contact was dialed exactly once.
    expect(ledger.attempts, context).toBe(contacts);
    expect(ledger.dials, context).toBe(contacts);
    expect(ledger.activeCalls, context).toBe(0);
  });

  it('the maintenance schedules (call records, reconciler, reaper, tallies) are rebuilt after the restart', { timeout: 150_000 }, async () => {
    // Without them an unconfirmed attempt is never settled and a lost call's slot is never freed.
    // A worker process is running again, as it would be in production.
    expect(restartedAt).toBeGreaterThan(0);
    const queue = makeQueue(stack.app, 'maintenance');
    // The first test's worker left them in place: start from none, so the new worker must add them.
    for (const task of ['reconcile', 'reap', 'records', 'tallies']) await queue.removeJobScheduler(task);
    const worker = spawnWorkerProcess(stack);
    const schedulersExist = async () =>
      (await queue.getJobSchedulers())
        .map((scheduler) => scheduler.key)
        .sort()
        .join(',') === 'reap,reconcile,records,tallies';
    try {
      await waitFor(schedulersExist, { description: 'the worker to upsert its job schedulers at start', timeoutMs: 60_000, details: () => worker.stderr() });
      await redis.kill();
      await redis.start();
      await waitFor(schedulersExist, {
        description: 'the records, reconcile, reap and tallies job schedulers to exist again',
        timeoutMs: 45_000,
        details: () => worker.stderr(),
      });
    } finally {
      await queue.close();
      expect(await worker.stop(), worker.stderr()).toBe(0);
    }
  });
});

/** GET /healthz of the stack's `dialer serve`: {status, postgres, redis}. */
async function health(stack: ChaosStack): Promise<{ status: string; postgres: string; redis: string }> {
  const response = await fetch(`${stack.workerEnv.PUBLIC_BASE_URL}/healthz`);
  return (await response.json()) as { status: string; postgres: string; redis: string };
}
