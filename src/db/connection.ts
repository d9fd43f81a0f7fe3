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

/** A pg pool whose connections resolve unqualified names in the target schema. */
export function makePool(target: DatabaseTarget, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: target.connectionString, options: `-c search_path="${target.schema}"`, max });
}

export function makePrisma(target: DatabaseTarget): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: target.connectionString }, { schema: target.schema }) });
}

export type { PrismaClient };
