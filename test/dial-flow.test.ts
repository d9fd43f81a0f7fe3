import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { makeDialWorker } from '../src/dialing/dial-worker.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { makeFeeder } from '../src/dialing/run-feeder.ts';
import { feedCampaign } from '../src/dialing/feed-campaign.ts';
import { makeQueue } from '../src/jobs/queues.ts';
import { makeDialJobId } from '../src/jobs/catalog.ts';
import { repairQueuedJobs } from '../src/dialing/repair-queued-jobs.ts';
import { useTestDatabase } from './support/database.ts';
import { usePooledTestDatabase } from './support/pgbouncer.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeRunningCampaign, startDialStack, type DialStack } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { scanKeys, useSharedRedisCluster } from './support/redis-cluster.ts';
import { tallyMismatches } from './support/tallies.ts';

// The same flow on one Redis server, on a three-master Redis Cluster (every queue and the pace limiter
// under a hash tag of its own, spread over the masters), and there with Postgres behind PgBouncer in
// transaction pooling mode (every process's connections, the test's own reads included).
const deployments = [
  { name: 'one Redis server', cluster: false, pooler: false },
  { name: 'a Redis Cluster', cluster: true, pooler: false },
  { name: 'a Redis Cluster, Postgres through PgBouncer', cluster: true, pooler: true },
];

describe.each(deployments)('dial flow against the simulator and the real receiver, on $name', ({ cluster, pooler }) => {
  const db = pooler ? usePooledTestDatabase() : useTestDatabase();
  const prefix = useTestRedisPrefix();
  const redisEnv = cluster ? useSharedRedisCluster(prefix) : {};
  let stack: DialStack;
  const workers: Worker[] = [];

  beforeAll(async () => {
    stack = await startDialStack(db, prefix, { rateLimit: false, outcomes: { completed: 1 } }, {}, redisEnv);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await stack?.close();
  });

  const waitUntilDone = (campaignId: string) =>
    waitFor(
      async () => {
        const status = await getCampaignStatus(stack.app, campaignId);
        return status.done ? status : undefined;
      },
      { description: 'the campaign to be done', timeoutMs: 40_000, details: () => getCampaignStatus(stack.app, campaignId) },
    );

  it('two workers dial every contact exactly once, free every slot and complete the campaign', { timeout: 60_000 }, async () => {
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 40, { callsPerSecond: 200, maxConcurrentCalls: 20 });
    workers.push(makeDialWorker(stack.app, { concurrency: 10 }), makeDialWorker(stack.app, { concurrency: 10 }));
    const feeder = makeFeeder(stack.app);
    feeder.start(100);
    try {
      const status = await waitUntilDone(campaignId);
      expect(status.status).toBe('completed');
      expect(status.contacts.completed).toBe(40);
      expect(status.callsInProgress).toBe(0);
    } finally {
      await feeder.stop();
    }
    const dialed = stack.simulator.calls.filter((call) => phones.includes(call.to)).map((call) => call.to);
    expect(dialed.sort()).toEqual([...phones].sort());
    const attempts = await db.pool.query(`SELECT state, count(*)::int AS n FROM call_attempt WHERE campaign_id = $1 GROUP BY state`, [campaignId]);
    expect(attempts.rows).toEqual([{ state: 'completed', n: 40 }]);
    const body = stack.simulator.calls.find((call) => call.to === phones[0])!.body;
    expect(body.AIAssistantDynamicVariables).toEqual({ first_name: 'P1' });
    // On a cluster every key carries the hash tag of its group (a queue, the pace windows, which
    // expire a second after the last permit), so each Lua script's keys share a slot and the groups
    // spread over the masters; on one server, the plain prefix.
    const keys = await scanKeys(stack.app.redisTarget, prefix);
    const groups = new Set(keys.map((key) => (cluster ? /^\{[^}]*\}/.exec(key)?.[0] : key.split(':')[0])));
    const tagged = (names: string[]) => names.map((group) => `{${prefix}:${group}}`);
    const allowed = cluster ? tagged(['dial', 'maintenance', 'pace', 'post-call', 'reads', 'schedule-tick']) : [prefix];
    const required = cluster ? tagged(['dial', 'maintenance', 'schedule-tick']) : [prefix];
    expect(allowed).toEqual(expect.arrayContaining([...groups]));
    expect([...groups]).toEqual(expect.arrayContaining(required));
  });

  it('duplicate jobs for one contact dial it once', async () => {
    const { campaignId, contactIds, phones } = await makeRunningCampaign(stack.app, 3);
    expect(await feedCampaign(stack.app, campaignId)).toEqual({ enqueued: 3, waiting: 0 });
    const queue = makeQueue(stack.app, 'dial');
    // Same deterministic id: BullMQ ignores it while the first lives; a different (stale) attempt
    // number gets through Redis but finds nothing to claim in Postgres.
    for (const contactId of contactIds) {
      await queue.add('dial', { campaignId, contactId, attemptNumber: 1 }, { jobId: makeDialJobId({ contactId, attemptNumber: 1 }) });
      await queue.add('dial', { campaignId, contactId, attemptNumber: 2 }, { jobId: makeDialJobId({ contactId, attemptNumber: 2 }) });
    }
    await queue.close();
    const status = await waitUntilDone(campaignId);
    expect(status.contacts.completed).toBe(3);
    expect(stack.simulator.calls.filter((call) => phones.includes(call.to))).toHaveLength(3);
  });

  it('rebuilds Redis from Postgres: queued contacts whose jobs vanished are dialed, once', async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 4);
    await feedCampaign(stack.app, campaignId);
    const queue = makeQueue(stack.app, 'dial');
    // As after a Redis restart without persistence: every job is gone, Postgres still says queued.
    await queue.obliterate({ force: true });
    expect(await repairQueuedJobs(stack.app, queue, 0)).toBe(4);
    expect(await repairQueuedJobs(stack.app, queue, 0)).toBe(0);
    await queue.close();
    workers.push(makeDialWorker(stack.app, { concurrency: 4 }));
    const status = await waitUntilDone(campaignId);
    expect(status.contacts.completed).toBe(4);
    expect(stack.simulator.calls.filter((call) => phones.includes(call.to))).toHaveLength(4);
  });

  it('keeps the campaign tallies equal to the rows they count', async () => {
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});
