// Dial throughput and pace: a campaign of N contacts at callsPerSecond R dialed by real `dialer worker`
// child processes against the simulator, with the real receiver (`dialer serve`, a child too) taking
// the callbacks. Run twice: simulator answering at once, and after 200 ms (a slow carrier).
// The anchor is the configured rate: achieved rate / R must be >= 0.95, and the simulator must never
// see more than 5 x R calls in any 5-second window (Telnyx's own rule, and the README's promise). The
// busiest 1-second window is reported with its ratio to R: arrival jitter can put it a little above R.
// Both windows slide over the arrival time of every dial at the simulator. Also reports the worker's
// peak RSS (VmHWM). Short pace runs at realistic rates (~40-60 s): --rate 30 --contacts 1200 --latencies 0
// and --rate 100 --contacts 4000 --latencies 0 (add --workers 2 for two contending worker processes).
// Each run has a database of its own (so only its Postgres backends are counted) and a Redis of its
// own: a redis-server on a free port, or with --redis-cluster a three-master cluster
// (scripts/redis-cluster.sh); --pgbouncer puts the local PgBouncer (scripts/pgbouncer.sh, transaction
// pooling) between every process and Postgres.
// Usage: npx tsx bench/dial.ts [--contacts 20000] [--rate 500] [--latencies 0,200] [--workers 1] [--concurrency 300]
//        [--redis-cluster] [--pgbouncer]
//        [--cpu-prof DIR] (V8 CPU profiles of the worker and receiver processes, written to DIR on exit)
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { makeApp, type App } from '../src/app.ts';
import { createCampaign } from '../src/campaigns/create-campaign.ts';
import { parseConfig } from '../src/config.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { findFreePort, isListening, round, stopChild, waitFor, zoneWhereItIsAfternoon } from './bench-support.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '500' },
    latencies: { type: 'string', default: '0,200' },
    workers: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '300' },
    'cpu-prof': { type: 'string' },
    'redis-cluster': { type: 'boolean', default: false },
    pgbouncer: { type: 'boolean', default: false },
  },
});
const run = promisify(execFile);
const useCluster = values['redis-cluster'];
const usePgbouncer = values.pgbouncer;
const pgbouncerPort = 6432;
const contacts = Number(values.contacts);
const rate = Number(values.rate);
const latencies = values.latencies.split(',').map(Number);
const workerCount = Number(values.workers);
const concurrency = Number(values.concurrency);
// Linux's USER_HZ, the unit of /proc/PID/stat times: 100 on every mainstream kernel configuration.
const clockTicksPerSecond = 100;

interface RunResult {
  latencyMs: number;
  contacts: number;
  dials: number;
  distinctNumbers: number;
  configuredPerSecond: number;
  achievedPerSecond: number;
  ratio: number;
  peakInAnySecond: number;
  /** Busiest 1 s window (sliding, over every dial's arrival at the simulator) / callsPerSecond. */
  peakInAnySecondRatio: number;
  /** Busiest 5 s window (Telnyx counts its limit over 5 s) and its ratio to 5 x callsPerSecond. */
  peakInAny5Seconds: number;
  peakInAny5SecondsRatio: number;
  dialSeconds: number;
  secondsUntilDone: number | null;
  workerPeakRssMb: number[];
  serverPeakRssMb: number;
  redis: 'one server' | 'cluster of 3 masters';
  postgres: 'direct' | 'through PgBouncer';
  loadAverageAtStart: number;
  /** CPU (user + system) per dial in each part, from the campaign's start until it completed. */
  cpuMsPerDial: Record<string, number>;
  /** Share of one core each part used over that time (1 = a whole core). */
  coresBusy: Record<string, number>;
  /** Dials/s this machine's cores could sustain at that CPU per dial (all parts share them). */
  cpuCeilingPerSecond: number;
  /** From each attempt's claim (Postgres clock) to its dial's arrival at the simulator: p50, p99, max ms. */
  claimToCarrierMs: { p50: number; p99: number; max: number };
  /** Most attempts claimed and not yet at the carrier at one instant: what a SIGKILL would strand. */
  mostClaimsHeld: number;
  pass: boolean;
}

