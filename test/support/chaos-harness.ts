import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { makeApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { getCampaignStatus, type CampaignStatusReport } from '../../src/campaigns/campaign-status.ts';
import { addJob, makeQueue } from '../../src/jobs/queues.ts';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../../src/simulator/simulator-options.ts';
import type { TestDatabase } from './database.ts';
import { testRedisUrl } from './redis.ts';
import { spawnCliProcess, spawnServeProcess, type CliProcess } from './cli-process.ts';
import { waitFor } from './wait-for.ts';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A redis-server of the test's own, on a free port, without persistence: killing it (SIGKILL) loses
 * every key, as a crashed Redis without AOF does. The machine's shared Redis is never touched.
 */
export interface OwnRedis {
  url: string;
  /** kill -9: all keys are gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await findFreePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    await waitUntilRedisAnswers(url);
  };
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, 'exit');
    current.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url, start, kill, stop: kill };
}

async function waitUntilRedisAnswers(url: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    async () => {
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    },
    { description: `redis-server on ${url} to answer PING`, timeoutMs, intervalMs: 50 },
  );
}

/**
 * The carrier (simulator) in this process, the callback receiver as a `dialer serve` process (as
 * operators run it), and an App for seeding and reading. With the receiver out of this process, its
 * work (verifying and storing every callback) does not share the event loop of the simulator, which
 * stamps each dial as it arrives: the pace is asserted on those stamps.
 */
export interface ChaosStack {
  simulator: Simulator;
  receiver: CliProcess;
  /** Points at the test schema, the stack's Redis and prefix, the simulator and the receiver. */
  app: App;
  /** The environment a `dialer worker` child process needs to join this stack. */
  workerEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function startChaosStack(
  db: TestDatabase,
  options: {
    prefix: string;
    redisUrl?: string;
    /** REDIS_CLUSTER_NODES of every process (receiver, workers, the test's App): the stack then runs on a Redis Cluster. */
    redisClusterNodes?: string;
    simulator?: SimulatorOptions;
    env?: Record<string, string>;
  },
): Promise<ChaosStack> {
  const simulator = await startSimulator(options.simulator ?? {});
  const base = {
    DATABASE_URL: db.url,
    REDIS_URL: options.redisUrl ?? testRedisUrl,
    ...(options.redisClusterNodes ? { REDIS_CLUSTER_NODES: options.redisClusterNodes } : {}),
    QUEUE_PREFIX: options.prefix,
    TELNYX_PUBLIC_KEY: simulator.publicKey,
  };
  const port = await findFreePort();
  const receiver = await spawnServeProcess({ ...base, PORT: String(port), HOST: '127.0.0.1', API_TOKEN: '' });
  const workerEnv = {
    ...base,
    LOG_LEVEL: 'silent',
    TELNYX_API_BASE_URL: simulator.baseUrl,
    TELNYX_API_KEY: simulator.apiKey,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...options.env,
  };
  const app = makeApp(parseConfig(workerEnv));
  return {
    simulator,
    receiver,
    app,
    workerEnv,
    async close() {
      await simulator.close();
      const code = await receiver.stop();
      await app.close();
      if (code !== 0) throw new Error(`dialer serve exited ${code}: ${receiver.stderr()}`);
    },
  };
}

/** startChaosStack in beforeAll, closed in afterAll; read `.stack` inside tests and hooks. */
export function useChaosStack(db: TestDatabase, options: Parameters<typeof startChaosStack>[1]): { stack: ChaosStack } {
  const handle = {} as { stack: ChaosStack };
  beforeAll(async () => {
    handle.stack = await startChaosStack(db, options);
  });
  afterAll(async () => {
    await handle.stack?.close();
  });
  return handle;
}

/** Fails the test, with the end of the process's log, when the `dialer` child process has exited. */
export function expectAlive(process: CliProcess, name: string): void {
  const alive = process.child.exitCode === null && process.child.signalCode === null;
  expect(alive, `${name} exited (${process.child.exitCode ?? process.child.signalCode}): ${process.stderr().slice(-4000)}`).toBe(true);
}

/** A `dialer worker` child process joined to the stack. */
export function spawnWorkerProcess(stack: ChaosStack, args: string[] = ['--concurrency', '50'], env: Record<string, string> = {}): CliProcess {
  return spawnCliProcess(['worker', ...args], { ...stack.workerEnv, LOG_LEVEL: 'warn', ...env });
}

/**
 * Asks the maintenance worker (in whichever worker process takes the job) for a reconcile pass now,
 * through the real maintenance queue. Production runs it every 30 s; a test cannot wait for the next
 * 30 s boundary, but the grace period (RECONCILE_GRACE_SECONDS) is the production one.
 */
export async function requestReconcile(app: App): Promise<void> {
  const queue = makeQueue(app, 'maintenance');
  try {
    await addJob(queue, 'maintenance', { task: 'reconcile' });
  } finally {
    await queue.close();
  }
}

/** Polls the campaign's status (the same report as `dialer status --json`) until `done`. */
export async function waitForCampaignDone(
  app: App,
  campaignId: string,
  { timeoutMs, everyMs = 200, onPoll, simulator }: { timeoutMs: number; everyMs?: number; onPoll?: () => Promise<void>; simulator?: Simulator },
): Promise<CampaignStatusReport> {
  let lastReconcileRequest = 0;
  let last: CampaignStatusReport | undefined;
  return waitFor(
    async () => {
      last = await getCampaignStatus(app, campaignId);
      if (last.done) return last;
      if (onPoll && Date.now() - lastReconcileRequest >= 2000) {
        lastReconcileRequest = Date.now();
        await onPoll();
      }
      return undefined;
    },
    {
      description: `campaign ${campaignId} to be done`,
      timeoutMs,
      intervalMs: everyMs,
      details: () => ({ status: last, callbackDeliveries: simulator ? deliveryOutcomes(simulator) : 'unknown' }),
    },
  );
}

/** Callback deliveries by HTTP answer (or connection error), to tell a stuck receiver from a stuck worker. */
export function deliveryOutcomes(simulator: Simulator): Record<string, number> {
  return Object.fromEntries(countBy(simulator.deliveries.map((delivery) => String(delivery.responseStatus ?? delivery.error ?? 'pending'))));
}

/**
 * What the carrier saw against what Postgres says, per contact and attempt. Every list must be empty
 * for the run to have dialed each contact exactly once per attempt and to have lost nothing.
 */
export interface DialLedger {
  contacts: number;
  dials: number;
  attempts: number;
  /** Contacts not in a final state. */
  notFinal: { phone: string; state: string }[];
  /** The same attempt (callback token) dialed more than once. */
  attemptsDialedTwice: { attemptId: string; dials: number }[];
  /** The same contact dialed more than once for the same attempt number. */
  contactAttemptDialedTwice: { phone: string; attemptNumber: number; dials: number }[];
  /** A dial whose callback token names no attempt row: a call placed outside the claim. */
  dialsWithoutAttempt: { to: string; attemptId: string | null }[];
  /** An attempt Postgres records as placed (call_sid) with no such call at the carrier. */
  attemptsPlacedButNotDialed: { attemptId: string; callSid: string }[];
  /** An attempt Postgres never finished (no terminal state or slot still held). */
  attemptsOpen: { attemptId: string; state: string }[];
  /** Contacts with more attempts than the campaign allows, or two attempts with one number. */
  badAttemptNumbering: { phone: string; numbers: number[] }[];
  /** Concurrency slots still counted on the campaign row. */
  activeCalls: number;
  /** Attempts Postgres counts as claimed but never confirmed (failed_unknown): each dialed at most once. */
  failedUnknown: number;
  /** Attempts the call records showed were never placed (not_placed): each dialed zero times. */
  notPlaced: number;
  statesByAttempt: Record<string, number>;
}

/** The ledger's lists of problems: all must be empty for a run that dialed each contact once per attempt and lost nothing. */
export function ledgerProblems(ledger: DialLedger) {
  const { notFinal, attemptsDialedTwice, contactAttemptDialedTwice, dialsWithoutAttempt, attemptsPlacedButNotDialed, attemptsOpen, badAttemptNumbering } =
    ledger;
  return { notFinal, attemptsDialedTwice, contactAttemptDialedTwice, dialsWithoutAttempt, attemptsPlacedButNotDialed, attemptsOpen, badAttemptNumbering };
}

export const noLedgerProblems: ReturnType<typeof ledgerProblems> = {
  notFinal: [],
  attemptsDialedTwice: [],
  contactAttemptDialedTwice: [],
  dialsWithoutAttempt: [],
  attemptsPlacedButNotDialed: [],
  attemptsOpen: [],
  badAttemptNumbering: [],
};

const finalContactStates = new Set(['completed', 'no_answer', 'busy', 'failed', 'canceled', 'suppressed']);
const terminalAttemptStates = new Set(['completed', 'busy', 'no_answer', 'canceled', 'failed', 'failed_unknown', 'rejected', 'not_placed']);

export async function readDialLedger(pool: pg.Pool, simulator: Simulator, campaignId: string, maxAttempts: number): Promise<DialLedger> {
  const contacts = await pool.query<{ phone: string; state: string }>(`SELECT phone, state FROM contact WHERE campaign_id = $1`, [campaignId]);
  const attempts = await pool.query<{
    id: string;
    phone: string;
    attempt_number: number;
    state: string;
    call_sid: string | null;
    slot_released_at: Date | null;
  }>(
    `SELECT a.id, c.phone, a.attempt_number, a.state, a.call_sid, a.slot_released_at
     FROM call_attempt a JOIN contact c ON c.id = a.contact_id WHERE a.campaign_id = $1`,
    [campaignId],
  );
  const campaign = await pool.query<{ active_calls: number }>(`SELECT active_calls FROM campaign WHERE id = $1`, [campaignId]);
  const phones = new Set(contacts.rows.map((row) => row.phone));
  const attemptById = new Map(attempts.rows.map((row) => [row.id, row]));
  const dials = simulator.calls.filter((call) => phones.has(call.to));

  const dialsPerAttempt = countBy(dials.map((call) => attemptIdOf(call.body) ?? `none:${call.callSid}`));
  const dialsPerContactAttempt = countBy(
    dials.map((call) => {
      const attempt = attemptById.get(attemptIdOf(call.body) ?? '');
      return `${call.to}#${attempt?.attempt_number ?? '?'}`;
    }),
  );
  const dialedSids = new Set(dials.map((call) => call.callSid));
  const numbersByPhone = new Map<string, number[]>();
  const placedByPhone = new Map<string, number>();
  for (const attempt of attempts.rows) {
    numbersByPhone.set(attempt.phone, [...(numbersByPhone.get(attempt.phone) ?? []), attempt.attempt_number]);
    // A dial the records showed was never placed does not count against maxAttempts.
    if (attempt.state !== 'not_placed') placedByPhone.set(attempt.phone, (placedByPhone.get(attempt.phone) ?? 0) + 1);
  }

  return {
    contacts: contacts.rows.length,
    dials: dials.length,
    attempts: attempts.rows.length,
    notFinal: contacts.rows.filter((row) => !finalContactStates.has(row.state)),
    attemptsDialedTwice: [...dialsPerAttempt].filter(([, count]) => count > 1).map(([attemptId, dialCount]) => ({ attemptId, dials: dialCount })),
    contactAttemptDialedTwice: [...dialsPerContactAttempt]
      .filter(([, count]) => count > 1)
      .map(([key, count]) => ({ phone: key.split('#')[0]!, attemptNumber: Number(key.split('#')[1]), dials: count })),
    dialsWithoutAttempt: dials
      .filter((call) => !attemptById.has(attemptIdOf(call.body) ?? ''))
      .map((call) => ({ to: call.to, attemptId: attemptIdOf(call.body) })),
    attemptsPlacedButNotDialed: attempts.rows
      .filter((row) => row.call_sid !== null && !dialedSids.has(row.call_sid))
      .map((row) => ({ attemptId: row.id, callSid: row.call_sid! })),
    attemptsOpen: attempts.rows
      .filter((row) => !terminalAttemptStates.has(row.state) || row.slot_released_at === null)
      .map((row) => ({ attemptId: row.id, state: row.state })),
    badAttemptNumbering: [...numbersByPhone]
      .filter(([phone, numbers]) => (placedByPhone.get(phone) ?? 0) > maxAttempts || new Set(numbers).size !== numbers.length)
      .map(([phone, numbers]) => ({ phone, numbers })),
    activeCalls: campaign.rows[0]?.active_calls ?? -1,
    failedUnknown: attempts.rows.filter((row) => row.state === 'failed_unknown').length,
    notPlaced: attempts.rows.filter((row) => row.state === 'not_placed').length,
    statesByAttempt: Object.fromEntries(countBy(attempts.rows.map((row) => row.state))),
  };
}

/** The attempt id (the callback token) a dial request carries in its StatusCallback URL. */
export function attemptIdOf(body: Record<string, unknown>): string | null {
  const url = typeof body.StatusCallback === 'string' ? body.StatusCallback : '';
  const match = /\/callbacks\/status\/([^/?]+)$/.exec(url);
  return match ? decodeURIComponent(match[1]!) : null;
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/**
 * Worker settings for the call-record chaos tests: short dial timeout and checks, and
 * RECONCILE_GRACE_SECONDS at an hour, so every end must come from a callback or a call record.
 */
export const callRecordChaosEnv = {
  ACCOUNT_CALLS_PER_SECOND: '1000',
  RECONCILE_GRACE_SECONDS: '3600',
  DIAL_REQUEST_TIMEOUT_MS: '2000',
  CALL_RECORD_CHECK_SECONDS: '2',
  CALL_RECORD_READS_PER_SECOND: '50',
  CALL_RECORD_ABSENT_CHECKS: '3',
  CALL_RECORD_ABSENT_SPACING_SECONDS: '3',
};

/** Contacts whose outcome is not the one the simulator chose for their single call (or that were not dialed exactly once). */
export async function outcomeMismatches(pool: pg.Pool, simulator: Simulator, campaignId: string): Promise<unknown[]> {
  const { rows } = await pool.query<{ phone: string; outcome: string | null }>(`SELECT phone, outcome FROM contact WHERE campaign_id = $1`, [campaignId]);
  const mismatches: unknown[] = [];
  for (const contact of rows) {
    const calls = simulator.calls.filter((call) => call.to === contact.phone);
    const expected = calls.length === 1 ? calls[0]!.outcome.replace('-', '_') : `${calls.length} calls`;
    if (contact.outcome !== expected) mismatches.push({ phone: contact.phone, outcome: contact.outcome, expected });
  }
  return mismatches;
}

/**
 * The guarantee every chaos test checks once its campaign is done: no ledger problem, each of the
 * `contacts` dialed exactly once, none written off as failed_unknown, and every outcome the one the
 * simulator chose. Returns the ledger and the context string the test's own further checks report with.
 */
export async function expectDialedOnceAsSimulated(
  pool: pg.Pool,
  simulator: Simulator,
  campaignId: string,
  contacts: number,
  extraContext: Record<string, unknown> = {},
): Promise<{ ledger: DialLedger; context: string }> {
  const ledger = await readDialLedger(pool, simulator, campaignId, 1);
  const context = JSON.stringify({ ...extraContext, ledger: { ...ledger, ...ledgerProblems(ledger) } });
  expect(ledgerProblems(ledger), context).toEqual(noLedgerProblems);
  expect(ledger.dials, context).toBe(contacts);
  expect(ledger.failedUnknown, context).toBe(0);
  expect(await outcomeMismatches(pool, simulator, campaignId), context).toEqual([]);
  return { ledger, context };
}
