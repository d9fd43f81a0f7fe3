import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { makeDialRateLimiter, makeWindow } from '../src/dialing/dial-rate-limiter.ts';
import { testRedisUrl, useTestRedisPrefix } from './support/redis.ts';

// The limiter alone, by Redis's clock (the instant each permit was taken): never over a limit in any window.
describe('dial rate limiter (Redis, one Lua script)', () => {
  const prefix = useTestRedisPrefix();
  const connections = [new Redis(testRedisUrl), new Redis(testRedisUrl)];
  afterAll(async () => {
    await Promise.all(connections.map((redis) => redis.quit()));
  });

  const peakIn = (times: number[], windowMs: number) => Math.max(0, ...times.map((start) => times.filter((at) => at >= start && at < start + windowMs).length));

  // Many concurrent takers on two connections (as two processes would be) for `forMs`.
  async function grantTimes(campaignRate: number, accountRate: number, campaigns: string[], forMs: number): Promise<number[]> {
    const limiters = connections.map((redis) => makeDialRateLimiter(redis, prefix, accountRate, 25));
    const granted: number[] = [];
    const end = Date.now() + forMs;
    await Promise.all(
      Array.from({ length: 16 }, async (_, taker) => {
        const limiter = limiters[taker % 2]!;
        const campaign = campaigns[taker % campaigns.length]!;
        while (Date.now() < end) {
          const permit = await limiter.acquire(campaign, campaignRate);
          if (permit.grantedAt !== undefined) granted.push(permit.grantedAt);
          // Not a wait on a condition: backing off as told is what a dial worker does, the load under test.
          else await new Promise((resolve) => setTimeout(resolve, Math.min(permit.waitMs, 50)));
        }
      }),
    );
    return granted.sort((a, b) => a - b);
  }

  it('holds a campaign rate in every 1-second window and keeps up with it', { timeout: 20_000 }, async () => {
    const times = await grantTimes(10, 1000, ['campaign-a'], 3000);
    expect(peakIn(times, 1000)).toBeLessThanOrEqual(10);
    // About 3 s at 10/s: the limiter does not starve its takers.
    expect(times.length).toBeGreaterThanOrEqual(25);
  });

  it('holds the account cap across campaigns', { timeout: 20_000 }, async () => {
    const times = await grantTimes(100, 8, ['campaign-b', 'campaign-c'], 3000);
    expect(peakIn(times, 1000)).toBeLessThanOrEqual(8);
    expect(times.length).toBeGreaterThanOrEqual(20);
  });

  it('paces rates below one per second by spacing', () => {
    expect(makeWindow(0.5, 25)).toEqual({ limit: 1, windowMs: 2025 });
    expect(makeWindow(2.5, 25)).toEqual({ limit: 2, windowMs: 1025 });
  });
});
