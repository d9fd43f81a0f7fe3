import { Redis } from 'ioredis';
import type pg from 'pg';
import { parseConfig, type Config } from './config.ts';
import { makeDatabaseTarget, makePool, makePrisma, type DatabaseTarget, type PrismaClient } from './db/connection.ts';
import { makeLogger, type Logger } from './log.ts';

/**
 * What every front door (CLI command, HTTP server, worker process) needs: config, logger, Postgres
 * (Prisma for ordinary queries, a pg pool for bulk and conditional SQL) and Redis, opened lazily.
 */
export interface App {
  config: Config;
  log: Logger;
  db: DatabaseTarget;
  prisma: PrismaClient;
  pool: pg.Pool;
  /** A connection for commands; BullMQ workers make their own (they need maxRetriesPerRequest: null). */
  redis(): Redis;
  /** Runs `cleanup` in close(), before the connections end (the long-lived queue producers use it). */
  onClose(cleanup: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export function makeApp(config: Config = parseConfig(), log: Logger = makeLogger(config.LOG_LEVEL)): App {
  const db = makeDatabaseTarget(config.DATABASE_URL);
  const prisma = makePrisma(db);
  const pool = makePool(db);
  let redis: Redis | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  return {
    config,
    log,
    db,
    prisma,
    pool,
    redis: () => (redis ??= makeRedis(config.REDIS_URL)),
    onClose: (cleanup) => void cleanups.push(cleanup),
    async close() {
      await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
      await Promise.allSettled([prisma.$disconnect(), pool.end(), redis?.quit()]);
    },
  };
}

/** A Redis connection fit for BullMQ workers and blocking commands. */
export function makeRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Runs `use` with a fresh App and always closes it. */
export async function withApp<T>(use: (app: App) => Promise<T>, config?: Config): Promise<T> {
  const app = makeApp(config);
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}
