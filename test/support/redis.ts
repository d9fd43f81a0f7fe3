import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { testRedisUrl } from './test-env.ts';

/** REDIS_URL as the shell sets it (see test-env.ts); each file uses a key prefix of its own. */
export { testRedisUrl };

/** A unique key prefix for this test file (QUEUE_PREFIX); every key under it is deleted afterwards. */
export function useTestRedisPrefix(): string {
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    const redis = new Redis(testRedisUrl);
    const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  return prefix;
}
