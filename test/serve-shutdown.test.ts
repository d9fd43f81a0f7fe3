import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { Agent, request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from './support/chaos-harness.ts';
import { answeredCallEvents, makeCallFixture, type CallFixture } from './support/call-fixtures.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { spawnServeProcess, type CliProcess } from './support/cli-process.ts';
import { backendPid, sessionsBlockedBy } from './support/lock-waits.ts';
import { waitFor } from './support/wait-for.ts';

const db = useTestDatabase();
const prefix = useTestRedisPrefix();
const servers: CliProcess[] = [];
afterAll(() => {
  for (const serve of servers) if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
});

async function startServe(): Promise<{ serve: CliProcess; port: number }> {
  const port = await findFreePort();
  const serve = await spawnServeProcess({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    TELNYX_PUBLIC_KEY: '',
    API_TOKEN: '',
  });
  servers.push(serve);
  return { serve, port };
}

/** One POST; resolves to its status code (or the error code when the connection was refused or reset) and its Connection header. */
function post(agent: Agent, port: number, path: string, body: string): Promise<{ status: number | string; connection?: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
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
      const lockerPid = await backendPid(locker);
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM call_attempt WHERE id = ANY($1) FOR UPDATE', [attemptIds]);
      // Resolves once every request is written: on loopback, in the server's receive queue.
      const sendAndHangUp = async (wave: number) => {
        const written: Promise<unknown>[] = [];
        for (const fixture of fixtures) {
          const body = answeredCallEvents(fixture.call)[wave]!.body;
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          socket.on('error', () => undefined);
          const request =
            `POST /callbacks/status/${fixture.attemptId} HTTP/1.1\r\nhost: 127.0.0.1\r\n` +
            `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
          written.push(new Promise((resolve) => socket.write(request, resolve)));
        }
        await Promise.all(written);
      };
      await sendAndHangUp(0);
      await waitFor(() => sessionsBlockedBy(db.pool, lockerPid), { description: 'a callback batch waiting on the locked attempts' });
      await sendAndHangUp(1); // these queue behind the blocked batches
      // The server has read every request (all connections up, no unread bytes), so each callback is
      // in a handler, in a blocked batch or queued behind one, before its sender hangs up.
      await waitFor(
        async () => {
          const connections = (await serverSockets(port)).filter((socket) => socket.state !== 'listen');
          return connections.length === sockets.length && connections.every((socket) => socket.state === 'established' && socket.unread === 0);
        },
        { description: `the server to have read all ${sockets.length} requests`, details: () => serverSockets(port) },
      );
      for (const socket of sockets) socket.destroy();
      serve.child.kill('SIGTERM');
      // No listener and no connection left: the HTTP side has closed, and only the handlers (behind
      // the locks) can hold back closing Postgres. Committing earlier would not test that wait.
      await waitFor(async () => (await serverSockets(port)).length === 0, {
        description: 'the server to stop listening and drop every connection',
        details: () => serverSockets(port),
      });
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
    // A request admitted before SIGTERM must not leave its connection open for keep-alive after its
    // answer, or close() waits for it until keepAliveTimeout. The client here keeps its idle
    // socket open until the server exits, as a Telnyx or load-balancer connection pool does.
    const fixture = await makeCallFixture(db.pool);
    const { serve, port } = await startServe();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const locker = await db.pool.connect();
    try {
      const lockerPid = await backendPid(locker);
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM call_attempt WHERE id = $1 FOR UPDATE', [fixture.attemptId]);
      const answer = post(agent, port, `/callbacks/status/${fixture.attemptId}`, answeredCallEvents(fixture.call)[0]!.body);
      await waitFor(() => sessionsBlockedBy(db.pool, lockerPid), { description: 'the callback batch waiting on the locked attempt' });
      serve.child.kill('SIGTERM');
      // Its listener is gone once close() has begun (after the preClose hooks): the request in flight
      // is answered while the server is closing, the case under test.
      await waitFor(async () => !(await serverSockets(port)).some((socket) => socket.state === 'listen'), {
        description: 'the server to stop listening',
        details: () => serverSockets(port),
      });
      await locker.query('COMMIT');
      expect(await answer).toEqual({ status: 200, connection: 'close' });
      // Well under keepAliveTimeout (72 s), which an idle keep-alive connection would hold it for.
      const exit = await waitFor(() => (serve.child.exitCode ?? serve.child.signalCode) !== null && [serve.child.exitCode, serve.child.signalCode], {
        description: 'dialer serve to exit while the idle client keeps its socket open',
        timeoutMs: 15_000,
      });
      expect(exit).toEqual([0, null]);
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

const tcpStates: Record<string, string> = { '01': 'established', '03': 'syn_recv', '08': 'close_wait', '0A': 'listen' };

/**
 * The server's own TCP sockets on `port` that it listens on or has yet to close, each with the bytes
 * it has not read yet (its receive queue). Linux only: read from /proc/net/tcp, where the kernel shows
 * what no log of the server could: whether a request has reached it.
 */
async function serverSockets(port: number): Promise<{ state: string; unread: number }[]> {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return (await readFile('/proc/net/tcp', 'utf8'))
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter(([, local, , state]) => local?.endsWith(portHex) && tcpStates[state!] !== undefined)
    .map(([, , , state, queues]) => ({ state: tcpStates[state!]!, unread: parseInt(queues!.split(':')[1]!, 16) }));
}
