import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis.ts';

/**
 * Two rules over two scopes (the campaign's and the account's), checked and taken in ONE Lua script
 * with Redis's own clock, so the limits hold across every worker process on every machine:
 * - a sliding-window log: at most `limit` permits in any `window` ms (the hard cap);
 * - GCRA spacing: permits at least `interval` ms apart, give or take `tau` ms. Without it a window's
 *   permits would be taken at once, and a burst of simultaneous requests reaches Telnyx spread out by
 *   queueing, which can push part of one second's burst into the next second.
 * Returns {ms to wait, 0} when refused, {0, Redis time of the permit in ms} when granted.
 */
const acquireScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local tau = tonumber(ARGV[7])
local function windowWait(key, limit, window)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count < limit then return 0 end
  local blocking = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return tonumber(blocking[2]) + window - now
end
local function spacingWait(key)
  local tat = tonumber(redis.call('GET', key) or '0')
  return math.max(0, tat - now - tau)
end
local wait = math.max(
  windowWait(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])), spacingWait(KEYS[3]),
  windowWait(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4])), spacingWait(KEYS[4]))
if wait > 0 then return { math.ceil(wait), 0 } end
local function take(zkey, window, tkey, interval)
  redis.call('ZADD', zkey, now, ARGV[5])
  redis.call('PEXPIRE', zkey, math.ceil(window))
  local tat = math.max(tonumber(redis.call('GET', tkey) or '0'), now) + interval
  redis.call('SET', tkey, tostring(tat), 'PX', math.ceil(window + tau))
end
take(KEYS[1], tonumber(ARGV[2]), KEYS[3], tonumber(ARGV[2]) / tonumber(ARGV[1]))
take(KEYS[2], tonumber(ARGV[4]), KEYS[4], tonumber(ARGV[4]) / tonumber(ARGV[3]))
return { 0, tostring(now) }
`;

/** How far ahead of its even spacing a permit may be taken (absorbs small scheduling delays). */
export const spacingToleranceMs = 50;

interface Window {
  limit: number;
  windowMs: number;
}

/**
 * At most `callsPerSecond` in any window of one second (one call per 1/rate s below 1/s). The window
 * is `guardMs` longer than nominal: the rate is counted where the requests arrive, and the time from
 * permit to arrival varies (PACE_GUARD_MS).
 */
export function makeWindow(callsPerSecond: number, guardMs: number): Window {
  if (callsPerSecond >= 1) return { limit: Math.floor(callsPerSecond), windowMs: 1000 + guardMs };
  return { limit: 1, windowMs: Math.ceil(1000 / callsPerSecond) + guardMs };
}

type RedisWithAcquire = RedisConnection & {
  acquireDialPermit(...keysThenArgs: (string | number)[]): Promise<[number, string | number]>;
};

export interface Permit {
  /** 0 when a dial of this campaign may start now (the permit is taken), else the ms to wait. */
  waitMs: number;
  /** Redis time (ms) the permit was taken at, when granted. */
  grantedAt?: number;
}

export interface DialRateLimiter {
  acquire(campaignId: string, campaignCallsPerSecond: number): Promise<Permit>;
  /** PACE_GUARD_MS: how much later than its permit a request may reach Telnyx without breaking the rate. */
  readonly guardMs: number;
}

/**
 * `prefix` starts every key the script touches; on a Redis Cluster it must be a hash tag (keyGroupPrefix),
 * so the four keys share one slot.
 */
export function makeDialRateLimiter(redis: RedisConnection, prefix: string, accountCallsPerSecond: number, guardMs: number): DialRateLimiter {
  const client = redis as RedisWithAcquire;
  if (typeof client.acquireDialPermit !== 'function') client.defineCommand('acquireDialPermit', { numberOfKeys: 4, lua: acquireScript });
  const account = makeWindow(accountCallsPerSecond, guardMs);
  return {
    guardMs,
    async acquire(campaignId, campaignCallsPerSecond) {
      const campaign = makeWindow(campaignCallsPerSecond, guardMs);
      const campaignKey = `${prefix}:pace:campaign:${campaignId}`;
      const accountKey = `${prefix}:pace:account`;
      const [waitMs, grantedAt] = await client.acquireDialPermit(
        campaignKey,
        accountKey,
        `${campaignKey}:next`,
        `${accountKey}:next`,
        campaign.limit,
        campaign.windowMs,
        account.limit,
        account.windowMs,
        randomUUID(),
        0,
        spacingToleranceMs,
      );
      return waitMs > 0 ? { waitMs: Number(waitMs) } : { waitMs: 0, grantedAt: Number(grantedAt) };
    },
  };
}
