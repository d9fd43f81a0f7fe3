import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { withSchemaEngine } from './schema-engine.ts';
import type { DatabaseTarget } from './connection.ts';

export const prismaDir = fileURLToPath(new URL('../../prisma/', import.meta.url));
export const migrationsDir = path.join(prismaDir, 'migrations');
const noFilters = { externalTables: [], externalEnums: [] };

export async function readSchemaFile(): Promise<{ path: string; content: string }> {
  const schemaPath = path.join(prismaDir, 'schema.prisma');
  return { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
}

/** The migrations folder in the form the schema engine takes (as `prisma migrate deploy` reads it). */
export async function readMigrationList(): Promise<MigrationList> {
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

/** Creates the database when it does not exist yet (the schema engine needs it to connect). */
export async function ensureDatabase(target: DatabaseTarget): Promise<boolean> {
  const adminUrl = new URL(target.connectionString);
  adminUrl.pathname = '/postgres';
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.databaseName]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(target.databaseName)}`);
    return true;
  } catch (error) {
    // Two processes migrating at once: the other one created it first. Postgres says so either as
    // "database exists" (42P04) or, when both CREATEs race in the catalog, as a unique violation (23505).
    const code = (error as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw error;
  } finally {
    await client.end();
  }
}

export interface MigrateResult {
  createdDatabase: boolean;
  applied: string[];
}

/** What `dialer migrate` does: create the database if missing, then apply every pending migration. */
export async function migrate(target: DatabaseTarget): Promise<MigrateResult> {
  const createdDatabase = await ensureDatabase(target);
  const [schemaFile, migrationsList] = await Promise.all([readSchemaFile(), readMigrationList()]);
  const { appliedMigrationNames } = await withSchemaEngine(target, schemaFile, (engine) => engine.applyMigrations({ migrationsList, filters: noFilters }));
  return { createdDatabase, applied: appliedMigrationNames };
}

/**
 * SQL that takes a database built from `fromSchema` (a schema.prisma text, or null for an empty database)
 * to what prisma/schema.prisma describes now; '' when they are equal. Diffing two datamodels needs no
 * shadow database, which the WebAssembly engine cannot describe through the pg adapter.
 */
export async function diffSchemas(target: DatabaseTarget, fromSchema: string | null): Promise<string> {
  const schemaFile = await readSchemaFile();
  const result = await withSchemaEngine(target, schemaFile, (engine) =>
    engine.diff({
      from: fromSchema === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: schemaFile.path, content: fromSchema }] },
      to: { tag: 'schemaDatamodel', files: [schemaFile] },
      script: true,
      exitCode: true,
      filters: noFilters,
    }),
  );
  return result.exitCode === 2 ? (result.stdout ?? '') : '';
}
