import { beforeAll, describe, expect, it } from 'vitest';
import { runDialerInProcess } from './support/cli.ts';
import { useTestDatabase } from './support/database.ts';
import { clusterTarget, scanKeys, sharedClusterPorts, useSharedRedisCluster } from './support/redis-cluster.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// `dialer` commands that touch Redis (schedules are BullMQ job schedulers) work the same on a Redis Cluster.
const db = useTestDatabase();
const prefix = useTestRedisPrefix();
const cluster = useSharedRedisCluster(prefix);

beforeAll(() => {
  process.env.DATABASE_URL = db.url;
  process.env.QUEUE_PREFIX = prefix;
  process.env.REDIS_CLUSTER_NODES = cluster.REDIS_CLUSTER_NODES;
  process.env.LOG_LEVEL = 'silent';
});

describe('dialer commands on a Redis Cluster', () => {
  it('schedule, schedules and unschedule keep the job scheduler under its hash tag', async () => {
    const name = 'Cluster schedule';
    const campaign = await db.prisma.campaign.create({
      data: {
        name,
        config: { name, connectionId: 'c', assistantId: 'a', from: '+13125550123', callsPerSecond: 1, maxConcurrentCalls: 2 },
        maxConcurrentCalls: 2,
      },
    });
    expect((await runDialerInProcess('schedule', name, '--cron', '0 10 * * 1-5', '--tz', 'America/New_York')).code).toBe(0);
    const listed = await runDialerInProcess('schedules', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.stringify(JSON.parse(listed.stdout))).toContain(campaign.id);
    const keys = await scanKeys(clusterTarget(sharedClusterPorts), prefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(`{${prefix}:schedule-tick}:`))).toBe(true);
    expect((await runDialerInProcess('unschedule', name)).code).toBe(0);
    expect(await runDialerInProcess('schedules', '--json')).toMatchObject({ code: 0 });
    expect(JSON.stringify(JSON.parse((await runDialerInProcess('schedules', '--json')).stdout))).not.toContain(campaign.id);
  });
});
