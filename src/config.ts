import { z } from 'zod';

/**
 * The whole environment, parsed once at start. Nothing else reads process.env.
 * An invalid value stops the process with a message naming the variable and the rule.
 */
// Covers the pace wait between claim and request (at most 4 s) and a slow process, on top of the request itself.
const reconcileMarginMs = 10_000;

const envSchema = z
  .object({
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }).default('postgresql://postgres@127.0.0.1:5432/dialer'),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).default('redis://127.0.0.1:6379'),
    /**
     * A Redis Cluster's seed nodes, `host:port,host:port`; when set, every connection is a cluster client
     * and REDIS_URL is not used. One reachable node is enough: the client learns the others from it.
     */
    REDIS_CLUSTER_NODES: z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be host:port[,host:port...]')
      .transform((list) =>
        list.split(',').map((node) => {
          const at = node.lastIndexOf(':');
          return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
        }),
      )
      .optional(),
    /** Prefix of every BullMQ and rate-limit key in Redis; tests use a unique one each. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
      .default('dialer'),
    TELNYX_API_KEY: z.string().min(1).optional(),
    TELNYX_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.telnyx.com/v2'),
    /** Base64 Ed25519 public key; when set, every callback's signature is verified. */
    TELNYX_PUBLIC_KEY: z
      .string()
      .refine((key) => Buffer.from(key, 'base64').length === 32, 'must be a base64 Ed25519 public key (32 bytes)')
      .optional(),
    /**
     * The Telnyx account id (the AccountSid of every callback) for call-record URLs. When unset, it is
     * learned from the first callback received and stored in Postgres.
     */
    TELNYX_ACCOUNT_SID: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits and _ . : - only')
      .optional(),
    /** Call-record reads (GETs) per second, a budget of their own so reconciliation never crowds out dials. */
    CALL_RECORD_READS_PER_SECOND: z.coerce.number().positive().max(1000).default(5),
    /**
     * A call (an attempt with a call_sid) not heard of for this long has its call record read; a call
     * still going is read again later, each gap twice the one before (at most 10 min).
     */
    CALL_RECORD_CHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /**
     * Post-call work: after a read of an answered call's AI conversation that left something missing (not
     * visible yet, insights still running), the next read waits this long, twice as long each time (at
     * most 60 s), until insightsWaitSeconds has passed.
     */
    CONVERSATION_CHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    /**
     * A dial that never learned its call_sid (a worker killed after its claim, an ambiguous answer) is
     * looked for in the call records once it can no longer be in flight; after this many listings
     * without it, CALL_RECORD_ABSENT_SPACING_SECONDS apart, it was never placed and the contact is
     * dialed again. Records appear a while after a call: keep the spacing times the checks well above
     * that delay.
     */
    CALL_RECORD_ABSENT_CHECKS: z.coerce.number().int().min(2).max(20).default(3),
    CALL_RECORD_ABSENT_SPACING_SECONDS: z.coerce.number().int().min(1).max(3600).default(40),
    /** The address Telnyx reaches this product's callback receiver at. */
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Largest CSV upload the operator API accepts (bytes); a larger one is refused with 413. Default 1 GiB. */
    MAX_UPLOAD_BYTES: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(1_073_741_824),
    /** Dials per second across every campaign of the Telnyx account (Telnyx's default limit is 30). */
    ACCOUNT_CALLS_PER_SECOND: z.coerce.number().positive().max(10_000).default(30),
    /**
     * Extra ms added to each 1-second pacing window: the expected jitter between taking a permit and the
     * request landing at Telnyx (who counts). Larger = safer against bursts at their end, slightly slower.
     */
    PACE_GUARD_MS: z.coerce.number().int().min(0).max(2000).default(50),
    /** Whole dial request (connect to last response byte); past it the call's fate is unknown, never retried. */
    DIAL_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(15_000),
    /**
     * The last resort, when Telnyx's call records cannot settle it: how long a claimed/unknown attempt
     * may go without any callback before it is recorded failed_unknown.
     */
    RECONCILE_GRACE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => env.RECONCILE_GRACE_SECONDS * 1000 >= env.DIAL_REQUEST_TIMEOUT_MS + reconcileMarginMs, {
    // A claimed attempt whose request is still in flight must never be reconciled (and then retried):
    // that would put two attempts of one contact on the wire.
    path: ['RECONCILE_GRACE_SECONDS'],
    message: `must be at least DIAL_REQUEST_TIMEOUT_MS + ${reconcileMarginMs / 1000} s, so no attempt is reconciled while its dial request can still be in flight`,
  });

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Parses an environment (process.env by default); throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(emptyAsUnset(env));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
}

/** parseConfig over the environment with some variables fixed by the caller (the demo wires its own services). */
export function parseConfigWith(overrides: Record<string, string>, env: Record<string, string | undefined> = process.env): Config {
  return parseConfig({ ...env, ...overrides });
}

// `FOO=` in a shell or .env file means "not set", not "set to the empty string".
function emptyAsUnset(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
