import type { Command } from 'commander';
import { parseDelimiterOption } from '../../contacts/detect-delimiter.ts';
import type { ImportSummary } from '../../contacts/import-contacts.ts';
import { makeProgress, report } from '../output.ts';

interface ImportCommandOptions {
  phoneColumn?: string;
  defaultCountry?: string;
  delimiter?: string;
  encoding?: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      "Load a CSV file's contacts into a campaign. The phone column is found by name (phone, phone_number, mobile, ...) " +
        'and normalised to E.164; every other column becomes a dynamic variable of the contact (header lower-cased, ' +
        "non [a-z0-9_] -> '_'); an optional timezone column (IANA) sets the contact's zone. Bad rows are rejected " +
        'with their row number and reason (export them with `dialer rejections`); duplicates are counted, never ' +
        'added twice; numbers on a do-not-call list are kept as suppressed. All or nothing: re-running is safe.',
    )
    .argument('<campaign>', 'campaign id or name')
    .argument('<file>', 'CSV file (UTF-8 unless --encoding; , ; tab or | delimited)')
    .option('--phone-column <name>', 'the column holding the phone number (default: found by name)')
    .option('--default-country <cc>', "country for numbers without +code (default: the campaign's defaultCountry)")
    .option('--delimiter <d>', 'field delimiter: , ; | or tab (default: detected from the header line)')
    .option('--encoding <e>', 'file encoding: utf-8 (default), latin1 or windows-1252')
    .option('--json', 'print the summary as JSON')
    .action(async (campaign: string, file: string, options: ImportCommandOptions) => {
      // Loaded only when the command runs, so other commands (and --help) never pay for them.
      const [{ withImportConnections }, { importContacts }, { parseEncodingOption }, { findCampaignId }] = await Promise.all([
        import('../../contacts/with-import-connections.ts'),
        import('../../contacts/import-contacts.ts'),
        import('../../contacts/text-decoder-stream.ts'),
        import('../../campaigns/find-campaign-id.ts'),
      ]);
      const delimiter = options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter);
      const encoding = options.encoding === undefined ? undefined : parseEncodingOption(options.encoding);
      const progress = makeProgress('importing');
      const startedAt = Date.now();
      const summary = await withImportConnections(async (connections) => {
        try {
          return await importContacts(connections, {
            campaignId: await findCampaignId(connections.pool, campaign),
            file,
            phoneColumn: options.phoneColumn,
            defaultCountry: options.defaultCountry,
            delimiter,
            encoding,
            onProgress: ({ rowsRead, bytesRead, totalBytes }) => {
              const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
              const percent = Math.min(100, Math.floor((bytesRead / totalBytes) * 100));
              progress.update(
                `${bar(percent)} ${percent}% ${rowsRead.toLocaleString('en-US')} rows, ${Math.round(rowsRead / seconds).toLocaleString('en-US')} rows/s`,
              );
            },
          });
        } finally {
          progress.done();
        }
      });
      report(summary, options, describeSummary);
    });
}

function bar(percent: number): string {
  const filled = Math.round(percent / 5);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
}

function describeSummary(summary: ImportSummary): string {
  const lines = [
    `import ${summary.importId} into campaign ${summary.campaignId}`,
    `rows read:  ${summary.rowsRead}`,
    `imported:   ${summary.imported}${summary.suppressed ? ` (${summary.suppressed} suppressed: on a do-not-call list)` : ''}`,
    `duplicates: ${summary.duplicates}`,
    `rejected:   ${summary.rejectedCount}`,
    ...summary.rejected.map((rejection) => `  row ${rejection.row}: ${rejection.reason}`),
  ];
  if (summary.rejectedTruncated) lines.push(`  ... and ${summary.rejectedCount - summary.rejected.length} more: dialer rejections ${summary.importId}`);
  if (summary.campaignReopened) {
    const when = summary.campaignReopened.scheduled ? 'from its next scheduled run' : 'by the workers';
    lines.push(`campaign reopened: running (it was completed; its new contacts are dialed ${when})`);
  }
  return lines.join('\n');
}
