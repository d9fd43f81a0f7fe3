// Writes prisma/migrations/<timestamp>_<name>/migration.sql: what takes the schema.prisma of git revision
// --from (default HEAD, i.e. the last committed schema, which the existing migrations produce) to the
// schema.prisma in the work tree. Works without Prisma's downloadable schema-engine binary.
// Usage: npx tsx scripts/new-migration.ts NAME [--from REV | --from-empty]
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';
import { diffSchemas, ensureDatabase, migrationsDir } from '../src/db/migrate.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string', default: 'HEAD' }, 'from-empty': { type: 'boolean', default: false } },
});
const name = positionals[0];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npx tsx scripts/new-migration.ts NAME [--from REV | --from-empty]   (NAME: a-z 0-9 _)');
  process.exit(2);
}
const fromSchema = values['from-empty'] ? null : execFileSync('git', ['show', `${values.from}:prisma/schema.prisma`], { encoding: 'utf8' });
const target = makeDatabaseTarget(parseConfig().DATABASE_URL);
await ensureDatabase(target);
const sql = await diffSchemas(target, fromSchema);
if (!sql.trim()) {
  console.log('schema.prisma is unchanged: nothing to write');
} else {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), sql);
  console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}
