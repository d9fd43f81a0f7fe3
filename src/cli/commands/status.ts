import type { Command } from 'commander';
import type { CampaignStatusReport } from '../../campaigns/campaign-status.ts';
import { report } from '../output.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Show a campaign’s progress: contacts per state, outcomes so far, dials per second (last 10 s), calls in ' +
        'progress, and why it is paused if it is. With --json, `done` says whether anything more will happen.',
    )
    .argument('<campaign>', 'campaign id or name')
    .option('--json', 'print the status as JSON (with a boolean `done`)')
    .action(async (campaign: string, options: { json?: boolean }) => {
      const [{ withApp }, { getCampaignStatus }, { findCampaignId }] = await Promise.all([
        import('../../app.ts'),
        import('../../campaigns/campaign-status.ts'),
        import('../../campaigns/find-campaign-id.ts'),
      ]);
      report(await withApp(async (app) => getCampaignStatus(app, await findCampaignId(app.pool, campaign))), options, formatStatus);
    });
}

export function formatStatus(s: CampaignStatusReport): string {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .filter(([, count]) => count > 0)
      .map(([key, count]) => `${key} ${count}`)
      .join(', ') || 'none';
  return [
    `campaign ${s.id} (${s.name}): ${s.status}${s.done ? ', done' : ''}`,
    s.pauseReason ? `paused because: ${s.pauseReason}` : null,
    `contacts (${s.total}): ${counts(s.contacts)}`,
    `outcomes: ${counts(s.outcomes)}`,
    `calls in progress: ${s.callsInProgress} of ${s.maxConcurrentCalls}; dials/s: ${s.dialsPerSecond} (last ${s.dialRateWindowSeconds} s)`,
  ]
    .filter(Boolean)
    .join('\n');
}
