// Callback receiver throughput: signed status callbacks for N calls (5 events each) posted to a real
// `makeServer` (Ed25519 verification, raw storage, state machine, finishAttempts), against an anchor
// measured in the same run: the same server answering a no-op route with the same bodies and headers.
// Reports callbacks/s for both (the anchor interleaved with the receiver in chunks of 2,000), their
// ratio, p99 (the largest of the chunks' p99s) and checks that every event was stored exactly once.
// Usage: npx tsx bench/callbacks.ts [--calls 10000] [--concurrency 64]
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { makeApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { makeServer } from '../src/http/server.ts';
import { formEncode, makeStatusCallbackPayload, type CallIdentity, type StatusCallbackFacts } from '../src/telnyx/callback-payloads.ts';
import { makeSigningKeyPair, signCallback } from '../src/telnyx/signature.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '64' } } });
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);
const chunk = 2000;

const schema = `bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/dialer_bench?schema=${schema}`;
const target = makeDatabaseTarget(databaseUrl);
await migrate(target);
const keys = makeSigningKeyPair();
const app = makeApp(parseConfig({ DATABASE_URL: databaseUrl, QUEUE_PREFIX: `bench-${schema}`, TELNYX_PUBLIC_KEY: keys.publicKey, LOG_LEVEL: 'warn' }));

