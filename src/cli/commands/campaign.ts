import type { Command } from 'commander';
import type { CampaignDetails } from '../../campaigns/get-campaign.ts';
import type { CampaignSummary } from '../../campaigns/list-campaigns.ts';
import { report } from '../output.ts';

export function registerCampaign(program: Command): void {
  const campaign = program
    .command('campaign')
    .description('Create and inspect campaigns (one Telnyx AI assistant, one caller number, one set of dialing rules)');

  campaign
    .command('create')
    .description(
      'Validate a campaign config file (JSON; see examples/campaign.json and the README for every key) and store ' +
        'the campaign as a draft. Every broken rule is reported at once; nothing is dialed until `dialer start`.',
    )
    .requiredOption('--config <file>', 'path of the campaign config JSON file')
    .option('--json', 'print {id, name, status} as JSON')
    .action(async (options: { config: string; json?: boolean }) => {
      const [{ withApp }, { createCampaign }, { readConfigFile }] = await Promise.all([
        import('../../app.ts'),
        import('../../campaigns/create-campaign.ts'),
        import('../../campaigns/read-config-file.ts'),
      ]);
      const input = await readConfigFile(options.config);
      const created = await withApp((app) => createCampaign(app, input));
      report(created, options, (c) => `created campaign ${c.id} (${c.name}, ${c.status})`);
    });

  campaign
    .command('update')
    .description(
      'Replace the config of a draft campaign with a config file (the whole file, name included, validated as by ' +
        '`campaign create`: every broken rule reported at once). A campaign that has been started cannot be updated.',
    )
    .argument('<campaign>', 'campaign id or name (as printed by `campaign create` or `campaign list`)')
    .requiredOption('--config <file>', 'path of the campaign config JSON file')
    .option('--json', 'print {id, name, status} as JSON')
    .action(async (campaign: string, options: { config: string; json?: boolean }) => {
      const [{ withApp }, { updateCampaign }, { readConfigFile }, { findCampaignId }] = await Promise.all([
        import('../../app.ts'),
        import('../../campaigns/update-campaign.ts'),
        import('../../campaigns/read-config-file.ts'),
        import('../../campaigns/find-campaign-id.ts'),
      ]);
      const input = await readConfigFile(options.config);
      const updated = await withApp(async (app) => updateCampaign(app, await findCampaignId(app.pool, campaign), input));
      report(updated, options, (c) => `updated campaign ${c.id} (${c.name}, ${c.status})`);
    });

  campaign
    .command('list')
    .description('List every campaign, newest first, with its status and contact count')
    .option('--json', 'print the campaigns as a JSON array')
    .action(async (options: { json?: boolean }) => {
      const [{ withApp }, { listCampaigns }] = await Promise.all([import('../../app.ts'), import('../../campaigns/list-campaigns.ts')]);
      const campaigns = await withApp(listCampaigns);
      report(campaigns, options, formatCampaignList);
    });

  campaign
    .command('show')
    .description('Show one campaign: status, concurrency, its config (SIP password redacted) and contacts per state')
    .argument('<campaign>', 'campaign id or name (as printed by `campaign create` or `campaign list`)')
    .option('--json', 'print the campaign as JSON')
    .action(async (campaign: string, options: { json?: boolean }) => {
      const [{ withApp }, { getCampaign }, { findCampaignId }] = await Promise.all([
        import('../../app.ts'),
        import('../../campaigns/get-campaign.ts'),
        import('../../campaigns/find-campaign-id.ts'),
      ]);
      const details = await withApp(async (app) => getCampaign(app, await findCampaignId(app.pool, campaign)));
      report(details, options, formatCampaignDetails);
    });
}

function formatCampaignList(campaigns: CampaignSummary[]): string {
  if (campaigns.length === 0) return 'no campaigns yet: create one with `dialer campaign create --config FILE`';
  const rows = campaigns.map((c) => [c.id, c.status, String(c.contacts), `${c.activeCalls}/${c.maxConcurrentCalls}`, c.createdAt.toISOString(), c.name]);
  return formatTable([['ID', 'STATUS', 'CONTACTS', 'ACTIVE', 'CREATED', 'NAME'], ...rows]);
}

function formatCampaignDetails(c: CampaignDetails): string {
  const states = Object.entries(c.contacts.byState)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${state} ${count}`);
  return [
    `campaign ${c.id}: ${c.name}`,
    `status: ${c.status}${c.pauseReason ? ` (${c.pauseReason})` : ''}`,
    `active calls: ${c.activeCalls} of at most ${c.maxConcurrentCalls}`,
    `schedule: ${c.scheduleCron ? `${c.scheduleCron} (${c.scheduleTz ?? 'UTC'})` : 'none'}`,
    `created: ${c.createdAt.toISOString()}${c.startedAt ? `, started: ${c.startedAt.toISOString()}` : ''}${c.completedAt ? `, completed: ${c.completedAt.toISOString()}` : ''}`,
    `contacts: ${c.contacts.total}${states.length ? ` (${states.join(', ')})` : ''}`,
    'config:',
    JSON.stringify(c.config, null, 2),
  ].join('\n');
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n');
}
