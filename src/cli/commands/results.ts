import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { DialerError } from '../../errors.ts';
import type { ResultsFormat } from '../../results/export-results.ts';

export function registerResults(program: Command): void {
  program
    .command('results')
    .description(
      "Export every contact of a campaign with its outcome, attempts, last call's details and dynamic " +
        'variables (one column each), streamed page by page. CSV cells are protected against formula injection.',
    )
    .argument('<campaign>', 'campaign id or name')
    .option('--format <format>', 'csv or json (a JSON array of objects)', 'csv')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (campaign: string, options: { format: string; out?: string }) => {
      if (options.format !== 'csv' && options.format !== 'json') {
        throw new DialerError('invalid_input', `--format must be csv or json, not "${options.format}"`, 'format');
      }
      const format: ResultsFormat = options.format;
      const [{ withApp }, { exportResults }, { findCampaignId }] = await Promise.all([
        import('../../app.ts'),
        import('../../results/export-results.ts'),
        import('../../campaigns/find-campaign-id.ts'),
      ]);
      await withApp(async (app) => {
        const campaignId = await findCampaignId(app.pool, campaign);
        const destination = options.out ? createWriteStream(options.out) : process.stdout;
        await pipeline(Readable.from(exportResults(app.pool, campaignId, format)), destination, { end: Boolean(options.out) });
      });
    });
}
