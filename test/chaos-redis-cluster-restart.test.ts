import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { feedCampaign } from '../src/dialing/feed-campaign.ts';
import { queuePrefixOf } from '../src/jobs/queues.ts';
import { jobCatalog } from '../src/jobs/catalog.ts';
import {
  expectAlive,
  expectDialedOnceAsSimulated,
  spawnWorkerProcess,
  startChaosStack,
  waitForCampaignDone,
  type ChaosStack,
} from './support/chaos-harness.ts';
import type { CliProcess } from './support/cli-process.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { useTestDatabase } from './support/database.ts';
import { startOwnRedisCluster, type OwnRedisCluster } from './support/redis-cluster.ts';
import { waitFor } from './support/wait-for.ts';

// Chaos: on a three-master Redis Cluster, the master that holds the dial queue shuts down mid-campaign
// without saving (no persistence: its jobs and locks are gone, as in a crash) and comes back on its
// port, empty, with its slots. Three worker processes must ride it out: no process dies, Postgres
// rebuilds the lost jobs, and each contact is still dialed exactly once with its outcome recorded.
// The cluster is the test's own (free ports): restarting a master of the shared one would disturb
// the other test files.
describe('chaos: a Redis Cluster master restarts mid-campaign', () => {
  const db = useTestDatabase();
  let cluster: OwnRedisCluster;
  let stack: ChaosStack;

  beforeAll(async () => {
    cluster = await startOwnRedisCluster();
    stack = await startChaosStack(db, {
      prefix: 'chaos-cluster',
      redisClusterNodes: cluster.env.REDIS_CLUSTER_NODES,
      simulator: { rateLimit: false, latencyMs: 40, callbackDelayMs: 5, callDurationMs: 30, seed: 11, outcomes: { completed: 7, 'no-answer': 2, busy: 1 } },
      env: { ACCOUNT_CALLS_PER_SECOND: '1000' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await cluster?.stop();
  });

  it('every contact is dialed exactly once and its outcome recorded', { timeout: 240_000 }, async () => {
    const contacts = 300;
    const { campaignId } = await makeRunningCampaign(stack.app, contacts, { callsPerSecond: 50, maxConcurrentCalls: 1000 }, 'draft');
    await startCampaign(stack.app, campaignId);
    // Every contact's job is in Redis before the workers start, so the restart loses jobs of contacts
    // that Postgres holds as queued.
    expect((await feedCampaign(stack.app, campaignId)).enqueued).toBe(contacts);
    const dialQueueMaster = await masterOf(cluster.ports[0]!, `${queuePrefixOf(stack.app, jobCatalog.dial.queueName)}:${jobCatalog.dial.queueName}:wait`);
    expect(cluster.ports).toContain(dialQueueMaster);

    const workers: CliProcess[] = [1, 2, 3].map(() => spawnWorkerProcess(stack, ['--concurrency', '20']));
    try {
      await waitFor(() => stack.simulator.calls.length >= 60, {
        description: 'the workers to be well into the campaign',
        timeoutMs: 60_000,
        details: () => workers.map((worker) => worker.stderr().slice(-2000)),
      });
      await cluster.restartMaster(dialQueueMaster);
      const dialsAtRestart = stack.simulator.calls.length;
      expect(dialsAtRestart).toBeLessThan(contacts);
      workers.forEach((worker, index) => expectAlive(worker, `dialer worker ${index + 1}`));

      const status = await waitForCampaignDone(stack.app, campaignId, { simulator: stack.simulator, timeoutMs: 120_000 });
      expect(status.status).toBe('completed');
      workers.forEach((worker, index) => expectAlive(worker, `dialer worker ${index + 1}`));
      expectAlive(stack.receiver, 'dialer serve');
    } finally {
      for (const worker of workers) expect(await worker.stop(), worker.stderr().slice(-4000)).toBe(0);
    }
    await stack.simulator.callbacksSettled();
    const { ledger, context } = await expectDialedOnceAsSimulated(db.pool, stack.simulator, campaignId, contacts);
    expect(ledger.attempts, context).toBe(contacts);
    expect(ledger.activeCalls, context).toBe(0);
  });
});

/** The port of the master serving `key`'s slot, asked of the node on `port`. */
async function masterOf(port: number, key: string): Promise<number> {
  const redis = new Redis(port, '127.0.0.1');
  try {
    const slot = Number(await redis.cluster('KEYSLOT', key));
    const ranges = (await redis.cluster('SLOTS')) as unknown as [number, number, [string, number, ...unknown[]], ...unknown[]][];
    const range = ranges.find(([start, end]) => slot >= start && slot <= end);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return Number(range[2][1]);
  } finally {
    redis.disconnect();
  }
}
