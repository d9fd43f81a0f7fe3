import type { Command } from 'commander';
import { parseConfig } from '../../config.ts';
import { report } from '../output.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'Create the database if it is missing and apply every pending migration from prisma/migrations ' +
        "(uses Prisma's schema engine compiled to WebAssembly: no binary download needed)",
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const [{ makeDatabaseTarget }, { migrate }] = await Promise.all([import('../../db/connection.ts'), import('../../db/migrate.ts')]);
      const target = makeDatabaseTarget(parseConfig().DATABASE_URL);
      const result = await migrate(target);
      report(result, options, (r) =>
        [
          r.createdDatabase ? `created database ${target.databaseName}` : null,
          r.applied.length ? `applied ${r.applied.length} migration(s): ${r.applied.join(', ')}` : 'database is up to date',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}
