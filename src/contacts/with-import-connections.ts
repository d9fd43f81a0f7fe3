import { parseConfig } from '../config.ts';
import { makeDatabaseTarget, makePool } from '../db/connection.ts';
import { makeLogger } from '../log.ts';
import type { ImportConnections } from './import-contacts.ts';

/**
 * Runs `use` with what an import needs, a small pg pool and the logger, and always closes the pool.
 * Not the whole App: an import never uses Prisma or Redis, and constructing them takes a share of
 * the `dialer import` process's peak-RSS budget (BENCHMARKS.md, Import).
 */
export async function withImportConnections<T>(use: (connections: ImportConnections) => Promise<T>): Promise<T> {
  const config = parseConfig();
  // One connection holds the import's transaction, one its lock's; the third finds the campaign and records a failure.
  const log = makeLogger(config.LOG_LEVEL);
  const pool = makePool(makeDatabaseTarget(config.DATABASE_URL), 3, (error) => log.warn({ reason: error.message }, 'Postgres connection lost'));
  try {
    return await use({ pool, log });
  } finally {
    await pool.end();
  }
}
