import type pg from 'pg';
import { parseConfig, type Config } from './config.ts';
import { makeDatabaseTarget, makePool, makePrisma, type DatabaseTarget, type PrismaClient } from './db/connection.ts';
import { makeLogger, type Logger } from './log.ts';
import { connectRedis, redisTargetOf, type RedisConnection, type RedisTarget } from './redis.ts';

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
  /** Where Redis is: one server or a cluster (REDIS_CLUSTER_NODES). */
  redisTarget: RedisTarget;
  /** A connection for commands (a cluster client on a cluster); BullMQ workers make their own (blocking commands). */
  redis(): RedisConnection;
  /** Runs `cleanup` in close(), before the connections end (the long-lived queue producers use it). */
  onClose(cleanup: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export function makeApp(config: Config = parseConfig(), log: Logger = makeLogger(config.LOG_LEVEL)): App {
  const db = makeDatabaseTarget(config.DATABASE_URL);
  // A restart of Postgres kills every pooled connection: each is replaced on next use, and the work that
  // was using one fails and is done again (dial jobs, callbacks redelivered). Worth a line, not a crash.
  const onConnectionLost = (error: Error) =>
    log.warn({ reason: error.message, code: (error as { code?: unknown }).code }, 'Postgres connection lost: a new one is opened on next use');
  const prisma = makePrisma(db, onConnectionLost);
  const pool = makePool(db, 10, onConnectionLost);
  const redisTarget = redisTargetOf(config);
  let redis: RedisConnection | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  return {
    config,
    log,
    db,
    prisma,
    pool,
    redisTarget,
    redis: () => (redis ??= reportOutages(connectRedis(redisTarget), log)),
    onClose: (cleanup) => void cleanups.push(cleanup),
    async close() {
      await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
      await Promise.allSettled([prisma.$disconnect(), pool.end(), redis?.quit()]);
    },
  };
}

/**
 * ioredis reconnects by itself and queues commands meanwhile (maxRetriesPerRequest: null); while the
 * server is away it emits 'error' on every try. One warning when it goes, one line when it is back.
 */
function reportOutages(redis: RedisConnection, log: Logger): RedisConnection {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ reason: error.message, code: (error as { code?: unknown }).code }, 'Redis connection lost: reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('Redis connection back');
  });
  return redis;
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
