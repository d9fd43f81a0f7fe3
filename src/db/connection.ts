import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

/**
 * A database plus the Postgres schema the tables live in (`?schema=` in DATABASE_URL, as Prisma reads
 * it), and whether the URL leads to a transaction pooler (`?pgbouncer=true`, Prisma's flag for it).
 */
export interface DatabaseTarget {
  connectionString: string;
  schema: string;
  databaseName: string;
  pooled: boolean;
}

export function makeDatabaseTarget(databaseUrl: string): DatabaseTarget {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  const pooled = url.searchParams.get('pgbouncer') === 'true';
  url.searchParams.delete('schema');
  url.searchParams.delete('pgbouncer');
  return { connectionString: url.toString(), schema, databaseName: decodeURIComponent(url.pathname.slice(1)), pooled };
}

/**
 * Session settings of every connection: unqualified names resolve in the target schema, and the
 * session time zone is UTC because Prisma's DateTime columns are `timestamp without time zone`
 * holding UTC, so raw SQL's now() must mean UTC whatever the server's default zone is.
 *
 * A transaction pooler hands each transaction whichever server connection is free, and PgBouncer
 * refuses the `options` startup parameter: through one, nothing is sent, and both settings must be
 * the role's or the database's own (`ALTER ROLE ... IN DATABASE ... SET`), which every server
 * connection gets; checkSessionSettings says when they are not.
 */
export function sessionOptions(target: DatabaseTarget): string | undefined {
  return target.pooled ? undefined : `-c search_path="${target.schema}" -c TimeZone=UTC`;
}

/**
 * Through a transaction pooler, fails with what to run when the server's own settings are not the
 * ones sessionOptions would have set. Without a pooler they are set per connection: nothing to check.
 */
export async function checkSessionSettings(pool: pg.Pool, target: DatabaseTarget): Promise<void> {
  if (!target.pooled) return;
  const { rows } = await pool.query<{ schema: string | null; zone: string }>(`SELECT current_schema() AS schema, current_setting('TimeZone') AS zone`);
  const { schema, zone } = rows[0]!;
  if (schema === target.schema && (zone === 'UTC' || zone === 'Etc/UTC')) return;
  throw new Error(
    `through a transaction pooler (pgbouncer=true) the schema and time zone come from the role or database, and they are ` +
      `search_path schema "${schema ?? '(none)'}" and TimeZone ${zone}; run on Postgres: ` +
      `ALTER ROLE <user> IN DATABASE ${pg.escapeIdentifier(target.databaseName)} SET search_path = ${pg.escapeIdentifier(target.schema)}; ` +
      `ALTER ROLE <user> IN DATABASE ${pg.escapeIdentifier(target.databaseName)} SET TimeZone = 'UTC'`,
  );
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
  pool.on('connect', (client) => {
    client.on('error', (error) => report(client, error));
    if (target.pooled) clientsBehindPooler.add(client);
  });
  return pool;
}

const clientsBehindPooler = new WeakSet<pg.ClientBase>();

/**
 * The name to prepare a statement under on this connection, or undefined (an unnamed statement, parsed
 * every time) behind a transaction pooler: node-postgres prepares a named statement once per client
 * connection, but PgBouncer runs each transaction on whichever server connection is free, where it
 * was never prepared ("prepared statement does not exist"; PgBouncer 1.21+ can track them with
 * max_prepared_statements, Debian 12's 1.18 cannot).
 */
export function statementName(client: pg.ClientBase, name: string): string | undefined {
  return clientsBehindPooler.has(client) ? undefined : name;
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
