import type { App } from '../app.ts';
import { keyGroupPrefix, type RedisConnection } from '../redis.ts';

/** How many failed sign-ins a window allows, per client address and across all of them. */
export interface SignInLimits {
  /** Failures one client address (request.ip) may make per window. */
  perAddress: { max: number; windowMs: number };
  /** Failures of every address together per window: bounds guessing spread over many addresses. */
  overall: { max: number; windowMs: number };
}

export const defaultSignInLimits: SignInLimits = {
  perAddress: { max: 10, windowMs: 15 * 60_000 },
  overall: { max: 100, windowMs: 60_000 },
};

export type SignInAttempt =
  | {
      allowed: true;
      /** The token was right: this attempt is taken off the counts again (nobody's count is reset). */
      succeeded(): Promise<void>;
    }
  | { allowed: false; scope: 'address' | 'overall'; retryAfterSeconds: number }
  /** Redis did not answer in time: the token is not compared either (answer 503). */
  | { allowed: false; scope: 'unavailable'; retryAfterSeconds: number };

/**
 * How long an attempt waits for Redis. The connection queues commands through an outage, which would
 * hold every sign-in and API request until Redis is back; past this the request is refused instead.
 */
const redisWaitMs = 2000;

/**
 * Refuses when a count has reached its limit (returns {scope, ms until its window ends}); otherwise
 * counts the attempt in both windows when ARGV[5] is '1' (returns {0, 0}). Check and count are one step, so attempts sent
 * at once cannot all pass the check before any of them is counted.
 */
const takeScript = `
for i = 1, 2 do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[i * 2 - 1]) then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then
      ttl = tonumber(ARGV[i * 2])
      redis.call('PEXPIRE', KEYS[i], ttl)
    end
    return {i, ttl}
  end
end
if ARGV[5] ~= '1' then return {0, 0} end
for i = 1, 2 do
  redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[i * 2]) end
end
return {0, 0}
`;

/** Takes a successful attempt off the counts (DECR keeps the expiry; a window already gone is left alone). */
const giveBackScript = `
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
`;

type RedisWithSignIn = RedisConnection & {
  takeSignInAttempt(...keysThenArgs: (string | number)[]): Promise<[number, number]>;
  giveBackSignInAttempt(...keys: string[]): Promise<number>;
};

/**
 * Failed attempts at the API_TOKEN, counted in Redis so every `dialer serve` process shares them:
 * fixed windows per client address and overall. An attempt is counted before the token is compared
 * and taken back when it was right, so only failures stay counted. On a Redis Cluster both keys carry
 * one hash tag (keyGroupPrefix): the scripts touch them together.
 */
export function makeSignInLimiter(app: App, limits: SignInLimits = defaultSignInLimits) {
  // Redis is reached on the first attempt, not when the server is built.
  const redis = (): RedisWithSignIn => {
    const client = app.redis() as RedisWithSignIn;
    if (typeof client.takeSignInAttempt !== 'function') {
      client.defineCommand('takeSignInAttempt', { numberOfKeys: 2, lua: takeScript });
      client.defineCommand('giveBackSignInAttempt', { numberOfKeys: 2, lua: giveBackScript });
    }
    return client;
  };
  const prefix = keyGroupPrefix(app.redisTarget, app.config.QUEUE_PREFIX, 'sign-in', `${app.config.QUEUE_PREFIX}:sign-in`);
  const overallKey = `${prefix}:failures:all`;
  const onError = (error: unknown) => app.log.error({ err: error }, 'counting failed sign-ins in Redis failed');

  const keysOf = (address: string) => [`${prefix}:failures:address:${address}`, overallKey] as const;
  const take = (keys: readonly [string, string], count: boolean) =>
    redis().takeSignInAttempt(...keys, limits.perAddress.max, limits.perAddress.windowMs, limits.overall.max, limits.overall.windowMs, count ? '1' : '0');
  const refusal = ([refusedBy, ttlMs]: [number, number]) =>
    Number(refusedBy) === 0
      ? undefined
      : ({ allowed: false, scope: Number(refusedBy) === 1 ? 'address' : 'overall', retryAfterSeconds: Math.max(1, Math.ceil(Number(ttlMs) / 1000)) } as const);

  return {
    /**
     * The console's sign-in: counts the attempt before the token is compared (attempts sent at once
     * cannot all pass the check before any is counted); when not allowed, do not compare it at all.
     */
    async attempt(address: string): Promise<SignInAttempt> {
      const keys = keysOf(address);
      const taking = take(keys, true);
      const answer = await within(taking, onError);
      if (!answer) {
        // The connection queues commands through an outage: a take that runs once Redis is back must
        // not stay counted against someone whose request was already answered.
        void taking.then((late) => (refusal(late) ? undefined : redis().giveBackSignInAttempt(...keys))).catch(() => undefined);
        return { allowed: false, scope: 'unavailable', retryAfterSeconds: 5 };
      }
      const refused = refusal(answer);
      if (refused) return refused;
      // Not given back in time: this one success stays counted as a failure, which only errs on the safe side.
      return { allowed: true, succeeded: async () => void (await within(redis().giveBackSignInAttempt(...keys), onError)) };
    },
    /**
     * The API's bearer token: only checks the counts (clients send many requests at once, and a right
     * token in flight must not count against them); a wrong token is counted afterwards by failed().
     * Undefined when allowed, or when Redis did not answer (the caller decides).
     */
    async check(address: string): Promise<Exclude<SignInAttempt, { allowed: true }> | undefined> {
      const answer = await within(take(keysOf(address), false), onError);
      if (!answer) return { allowed: false, scope: 'unavailable', retryAfterSeconds: 5 };
      return refusal(answer);
    },
    async failed(address: string): Promise<void> {
      await within(take(keysOf(address), true), onError);
    },
  };
}

export type SignInLimiter = ReturnType<typeof makeSignInLimiter>;

/** The answer, or undefined when Redis has not given one within redisWaitMs, or failed (`onError`). */
async function within<T>(command: Promise<T>, onError: (error: unknown) => void): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, redisWaitMs, undefined)));
  const answer = command.catch((error: unknown) => {
    onError(error);
    return undefined;
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The refusal in words, for the sign-in page (`failed sign-ins`) and the API's error (`wrong tokens`). */
export function signInRefusal(attempt: { scope: 'address' | 'overall' | 'unavailable'; retryAfterSeconds: number }, failures = 'failed sign-ins'): string {
  const wait = attempt.retryAfterSeconds >= 120 ? `${Math.ceil(attempt.retryAfterSeconds / 60)} minutes` : `${attempt.retryAfterSeconds} seconds`;
  if (attempt.scope === 'unavailable') return `Redis, which counts ${failures}, is not answering: try again in a moment.`;
  return attempt.scope === 'address'
    ? `Too many ${failures} from your address: try again in ${wait}.`
    : `Too many ${failures} from all addresses together: refused for everyone for now, try again in ${wait}.`;
}
