import type { Command } from 'commander';
import type { ScheduleView } from '../../scheduling/schedules.ts';
import { report } from '../output.ts';

const loadSchedules = () => Promise.all([import('../../app.ts'), import('../../scheduling/schedules.ts')]);

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description(
      'Run a campaign on a cron schedule: each tick dials the contacts due then (new ones, and retries whose ' +
        'delay has passed), each only inside its own calling window. A tick while the previous run still has ' +
        'calls queued or going is skipped. The campaign must be started (`dialer start`) for ticks to dial. ' +
        'Ticks missed while no worker was running are not replayed: see README "Cron schedules". ' +
        'Example: dialer schedule my-campaign --cron "0 9 * * 1-5" --tz America/New_York',
    )
    .argument('<campaign>', 'campaign id or name')
    .requiredOption('--cron <expr>', 'cron expression: minute hour day-of-month month day-of-week (or 6 fields, seconds first)')
    .option('--tz <zone>', 'IANA time zone the cron expression is read in', 'UTC')
    .option('--json', 'print the result as JSON')
    .action(async (campaign: string, options: { cron: string; tz: string; json?: boolean }) => {
      const [{ withApp }, { scheduleCampaign }] = await loadSchedules();
      const result = await withApp((app) => scheduleCampaign(app, campaign, options.cron, options.tz));
      report(result, options, (r) => `scheduled ${r.name} (${r.campaignId})\n${describeSchedule(r)}`);
    });

  program
    .command('unschedule')
    .description("Remove a campaign's cron schedule (a running campaign is then fed continuously again)")
    .argument('<campaign>', 'campaign id or name')
    .option('--json', 'print the result as JSON')
    .action(async (campaign: string, options: { json?: boolean }) => {
      const [{ withApp }, { unscheduleCampaign }] = await loadSchedules();
      const result = await withApp((app) => unscheduleCampaign(app, campaign));
      report(result, options, (r) => (r.removed ? `removed the schedule of campaign ${r.campaignId}` : `campaign ${r.campaignId} had no schedule`));
    });

  program
    .command('schedules')
    .description('List scheduled campaigns with their next run times')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const [{ withApp }, { listSchedules }] = await loadSchedules();
      const result = await withApp((app) => listSchedules(app));
      report(result, options, (r) =>
        r.length ? r.map((s) => `${s.name} (${s.campaignId}, ${s.status})\n${describeSchedule(s)}`).join('\n\n') : 'no scheduled campaigns',
      );
    });
}

function describeSchedule(schedule: ScheduleView): string {
  return [
    `  cron: ${schedule.cron} (${schedule.tz})`,
    `  next runs: ${schedule.nextRuns.join(', ')}`,
    schedule.active ? null : '  not yet active in Redis: a worker (`dialer worker`) creates it when it starts',
  ]
    .filter(Boolean)
    .join('\n');
}
