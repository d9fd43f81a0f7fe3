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

/** A pg pool with the session settings above. */
export function makePool(target: DatabaseTarget, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: target.connectionString, options: sessionOptions(target), max });
}

export function makePrisma(target: DatabaseTarget): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: target.connectionString, options: sessionOptions(target) }, { schema: target.schema }),
  });
}

export type { PrismaClient };