try {
  const attempts = await seedAttempts(app.pool, calls);
  const server = await makeServer(app);
  // The anchor: same server, same raw-body parsing, same headers and bytes; answers without work.
  await server.register(async (anchor) => {
    anchor.removeAllContentTypeParsers();
    anchor.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    anchor.post('/noop/:kind/:attemptId', async () => ({ ok: true }));
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.server.address() as { port: number };

  const requests = makeRequests(attempts);
  const noop = (batch: BenchRequest[]) => batch.map((request) => ({ ...request, path: request.path.replace('/callbacks/', '/noop/') }));
  // Phase by phase (every call's initiated, then every ringing, ...) to show where time goes. Within a
  // phase, chunks of the anchor and of the receiver alternate, so both see the same machine load.
  const phases: Record<string, number> = {};
  const anchorPhases: Record<string, number> = {};
  const anchor = { seconds: 0 };
  const receiver = { seconds: 0, p99Ms: 0, non200: 0 };
  for (const [index, status] of ['initiated', 'ringing', 'in-progress', 'completed', 'analyzed'].entries()) {
    const phase = { anchorSeconds: 0, receiverSeconds: 0 };
    for (let start = index * calls; start < (index + 1) * calls; start += chunk) {
      const batch = requests.slice(start, Math.min(start + chunk, (index + 1) * calls));
      const anchorChunk = await postAll(port, noop(batch), concurrency);
      const receiverChunk = await postAll(port, batch, concurrency);
      phase.anchorSeconds += anchorChunk.seconds;
      phase.receiverSeconds += receiverChunk.seconds;
      receiver.p99Ms = Math.max(receiver.p99Ms, receiverChunk.p99Ms);
      receiver.non200 += receiverChunk.non200;
    }
    anchorPhases[status] = Math.round(calls / phase.anchorSeconds);
    phases[status] = Math.round(calls / phase.receiverSeconds);
    anchor.seconds += phase.anchorSeconds;
    receiver.seconds += phase.receiverSeconds;
  }
  const anchorPerSecond = requests.length / anchor.seconds;
  const receiverPerSecond = requests.length / receiver.seconds;
  await server.close();

  const check = await app.pool.query<{ events: string; completed: string; active: string }>(
    `SELECT (SELECT count(*) FROM call_event) AS events,
            (SELECT count(*) FROM call_attempt WHERE state = 'completed' AND analyzed_at IS NOT NULL AND slot_released_at IS NOT NULL) AS completed,
            (SELECT sum(active_calls) FROM campaign) AS active`,
  );
  const row = check.rows[0]!;
  const result = {
    calls,
    callbacks: requests.length,
    concurrency,
    anchorPerSecond: Math.round(anchorPerSecond),
    receiverPerSecond: Math.round(receiverPerSecond),
    ratio: Number((receiverPerSecond / anchorPerSecond).toFixed(3)),
    anchorPerSecondByStatus: anchorPhases,
    receiverPerSecondByStatus: phases,
    receiverP99Ms: receiver.p99Ms,
    non200: receiver.non200,
    eventsStored: Number(row.events),
    lost: requests.length - Number(row.events),
    attemptsCompleted: Number(row.completed),
    slotsStillHeld: Number(row.active),
  };
  console.log(JSON.stringify(result));
  const pass =
    result.ratio >= 0.5 &&
    result.receiverPerSecond >= 2000 &&
    result.lost === 0 &&
    result.non200 === 0 &&
    result.attemptsCompleted === calls &&
    result.slotsStillHeld === 0;
  console.log(
    `${result.callbacks} signed callbacks: receiver ${result.receiverPerSecond}/s (p99 ${result.receiverP99Ms} ms) vs no-op ${result.anchorPerSecond}/s ` +
      `= ratio ${result.ratio}; stored ${result.eventsStored} (lost ${result.lost}), ${result.attemptsCompleted}/${calls} calls completed, slots held ${result.slotsStillHeld}: ${pass ? 'PASS' : 'FAIL'}`,
  );
  process.exitCode = pass ? 0 : 1;
} finally {
  await app.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await app.close();
}

/** One running campaign with `count` contacts, each with an accepted attempt holding a slot. */
async function seedAttempts(pool: pg.Pool, count: number): Promise<{ attemptId: string; callSid: string; phone: string }[]> {
  const config = { retry: { maxAttempts: 1, retryOn: [], delaySeconds: 3600 } };
  const campaign = await pool.query<{ id: string }>(
    `INSERT INTO campaign (name, status, config, max_concurrent_calls, active_calls) VALUES ('bench', 'running', $1, $2, $2) RETURNING id`,
    [JSON.stringify(config), count],
  );
  const campaignId = campaign.rows[0]!.id;
  await pool.query(
    `INSERT INTO contact (campaign_id, phone, state, attempt_count)
     SELECT $1, '+1555' || lpad(n::text, 7, '0'), 'in_call', 1 FROM generate_series(1, $2) AS n`,
    [campaignId, count],
  );
  const { rows } = await pool.query<{ attempt_id: string; call_sid: string; phone: string }>(
    `INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid)
     SELECT id, campaign_id, 1, 'accepted', 'v3:bench-' || phone FROM contact WHERE campaign_id = $1
     RETURNING id AS attempt_id, call_sid, (SELECT phone FROM contact c WHERE c.id = contact_id) AS phone`,
    [campaignId],
  );
  return rows.map((row) => ({ attemptId: row.attempt_id, callSid: row.call_sid, phone: row.phone }));
}

interface BenchRequest {
  path: string;
  body: Buffer;
  headers: Record<string, string>;
}

/** Every call's five events (signed when sent: a signature is only valid for 300 s). */
function makeRequests(attempts: { attemptId: string; callSid: string; phone: string }[]): BenchRequest[] {
  const start = Date.now() - 120_000;
  const at = (seconds: number) => new Date(start + seconds * 1000);
  const events: StatusCallbackFacts[] = [
    { status: 'initiated', sequenceNumber: 0, at: at(0) },
    { status: 'ringing', sequenceNumber: 1, at: at(1) },
    { status: 'in-progress', sequenceNumber: 2, at: at(5) },
    { status: 'completed', sequenceNumber: 3, at: at(65), answeredAt: at(5), endedAt: at(65), hangupCause: 'normal_clearing', hangupSource: 'callee' },
    { status: 'analyzed', sequenceNumber: 4, at: at(70) },
  ];
  const requests: BenchRequest[] = [];
  // Event by event across all calls: many calls in flight at once, as in a real campaign.
  for (const facts of events) {
    for (const attempt of attempts) {
      const call: CallIdentity = {
        accountSid: 'bench',
        callSid: attempt.callSid,
        callSidLegacy: attempt.callSid,
        connectionId: 'conn',
        callSessionId: 'session',
        callLegId: 'leg',
        from: '+12025550123',
        to: attempt.phone,
        initiatedAt: at(0),
      };
      const body = Buffer.from(formEncode(makeStatusCallbackPayload(call, facts)));
      requests.push({ path: `/callbacks/status/${attempt.attemptId}`, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    }
  }
  return requests;
}

async function postAll(
  port: number,
  requests: BenchRequest[],
  parallel: number,
): Promise<{ seconds: number; perSecond: number; p99Ms: number; non200: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const latencies: number[] = [];
  let next = 0;
  let non200 = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const sent = performance.now();
        const status = await post(agent, port, request);
        latencies.push(performance.now() - sent);
        if (status !== 200) non200 += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { seconds, perSecond: requests.length / seconds, p99Ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0), non200 };
}

function post(agent: http.Agent, port: number, { path, body, headers }: BenchRequest): Promise<number> {
  const signature = signCallback(keys.privateKey, body, Date.now() / 1000);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, ...signature, 'content-length': body.length } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
