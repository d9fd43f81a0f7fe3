import type { Command } from 'commander';
import { DialerError } from '../../errors.ts';
import type { DoNotCallImport } from '../../do-not-call/import-do-not-call.ts';
import { makeProgress, report } from '../output.ts';

export function registerDnc(program: Command): void {
  const dnc = program
    .command('dnc')
    .description('Do-not-call lists: numbers never dialed, globally or for one campaign (checked at import and again right before each dial)');

  dnc
    .command('import')
    .description(
      "Load a CSV of numbers into the global do-not-call list (or one campaign's with --campaign). The phone " +
        'column is found by its header (phone, phone_number, number, mobile, ...) or is the only column; ' +
        "national numbers are read in the campaign's defaultCountry (US without --campaign) and stored in E.164. " +
        'Numbers already listed are ignored. Contacts with these numbers not yet dialed are suppressed at once.',
    )
    .argument('<file>', 'CSV file')
    .option('--campaign <campaign>', 'campaign id or name: list the numbers for this campaign only')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { campaign?: string; json?: boolean }) => {
      const [{ withApp }, { importDoNotCall }] = await Promise.all([import('../../app.ts'), import('../../do-not-call/import-do-not-call.ts')]);
      const progress = makeProgress('do-not-call import');
      const result = await withApp((app) =>
        importDoNotCall(app, file, { campaignId: options.campaign, onProgress: (rows) => progress.update(`${rows} rows`) }),
      );
      progress.done();
      report(result, options, describeImport);
    });

  dnc
    .command('list')
    .description('Show do-not-call entries, newest first')
    .option('--campaign <campaign>', "campaign id or name: only that campaign's list")
    .option('--global', 'only the global list')
    .option('--limit <n>', 'at most this many entries', '100')
    .option('--json', 'print the result as JSON')
    .action(async (options: { campaign?: string; global?: boolean; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new DialerError('invalid_input', `--limit must be a positive integer, not "${options.limit}"`, 'limit');
      if (options.global && options.campaign) throw new DialerError('invalid_input', 'use --global or --campaign, not both');
      const [{ withApp }, { findCampaignScope }, { listDoNotCall }] = await Promise.all([
        import('../../app.ts'),
        import('../../do-not-call/find-campaign-for-scope.ts'),
        import('../../do-not-call/list-do-not-call.ts'),
      ]);
      const result = await withApp(async (app) => {
        const scope = options.global ? { kind: 'global' as const } : options.campaign ? (await findCampaignScope(app.pool, options.campaign)).scope : undefined;
        return listDoNotCall(app.pool, scope, limit);
      });
      report(result, options, (r) =>
        [`${r.total} entr${r.total === 1 ? 'y' : 'ies'}`, ...r.entries.map((e) => `${e.phone}  ${e.scope}  ${e.createdAt}  ${e.source ?? ''}`)].join('\n'),
      );
    });

  dnc
    .command('remove')
    .description("Take a number off the global list (or a campaign's with --campaign); contacts already suppressed stay suppressed")
    .argument('<phone>', 'the number, E.164 or national')
    .option('--campaign <campaign>', 'campaign id or name')
    .option('--json', 'print the result as JSON')
    .action(async (phoneText: string, options: { campaign?: string; json?: boolean }) => {
      const [{ withApp }, { findCampaignScope }, { normalizePhone }, { removeDoNotCall }] = await Promise.all([
        import('../../app.ts'),
        import('../../do-not-call/find-campaign-for-scope.ts'),
        import('../../contacts/normalize-phone.ts'),
        import('../../do-not-call/remove-do-not-call.ts'),
      ]);
      const result = await withApp(async (app) => {
        const { scope, defaultCountry } = await findCampaignScope(app.pool, options.campaign);
        const normalized = normalizePhone(phoneText, defaultCountry, { hint: true });
        if (normalized.e164 === undefined) throw new DialerError('invalid_input', `"${phoneText}": ${normalized.reason}`, 'phone');
        const { removed } = await removeDoNotCall(app.pool, scope, normalized.e164);
        if (!removed)
          throw new DialerError('not_found', `${normalized.e164} is not on the ${scope.kind === 'global' ? 'global' : 'campaign'} do-not-call list`, 'phone');
        return { phone: normalized.e164, scope: scope.kind === 'global' ? 'global' : scope.campaignId, removed };
      });
      report(result, options, (r) => `removed ${r.phone} from the ${r.scope} do-not-call list`);
    });
}

function describeImport(r: DoNotCallImport): string {
  const lines = [
    `${r.file} -> ${r.scope === 'global' ? 'global' : `campaign ${r.scope}`} do-not-call list`,
    `rows read: ${r.rowsRead}, added: ${r.added}, already listed: ${r.alreadyListed}, rejected: ${r.rejected}`,
    `contacts suppressed: ${r.suppressedContacts}`,
  ];
  for (const rejection of r.rejections.slice(0, 20)) lines.push(`  row ${rejection.row}: ${rejection.reason}`);
  if (r.rejected > 20) lines.push(`  ... and ${r.rejected - 20} more rejected rows (use --json for the first ${r.rejections.length})`);
  return lines.join('\n');
}
