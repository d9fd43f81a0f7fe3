import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeDatabaseTarget, makePool, makePrisma } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { findFreePort } from './chaos-harness.ts';
import type { TestDatabase } from './database.ts';

const run = promisify(execFile);

/**
 * A Postgres server of the test's own (initdb in a temp dir, a free port, trust auth, superuser
 * `postgres`), so a test may crash and restart it: the machine's shared server is never touched.
 */
export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:<port>/dialer (no schema). */
  url: string;
  /** `pg_ctl restart -m immediate`: every backend is killed at once (a crash), then crash recovery; resolves once it accepts connections again. */
  restart(): Promise<void>;
  /** Stops it (immediate) and deletes its directory. */
  stop(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await findPostgresBinaries();
  const dir = await mkdtemp(path.join(tmpdir(), 'dialer-pg-'));
  const data = path.join(dir, 'data');
  // Postgres refuses to run as root: as root (CI), everything runs as the `postgres` OS user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const [uid, gid] = await Promise.all([idOf('-u'), idOf('-g')]);
    await chown(dir, uid, gid);
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);
  const port = await findFreePort();
  // The server's log goes to a file: without -l it inherits pg_ctl's stdout, which then never closes.
  const logFile = ['-l', path.join(dir, 'server.log')];
  try {
    await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await pg('pg_ctl', ['-D', data, ...logFile, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-w', '-t', '60', 'start']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/dialer`,
    // pg_ctl restart reuses the options the server was started with (postmaster.opts).
    restart: async () => void (await pg('pg_ctl', ['-D', data, ...logFile, '-m', 'immediate', '-w', '-t', '60', 'restart'])),
    async stop() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the private server's database as a test database: the schema `schema`, migrated with the real migrations. */
export async function openPrivateTestDatabase(server: PrivatePostgres, schema = 'test'): Promise<TestDatabase & { close(): Promise<void> }> {
  const withSchema = new URL(server.url);
  withSchema.searchParams.set('schema', schema);
  const url = withSchema.toString();
  const target = makeDatabaseTarget(url);
  await migrate(target);
  const prisma = makePrisma(target);
  const pool = makePool(target);
  return {
    url,
    target,
    prisma,
    pool,
    close: async () => void (await Promise.allSettled([prisma.$disconnect(), pool.end()])),
  };
}

/** The directory of initdb and pg_ctl: `pg_config --bindir`, else the newest /usr/lib/postgresql/<version>/bin (Debian). */
async function findPostgresBinaries(): Promise<string> {
  const candidates: string[] = [];
  try {
    candidates.push((await run('pg_config', ['--bindir'])).stdout.trim());
  } catch {
    // no pg_config on PATH
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = (await readdir(debian)).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(debian, version, 'bin')));
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!found) throw new Error(`initdb and pg_ctl not found (looked in: ${candidates.join(', ') || 'nothing: no pg_config, no /usr/lib/postgresql'})`);
  return found;
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  return Number((await run('id', [flag, 'postgres'])).stdout.trim());
}
