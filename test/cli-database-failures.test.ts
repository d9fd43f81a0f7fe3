import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type App } from '../src/app.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';
import { ensureDatabase } from '../src/db/migrate.ts';
import { explainFailure } from '../src/errors.ts';
import { makeServer } from '../src/http/server.ts';
import { spawnCliProcess } from './support/cli-process.ts';
import { baseDatabaseUrl } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * What an operator sees when Postgres is down or the database was never migrated: every command,
 * the long-running `dialer worker` included, exits 1 after one line naming the cause (no Prisma code
 * frame, no process left holding Redis connections), and the HTTP API answers 503 saying the same.
 */
const prefix = useTestRedisPrefix();
const emptySchema = `empty_${randomBytes(6).toString('hex')}`;
const withSchema = (schema: string) => {
  const url = new URL(baseDatabaseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
};
// Port 1: nothing listens there, so every connect is refused at once.
const postgresDown = { url: 'postgresql://postgres@127.0.0.1:1/dialer_test', line: /^error: cannot connect \(.+\); is the service running\?$/ };
const unmigrated = { url: withSchema(emptySchema), line: /^error: the database is not migrated \(.+campaign.+\): run dialer migrate$/ };

beforeAll(async () => {
  const target = makeDatabaseTarget(baseDatabaseUrl);
  await ensureDatabase(target);
  const admin = new pg.Client({ connectionString: target.connectionString });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${emptySchema}"`);
  await admin.end();
});

afterAll(async () => {
  const admin = new pg.Client({ connectionString: makeDatabaseTarget(baseDatabaseUrl).connectionString });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${emptySchema}" CASCADE`);
  await admin.end();
});

const commands = [
  ['campaign', 'list'],
  ['campaign', 'create', '--config', 'examples/campaign.json'],
  ['status', 'spring'],
  ['import', 'spring', 'examples/contacts.csv'],
  ['worker'],
];

describe.each([
  ['Postgres is down', postgresDown],
  ['the database is not migrated', unmigrated],
])('when %s', (_, database) => {
  it.each(commands.map((args) => [args.join(' '), args]))('dialer %s exits 1 after one line naming the cause', async (_name, args) => {
    const run = spawnCliProcess(args as string[], { DATABASE_URL: database.url, QUEUE_PREFIX: prefix, TELNYX_API_KEY: 'KEY-test' });
    try {
      // Before the fix `dialer worker` never exited (its BullMQ workers kept running, SIGTERM was swallowed).
      await waitFor(() => run.child.exitCode !== null || run.child.signalCode !== null, {
        description: `dialer ${args.join(' ')} to exit`,
        timeoutMs: 25_000,
        details: () => run.stderr(),
      });
    } finally {
      await run.sigkill();
    }
    expect(run.child.exitCode).toBe(1);
    const lines = run.stderr().split('\n').filter(Boolean);
    expect(lines, run.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(database.line);
    expect(lines[0]).not.toMatch(/invocation|\.ts:\d+/);
  });

  it('the operator API answers 503 with the same one line', async () => {
    const app = makeApp(testConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: prefix, API_TOKEN: 'operator-token-0123456789', LOG_LEVEL: 'silent' }));
    const server = await makeServer(app);
    try {
      const response = await server.inject({ method: 'GET', url: '/api/campaigns', headers: { authorization: 'Bearer operator-token-0123456789' } });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('unavailable');
      expect(`error: ${response.json().error.message}`).toMatch(database.line);
      // Telnyx, not an operator, sends callbacks: it learns only that it may retry, not where Postgres is.
      const callback = await server.inject({
        method: 'POST',
        url: '/callbacks/status/3f0c5d0e-2a51-4c1e-9a7e-0d6f1b2c3d4e',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'CallSid=v3:abc&CallStatus=completed&SequenceNumber=1&Timestamp=2026-12-03T10:00:00Z',
      });
      expect(callback.statusCode).toBe(503);
      expect(callback.json().error.message).toBe('the database is unavailable; retry later');
    } finally {
      await server.close();
      await app.close();
    }
  });
});

describe('explainFailure', () => {
  let app: App;
  beforeAll(() => void (app = makeApp(testConfig({ DATABASE_URL: unmigrated.url, LOG_LEVEL: 'silent' }))));
  afterAll(() => app?.close());

  it('keeps the reason of a Prisma error and drops its code frame of the call site', async () => {
    const error = await app.prisma.campaign.create({ data: {} as never }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/invocation in/); // what Prisma itself says: several lines
    const { message, unavailable } = explainFailure(error);
    expect(message).not.toContain('\n');
    expect(message).not.toMatch(/invocation|cli-database-failures/);
    expect(message).toMatch(/^Argument `\w+` is missing\.$/);
    expect(unavailable).toBe(false);
  });
});