const results: RunResult[] = [];
for (const latencyMs of latencies) results.push(await runOnce(latencyMs));
for (const result of results) console.log(JSON.stringify(result));
console.log('');
for (const r of results) {
  console.log(
    `latency ${r.latencyMs} ms: ${r.dials}/${r.contacts} dialed (${r.distinctNumbers} distinct) in ${r.dialSeconds} s = ${r.achievedPerSecond}/s of ${r.configuredPerSecond}/s ` +
      `(ratio ${r.ratio}); busiest 1 s ${r.peakInAnySecond} (${r.peakInAnySecondRatio} x rate), ` +
      `busiest 5 s ${r.peakInAny5Seconds} (${r.peakInAny5SecondsRatio} x 5 x rate); ` +
      `claim to carrier p50/p99/max ${r.claimToCarrierMs.p50}/${r.claimToCarrierMs.p99}/${r.claimToCarrierMs.max} ms, ` +
      `at most ${r.mostClaimsHeld} claims held; worker peak RSS ${r.workerPeakRssMb.join(', ')} MB; ` +
      `campaign done after ${r.secondsUntilDone ?? 'NOT DONE'} s; redis ${r.redis}, postgres ${r.postgres}, load ${r.loadAverageAtStart}; ` +
      `CPU ms per dial ${JSON.stringify(r.cpuMsPerDial)}, cores busy ${JSON.stringify(r.coresBusy)} ` +
      `(ceiling on ${availableParallelism()} cores: ${r.cpuCeilingPerSecond}/s): ${r.pass ? 'PASS' : 'FAIL'}`,
  );
}
process.exitCode = results.every((result) => result.pass) ? 0 : 1;

