import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

/** A database plus the Postgres schema the tables live in (`?schema=` in DATABASE_URL, as Prisma reads it). */
export interface DatabaseTarget {
  connectionString: string;
  schema: string;
  databaseName: string;
}

export function makeDatabaseTarget(databaseUrl: string): DatabaseTarget {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema, databaseName: decodeURIComponent(url.pathname.slice(1)) };
}

/**
 * Session settings of every connection: unqualified names resolve in the target schema, and the
 * session time zone is UTC because Prisma's DateTime columns are `timestamp without time zone`
 * holding UTC, so raw SQL's now() must mean UTC whatever the server's default zone is.
 */
export function sessionOptions(target: DatabaseTarget): string {
  return `-c search_path="${target.schema}" -c TimeZone=UTC`;
}

const timestampWithoutTimeZoneOid = 1114;

/**
 * The columns are `timestamp without time zone` holding UTC; pg's default parser reads such a value in
 * the process's local zone, so a host not running in UTC would shift every time it reads by its offset.
 */
const utcTimestampTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === timestampWithoutTimeZoneOid && format !== 'binary'
      ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Told when a connection dies under the pool (Postgres restarted, a network cut): the pool has already
 * dropped it and opens a new one on next use; work that was using it fails through its own promise.
 */
export type ConnectionLostListener = (error: Error) => void;

/**
 * A pg pool with the session settings above. A connection that dies emits 'error', on the pool while
 * idle and on the client while checked out; an 'error' event nobody listens to kills the process, so
 * every pool and every one of its clients gets a listener here, whatever its caller does. Each lost
 * connection is reported to `onConnectionLost` once (a dying one often errors twice: Postgres's
 * "terminating connection" message, then the socket's end).
 */
export function makePool(target: DatabaseTarget, max = 10, onConnectionLost: ConnectionLostListener = () => {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: target.connectionString, options: sessionOptions(target), max, types: utcTimestampTypes });
  const reported = new WeakSet<pg.ClientBase>();
  const report = (client: pg.ClientBase, error: Error) => {
    if (reported.has(client)) return;
    reported.add(client);
    onConnectionLost(error);
  };
  pool.on('error', (error, client) => report(client, error));
  pool.on('connect', (client) => client.on('error', (error) => report(client, error)));
  return pool;
}

/** Prisma over its own pg pool (the driver adapter's), with the session settings above; lost connections as makePool reports them. */
export function makePrisma(target: DatabaseTarget, onConnectionLost: ConnectionLostListener = () => {}): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg(
      { connectionString: target.connectionString, options: sessionOptions(target) },
      { schema: target.schema, onPoolError: onConnectionLost, onConnectionError: onConnectionLost },
    ),
  });
}

export type { PrismaClient };
