import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { makeDatabaseTarget, makePool, makePrisma } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { TestDatabase } from './database.ts';
import { testDatabaseUrl } from './test-env.ts';

const run = promisify(execFile);
const script = new URL('../../scripts/pgbouncer.sh', import.meta.url).pathname;

/** scripts/pgbouncer.sh's port (.ci/run starts it). */
export const pgbouncerPort = 6432;

/**
 * A database of this test file's own, reached through the local PgBouncer in transaction pooling mode
 * (started if needed), and dropped afterwards.
 *
 * Not a schema of the shared test database, as useTestDatabase makes: each file's schema reaches its
 * connections as a session setting (`options=-c search_path=...`), which PgBouncer refuses and which
 * would not follow a transaction to another server connection anyway. Through a pooler the settings
 * must belong to the role or the database, which every server connection gets: here the database's
 * own `public` schema and its `ALTER DATABASE ... SET TimeZone`, as README's Scaling section tells
 * operators to do.
 */
export function usePooledTestDatabase(): TestDatabase {
  const name = `dialer_test_pooled_${randomBytes(6).toString('hex')}`;
  const direct = new URL(testDatabaseUrl);
  direct.pathname = `/${name}`;
  const pooled = new URL(direct);
  pooled.port = String(pgbouncerPort);
  pooled.searchParams.set('pgbouncer', 'true');
  const handle = { url: pooled.toString(), target: makeDatabaseTarget(pooled.toString()) } as TestDatabase;
  beforeAll(async () => {
    await run('bash', [script, 'start']);
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
    await withAdmin((admin) => admin.query(`ALTER DATABASE ${name} SET TimeZone = 'UTC'`));
    // Migrations hold a session advisory lock: they go to Postgres directly, never through the pooler.
    await migrate(makeDatabaseTarget(direct.toString()));
    handle.prisma = makePrisma(handle.target);
    handle.pool = makePool(handle.target);
  });
  afterAll(async () => {
    await handle.prisma?.$disconnect();
    await handle.pool?.end();
    // PgBouncer keeps server connections to it open: FORCE ends them.
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
  return handle;
}

async function withAdmin<T>(use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(testDatabaseUrl);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}