async function runOnce(latencyMs: number): Promise<RunResult> {
  const database = `dialer_bench_${randomBytes(4).toString('hex')}`;
  const directUrl = `postgresql://postgres@127.0.0.1:5432/${database}`;
  const databaseUrl = usePgbouncer ? `postgresql://postgres@127.0.0.1:${pgbouncerPort}/${database}?pgbouncer=true` : directUrl;
  const prefix = `bench-${database}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  // Through a pooler the time zone is the database's own (README, Postgres behind a connection pooler).
  await adminQuery(`ALTER DATABASE ${database} SET TimeZone = 'UTC'`);
  await migrate(makeDatabaseTarget(directUrl));
  if (usePgbouncer) await run('bash', ['scripts/pgbouncer.sh', 'start']);
  const redis = await startBenchRedis();
  // The simulator's 30/s account limit is off: the dialer's own pace is what is measured.
  const simulator = await startSimulator({ latencyMs, rateLimit: false, callbackDelayMs: 5, callDurationMs: 20, delivery: { concurrency: 512 } });
  const port = await findFreePort();
  const env = {
    DATABASE_URL: databaseUrl,
    ...redis.env,
    QUEUE_PREFIX: prefix,
    TELNYX_API_BASE_URL: simulator.baseUrl,
    TELNYX_API_KEY: simulator.apiKey,
    TELNYX_PUBLIC_KEY: simulator.publicKey,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    ACCOUNT_CALLS_PER_SECOND: String(rate * 2),
    LOG_LEVEL: 'error',
  };
  const app = makeApp(parseConfig(env));
  const children: ChildProcess[] = [];
  try {
    const campaignId = await seedCampaign(app, contacts);
    const server = spawnDialer(['serve'], env);
    children.push(server);
    await waitFor(() => isListening(port), 'the receiver to listen', 60_000);
    const workers = Array.from({ length: workerCount }, () => spawnDialer(['worker', '--concurrency', String(concurrency)], env));
    children.push(...workers);
    // Loading the sources costs each worker about a second of CPU: that is start-up, not dialing.
    await waitForIdle(workers.map((worker) => worker.pid!));
    const parts = { worker: workers.map((worker) => worker.pid!), receiver: [server.pid!], redis: redis.pids, pgbouncer: await pgbouncerPids() };
    const loadAverageAtStart = round(loadavg()[0]!, 1);
    const cpuBefore = await cpuSnapshot(parts, database);
    const startedAt = Date.now();
    await startCampaign(app, campaignId);

    // A run that cannot dial everything in time still reports what it achieved (and fails).
    await waitFor(
      async () => simulator.calls.length >= contacts,
      `${contacts} dials`,
      Math.max(120_000, (contacts / rate) * 20_000),
      () => `${simulator.calls.length} dials so far`,
    ).catch((error: unknown) => console.error(error instanceof Error ? error.message : error));
    const workerPeakRssMb = await Promise.all(workers.map((worker) => peakRssMb(worker.pid!)));
    const secondsUntilDone = await waitForDone(app, campaignId, simulator, 120_000);
    const cpuAfter = await cpuSnapshot(parts, database);
    const elapsedMs = Date.now() - startedAt;
    const serverPeakRssMb = await peakRssMb(server.pid!);

    const usedParts = Object.keys(cpuAfter).filter((part) => part !== 'pgbouncer' || usePgbouncer);
    const cpuMsPerDial = Object.fromEntries(usedParts.map((part) => [part, round((cpuAfter[part]! - (cpuBefore[part] ?? 0)) / simulator.calls.length, 2)]));
    const coresBusy = Object.fromEntries(usedParts.map((part) => [part, round((cpuAfter[part]! - (cpuBefore[part] ?? 0)) / elapsedMs, 2)]));
    const times = simulator.calls.map((call) => call.at).sort((a, b) => a - b);
    const dialSeconds = (times.at(-1)! - times[0]!) / 1000;
    // N dials span N-1 intervals: the rate between the first and the last dial.
    const achievedPerSecond = (times.length - 1) / dialSeconds;
    const ratio = achievedPerSecond / rate;
    // Sliding windows over the arrival time of every dial at the simulator (the carrier's edge).
    const peakInAnySecond = simulator.peakCallsInWindow(1000);
    const peakInAny5Seconds = simulator.peakCallsInWindow(5000);
    const distinctNumbers = new Set(simulator.calls.map((call) => call.to)).size;
    const { claimToCarrierMs, mostClaimsHeld } = await measureClaimWindows(app, campaignId, simulator);
    return {
      latencyMs,
      contacts,
      dials: simulator.calls.length,
      distinctNumbers,
      configuredPerSecond: rate,
      achievedPerSecond: round(achievedPerSecond, 1),
      ratio: round(ratio, 3),
      peakInAnySecond,
      peakInAnySecondRatio: round(peakInAnySecond / rate, 3),
      peakInAny5Seconds,
      peakInAny5SecondsRatio: round(peakInAny5Seconds / (5 * rate), 3),
      dialSeconds: round(dialSeconds, 2),
      secondsUntilDone,
      workerPeakRssMb,
      serverPeakRssMb,
      redis: useCluster ? 'cluster of 3 masters' : 'one server',
      postgres: usePgbouncer ? 'through PgBouncer' : 'direct',
      loadAverageAtStart,
      cpuMsPerDial,
      coresBusy,
      cpuCeilingPerSecond: round((availableParallelism() * 1000) / Object.values(cpuMsPerDial).reduce((a, b) => a + b, 0), 1),
      claimToCarrierMs,
      mostClaimsHeld,
      pass: ratio >= 0.95 && peakInAny5Seconds <= 5 * rate && simulator.calls.length === contacts && distinctNumbers === contacts && secondsUntilDone !== null,
    };
  } finally {
    await Promise.all(children.map(stopChild));
    await simulator.close();
    await app.close();
    await redis.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

/**
 * How long each claim was held before its request reached the carrier, and the most held at once
 * (the contacts a worker killed at that instant would leave claimed and unsent).
 */
async function measureClaimWindows(app: App, campaignId: string, simulator: Simulator) {
  const { rows } = await app.pool.query<{ callSid: string; claimedAt: string }>(
    `SELECT call_sid AS "callSid", (extract(epoch FROM claimed_at) * 1000)::float8 AS "claimedAt"
       FROM call_attempt WHERE campaign_id = $1 AND call_sid IS NOT NULL`,
    [campaignId],
  );
  const arrivedAt = new Map(simulator.calls.map((call) => [call.callSid, call.at]));
  const windows = rows.flatMap(({ callSid, claimedAt }) => {
    const at = arrivedAt.get(callSid);
    return at === undefined ? [] : [{ from: Number(claimedAt), to: at }];
  });
  const lengths = windows.map((window) => Math.max(0, window.to - window.from)).sort((a, b) => a - b);
  const percentile = (p: number) => Math.round(lengths[Math.min(lengths.length - 1, Math.floor(p * lengths.length))] ?? 0);
  // Sweep over claim (+1) and arrival (-1) events; at equal times arrivals first.
  const events = windows.flatMap((window) => [[window.from, 1] as const, [window.to, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let held = 0;
  let mostClaimsHeld = 0;
  for (const [, change] of events) mostClaimsHeld = Math.max(mostClaimsHeld, (held += change));
  return { claimToCarrierMs: { p50: percentile(0.5), p99: percentile(0.99), max: Math.round(lengths.at(-1) ?? 0) }, mostClaimsHeld };
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A Redis of the run's own (its CPU is then the run's alone): one redis-server, or a three-master cluster. */
async function startBenchRedis(): Promise<{ env: Record<string, string>; pids: number[]; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dialer-bench-redis-'));
  if (useCluster) {
    const ports = [await findFreePort(), await findFreePort(), await findFreePort()].map((port) => (port > 55_000 ? port - 20_000 : port));
    const scriptEnv = { ...process.env, REDIS_CLUSTER_PORTS: ports.join(' '), REDIS_CLUSTER_DIR: dir };
    await run('bash', ['scripts/redis-cluster.sh', 'start'], { env: scriptEnv });
    return {
      env: { REDIS_CLUSTER_NODES: ports.map((port) => `127.0.0.1:${port}`).join(',') },
      pids: await Promise.all(ports.map(redisPid)),
      async stop() {
        await run('bash', ['scripts/redis-cluster.sh', 'stop'], { env: scriptEnv });
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const port = await findFreePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await waitFor(async () => (await redisPid(port).catch(() => 0)) > 0, 'the bench redis-server to answer', 10_000);
  return {
    env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    pids: [child.pid!],
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the processes have started and gone idle: less than 10 ms of CPU in 300 ms. */
async function waitForIdle(pids: number[]): Promise<void> {
  let last = await Promise.all(pids.map(cpuMs));
  await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = await Promise.all(pids.map(cpuMs));
      const idle = now.every((ms, index) => ms - last[index]! < 10);
      last = now;
      return idle;
    },
    'the workers to start and go idle',
    60_000,
  );
}

async function redisPid(port: number): Promise<number> {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
}

async function pgbouncerPids(): Promise<number[]> {
  const pid = await readFile(path.join(process.env.PGBOUNCER_DIR ?? '/tmp/dialer-pgbouncer', 'pgbouncer.pid'), 'utf8').catch(() => '');
  return pid.trim() ? [Number(pid)] : [];
}

/** A running-ready campaign (created through the real campaign service) with `count` contacts. */
async function seedCampaign(app: App, count: number): Promise<string> {
  const created = await createCampaign(app, {
    name: `dial bench ${count}`,
    connectionId: 'conn-bench',
    assistantId: 'assistant-bench',
    from: '+13125550100',
    callsPerSecond: rate,
    maxConcurrentCalls: 100_000,
    // Every day, with each contact in a zone where it is early afternoon now: the window is open.
    callingWindow: { start: '08:00', end: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
  });
  await app.pool.query(
    `INSERT INTO contact (campaign_id, phone, variables, timezone)
     SELECT $1, '+1312' || lpad((2000000 + n)::text, 7, '0'), jsonb_build_object('first_name', 'P' || n), $3
     FROM generate_series(1, $2) AS n`,
    [created.id, count, zoneWhereItIsAfternoon()],
  );
  return created.id;
}

/** Seconds from the first dial until every contact is final and every slot freed, or null on timeout. */
async function waitForDone(app: App, campaignId: string, simulator: Simulator, timeoutMs: number): Promise<number | null> {
  try {
    await waitFor(
      async () => {
        const { rows } = await app.pool.query<{ status: string; active_calls: number }>(`SELECT status, active_calls FROM campaign WHERE id = $1`, [
          campaignId,
        ]);
        return rows[0]?.status === 'completed' && rows[0].active_calls === 0;
      },
      'the campaign to complete',
      timeoutMs,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return null;
  }
  const first = Math.min(...simulator.calls.map((call) => call.at));
  return round((Date.now() - first) / 1000, 1);
}

function spawnDialer(args: string[], env: Record<string, string>): ChildProcess {
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`, `--cpu-prof-name=${args[0]}-${Date.now()}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, 'src/cli/bin.mjs', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`dialer ${args[0]} exited early: code ${code} signal ${signal}`);
  });
  return child;
}

/**
 * CPU milliseconds used so far by each part: the given processes (workers, receiver, the run's own
 * Redis, PgBouncer), this process (the simulator and the load it generates), and the Postgres backends
 * serving the run's database (pg_stat_activity). Backends live as long as the pools that opened them,
 * so none of their time is lost between the two snapshots; Postgres's background processes (WAL
 * writer, checkpointer, autovacuum) are left out: on this machine they also serve other work.
 */
async function cpuSnapshot(parts: Record<string, number[]>, database: string): Promise<Record<string, number>> {
  const usage = process.cpuUsage();
  const totals: Record<string, number> = { simulator: (usage.user + usage.system) / 1000 };
  for (const [part, pids] of Object.entries(parts)) totals[part] = (await Promise.all(pids.map(cpuMs))).reduce((a, b) => a + b, 0);
  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]).finally(() => admin.end());
  totals.postgres = (await Promise.all(rows.map((row) => cpuMs(row.pid)))).reduce((a, b) => a + b, 0);
  return totals;
}

/** utime + stime of a process in ms (0 once it is gone). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return (ticks * 1000) / clockTicksPerSecond;
}

/** Peak resident set size of a live process (Linux VmHWM), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return round(kb / 1024, 1);
}
