import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedCampaign } from '../src/dialing/feed-campaign.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { spawnWorker } from './support/worker-process.ts';
import { makeRunningCampaign, startDialStack, type DialStack } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';

// `dialer worker` as its own process, as operators (and the chaos tests) run it.
describe('dialer worker process', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let stack: DialStack;

  beforeAll(async () => {
    // Slow responses: the call is placed at once, the 200 comes 1.5 s later, so a dial is in flight.
    stack = await startDialStack(db, prefix, { rateLimit: false, latencyMs: 1500 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('SIGTERM drains: the in-flight dial finishes and its result is recorded before exit 0', { timeout: 60_000 }, async () => {
    const { campaignId } = await makeRunningCampaign(stack.app, 1);
    await feedCampaign(stack.app, campaignId);
    const worker = spawnWorker(stack, db.url, ['--concurrency', '2']);
    await waitFor(() => stack.simulator.calls.length > 0, { description: 'the dial to reach the simulator', timeoutMs: 30_000 });
    expect(await worker.stop(), worker.stderr()).toBe(0);
    const { rows } = await db.pool.query(`SELECT state, call_sid FROM call_attempt WHERE campaign_id = $1`, [campaignId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].call_sid).toBe(stack.simulator.calls[0]!.callSid);
    expect(rows[0].state).not.toBe('claimed');
  });
});
