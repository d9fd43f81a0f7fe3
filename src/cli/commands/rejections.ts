import type { Command } from 'commander';
import { finished } from 'node:stream/promises';
import { report } from '../output.ts';

export function registerRejections(program: Command): void {
  program
    .command('rejections')
    .description(
      'Export the rows an import rejected as CSV (import_id, row, reason, raw): of one import, or of every import ' +
        'of a campaign (by id or name). Row numbers are as a spreadsheet shows them (the header is row 1); raw is ' +
        'the row as read.',
    )
    .argument('<import-or-campaign>', 'import id, or campaign id or name for all its imports')
    .option('--out <file>', 'write the CSV to this file (default: standard output)')
    .option('--json', 'with --out: print what was written as JSON')
    .action(async (importOrCampaign: string, options: { out?: string; json?: boolean }) => {
      const [{ withApp }, { openOutput, resolveImportIds, writeRejectionsCsv }] = await Promise.all([
        import('../../app.ts'),
        import('../../contacts/export-rejections.ts'),
      ]);
      await withApp(async (app) => {
        const importIds = await resolveImportIds(app.pool, importOrCampaign);
        if (!options.out) {
          await writeRejectionsCsv(app.pool, importIds, process.stdout);
          return;
        }
        const out = openOutput(options.out);
        const written = await writeRejectionsCsv(app.pool, importIds, out);
        out.end();
        await finished(out);
        report(
          { file: options.out, imports: importIds.length, rejections: written },
          options,
          (r) => `wrote ${r.rejections} rejection(s) of ${r.imports} import(s) to ${r.file}`,
        );
      });
    });
}
