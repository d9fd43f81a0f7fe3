import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliProcess } from './support/cli-process.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { spawnWorker } from './support/worker-process.ts';
import { makeRunningCampaign, startDialStack, type DialStack } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';

// Pace is measured where it matters: at the receiving end, by the simulator's clock. The workers are
// separate processes (as in production), so their work does not delay the simulator's own timestamps.
describe('dial pace across workers', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let stack: DialStack;
  let workers: CliProcess[] = [];

  beforeAll(async () => {
    stack = await startDialStack(db, prefix, { rateLimit: false }, { ACCOUNT_CALLS_PER_SECOND: '6' });
    // Two worker processes with plenty of concurrency: only the shared Redis limiter can hold them back.
    // A wide guard covers the scheduling jitter between permit and arrival on a loaded test machine
    // (shared cores, many processes; observed delays: BENCHMARKS.md, Dial): without the shared
    // limiter every call would land within a fraction of a second. The limiter's exactness by its own clock is in dial-rate-limiter.test.ts.
    const env = { PACE_GUARD_MS: '1000' };
    workers = [spawnWorker(stack, db.url, ['--concurrency', '20'], env), spawnWorker(stack, db.url, ['--concurrency', '20'], env)];
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await stack?.close();
  });

  const callTimes = (phones: string[]) => stack.simulator.calls.filter((call) => phones.includes(call.to)).map((call) => call.at);
  const peakPerSecond = (times: number[]) => Math.max(...times.map((start) => times.filter((at) => at >= start && at < start + 1000).length));
  const done = (campaignId: string) =>
    waitFor(async () => (await getCampaignStatus(stack.app, campaignId)).done, {
      description: 'the campaign to be done',
      timeoutMs: 100_000,
      details: () => getCampaignStatus(stack.app, campaignId),
    });

  it("a campaign's callsPerSecond holds in every 1-second window", { timeout: 120_000 }, async () => {
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 12, { callsPerSecond: 4 });
    await done(campaignId);
    const times = callTimes(phones);
    expect(times).toHaveLength(12);
    expect(peakPerSecond(times), JSON.stringify(times.map((at) => at - Math.min(...times)))).toBeLessThanOrEqual(4);
  });

  it('the account-wide cap holds across campaigns', { timeout: 120_000 }, async () => {
    const first = await makeRunningCampaign(stack.app, 12, { callsPerSecond: 50 });
    const second = await makeRunningCampaign(stack.app, 12, { callsPerSecond: 50 });
    await Promise.all([done(first.campaignId), done(second.campaignId)]);
    const times = callTimes([...first.phones, ...second.phones]);
    expect(times).toHaveLength(24);
    expect(peakPerSecond(times), JSON.stringify(times.map((at) => at - Math.min(...times)))).toBeLessThanOrEqual(6);
  });
});
