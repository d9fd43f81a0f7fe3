import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Agent, request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from './support/chaos-harness.ts';
import { answeredCallEvents, makeCallFixture, type CallFixture } from './support/call-fixtures.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { spawnServeProcess, type CliProcess } from './support/cli-process.ts';

const db = useTestDatabase();
const prefix = useTestRedisPrefix();
const servers: CliProcess[] = [];
afterAll(() => {
  for (const serve of servers) if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
});

async function startServe(): Promise<{ serve: CliProcess; port: number }> {
  const port = await findFreePort();
  const serve = await spawnServeProcess({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1', TELNYX_PUBLIC_KEY: '', API_TOKEN: '' });
  servers.push(serve);
  return { serve, port };
}

/** One POST; resolves to its status code (or the error code when the connection was refused or reset) and its Connection header. */
function post(agent: Agent, port: number, path: string, body: string): Promise<{ status: number | string; connection?: string }> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
        response.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? 'error' }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? 'error' }));
    req.end(body);
  });
}

describe('dialer serve on SIGTERM', () => {
  it('answers, stores and applies every callback in flight before closing Postgres, without using the pool after its end', async () => {
    const fixtures: CallFixture[] = [];
    for (let index = 0; index < 40; index += 1) fixtures.push(await makeCallFixture(db.pool));
    const { serve, port } = await startServe();
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });

    // One sender per call posts its five callbacks one after the other, so when SIGTERM comes many
    // callbacks are waiting for their batch to commit, and more keep arriving.
    const answers: { attemptId: string; sequence: number; status: number | string }[] = [];
    let signaled = false;
    const senders = fixtures.map(async (fixture) => {
      for (const [sequence, event] of answeredCallEvents(fixture.call).entries()) {
        const { status } = await post(agent, port, `/callbacks/status/${fixture.attemptId}`, event.body);
        answers.push({ attemptId: fixture.attemptId, sequence, status });
        if (!signaled && answers.length >= fixtures.length * 2) {
          signaled = true;
          serve.child.kill('SIGTERM');
        }
        if (status !== 200) return; // refused: Telnyx would redeliver it, and the later ones, elsewhere
      }
    });
    const [code] = (await once(serve.child, 'exit')) as [number | null];
    await Promise.all(senders);
    agent.destroy();

    expect(errorsLogged(serve.stderr())).toEqual([]);
    expect(code).toBe(0);
    expect(signaled).toBe(true);
    const answered = answers.filter((a) => a.status === 200);
    expect(answered.length).toBeGreaterThanOrEqual(fixtures.length * 2);
    // Anything else was refused whole (503 while closing, or no connection), so Telnyx redelivers it.
    for (const a of answers) expect([200, 503, 'ECONNREFUSED', 'ECONNRESET']).toContain(a.status);
    const stored = await db.pool.query<{ attempt_id: string; sequence: number }>(
      `SELECT attempt_id, sequence_number AS sequence FROM call_event WHERE attempt_id = ANY($1)`,
      [fixtures.map((f) => f.attemptId)],
    );
    const storedKeys = new Set(stored.rows.map((row) => `${row.attempt_id}/${row.sequence}`));
    for (const a of answered) expect(storedKeys.has(`${a.attemptId}/${a.sequence}`), `${a.attemptId}/${a.sequence} answered 200 but not stored`).toBe(true);
  }, 60_000);

  it('commits the callbacks of requests whose sender hung up before it closes Postgres', async () => {
    // Telnyx gives up on a slow answer and redelivers; the server still has the callback in a batch.
    // Once those connections are gone nothing holds the HTTP server open, so its close no longer
    // waits for them: only the batches do.
    const fixtures: CallFixture[] = [];
    for (let index = 0; index < 20; index += 1) fixtures.push(await makeCallFixture(db.pool));
    const attemptIds = fixtures.map((f) => f.attemptId);
    const { serve, port } = await startServe();
    // Every batch waits on these row locks until the test lets go, so callbacks pile up in the lanes.
    const locker = await db.pool.connect();
    const sockets: Socket[] = [];
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM call_attempt WHERE id = ANY($1) FOR UPDATE', [attemptIds]);
      const sendAndHangUp = async (wave: number) => {
        for (const fixture of fixtures) {
          const body = answeredCallEvents(fixture.call)[wave]!.body;
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          socket.on('error', () => undefined);
          socket.write(
            `POST /callbacks/status/${fixture.attemptId} HTTP/1.1\r\nhost: 127.0.0.1\r\n` +
              `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
        }
      };
      await sendAndHangUp(0);
      await waitFor(async () => (await lockWaiters()) > 0, 'a batch waiting on the locked attempts');
      await sendAndHangUp(1); // these queue behind the blocked batches
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const socket of sockets) socket.destroy();
      serve.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await locker.query('COMMIT');
    } finally {
      locker.release();
    }
    const [code] = (await once(serve.child, 'exit')) as [number | null];

    expect(errorsLogged(serve.stderr())).toEqual([]);
    expect(code).toBe(0);
    const stored = await db.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM call_event WHERE attempt_id = ANY($1)`, [attemptIds]);
    expect(stored.rows[0]!.count).toBe(fixtures.length * 2);
  }, 60_000);

  it('ends a keep-alive connection once its request in flight is answered, so an idle client does not hold the exit', async () => {
    // A request admitted before SIGTERM used to leave its connection open for keep-alive after its
    // answer, and close() waited for it until keepAliveTimeout (72 s). The client here keeps its idle
    // socket open until the server exits, as a Telnyx or load-balancer connection pool does.
    const fixture = await makeCallFixture(db.pool);
    const { serve, port } = await startServe();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const locker = await db.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM call_attempt WHERE id = $1 FOR UPDATE', [fixture.attemptId]);
      const answer = post(agent, port, `/callbacks/status/${fixture.attemptId}`, answeredCallEvents(fixture.call)[0]!.body);
      await waitFor(async () => (await lockWaiters()) > 0, 'the callback batch waiting on the locked attempt');
      const exited = once(serve.child, 'exit') as Promise<[number | null]>;
      serve.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await locker.query('COMMIT');
      expect(await answer).toEqual({ status: 200, connection: 'close' });
      const outcome = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000))]);
      expect(outcome).toEqual([0, null]);
    } finally {
      locker.release();
      agent.destroy();
    }
  }, 60_000);
});

/** Error lines of the server's log (such as "Cannot use a pool after calling end on the pool"), by message. */
function errorsLogged(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } })
    .filter((entry) => entry.level >= 50 || /after calling end/.test(entry.err?.message ?? ''))
    .map((entry) => `${entry.msg}: ${entry.err?.message ?? ''}`);
}

/** Backends of this database waiting for a row lock (the server's batches, behind the test's lock). */
async function lockWaiters(): Promise<number> {
  const { rows } = await db.pool.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
  );
  return rows[0]!.count;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
