import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { makeDatabaseTarget, makePool, makePrisma, type DatabaseTarget, type PrismaClient } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { testDatabaseUrl } from './test-env.ts';

/** The test database, from DATABASE_URL (see test-env.ts); each file gets a schema of it. */
export const baseDatabaseUrl = testDatabaseUrl;

export interface TestDatabase {
  /** DATABASE_URL for this test file's own schema (pass it to child processes and parseConfig). */
  url: string;
  target: DatabaseTarget;
  prisma: PrismaClient;
  pool: pg.Pool;
}

/**
 * Gives the calling test file its own Postgres schema, migrated with the real migrations, and drops
 * it afterwards. Read the returned object's fields inside tests/hooks (they are set in beforeAll).
 */
export function useTestDatabase(): TestDatabase {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const withSchema = new URL(baseDatabaseUrl);
  withSchema.searchParams.set('schema', schema);
  const url = withSchema.toString();
  const handle = { url, target: makeDatabaseTarget(url) } as TestDatabase;
  beforeAll(async () => {
    await migrate(handle.target);
    handle.prisma = makePrisma(handle.target);
    handle.pool = makePool(handle.target);
  });
  afterAll(async () => {
    await handle.prisma?.$disconnect();
    await handle.pool?.end();
    const admin = new pg.Client({ connectionString: handle.target.connectionString });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  return handle;
}
