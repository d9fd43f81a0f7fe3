import type { Command } from 'commander';
import { DialerError } from '../../errors.ts';
import { defaultAverageCallSeconds, type DryRun } from '../../scheduling/dry-run.ts';
import { report } from '../output.ts';

export function registerDryRun(program: Command): void {
  program
    .command('dry-run')
    .description(
      'Show what running a campaign would do, without dialing or changing anything: contacts by state, ' +
        'invalid (rejected at import) and suppressed counts, contacts still to dial per time zone with when ' +
        'their calling window next opens, and an estimated finish time from the pace, concurrency, windows ' +
        `and schedule (first attempts only, assuming calls last --average-call-seconds, default ${defaultAverageCallSeconds}).`,
    )
    .argument('<campaign>', 'campaign id or name')
    .option('--average-call-seconds <n>', 'assumed average call length, ringing included', String(defaultAverageCallSeconds))
    .option('--json', 'print the result as JSON')
    .action(async (campaign: string, options: { averageCallSeconds: string; json?: boolean }) => {
      const averageCallSeconds = Number(options.averageCallSeconds);
      if (!Number.isFinite(averageCallSeconds) || averageCallSeconds <= 0) {
        throw new DialerError('invalid_input', `--average-call-seconds must be a positive number, not "${options.averageCallSeconds}"`, 'average-call-seconds');
      }
      const [{ withApp }, { makeDryRun }] = await Promise.all([import('../../app.ts'), import('../../scheduling/dry-run.ts')]);
      const result = await withApp((app) => makeDryRun(app, campaign, { averageCallSeconds }));
      report(result, options, describeDryRun);
    });
}

export function describeDryRun(r: DryRun): string {
  const a = r.estimate.assumptions;
  const lines = [
    `${r.name} (${r.campaignId}), ${r.status}: dry run, nothing dialed`,
    `contacts by state: ${
      Object.entries(r.contactsByState)
        .map(([state, count]) => `${state} ${count}`)
        .join(', ') || 'none'
    }`,
    `invalid (rejected at import): ${r.invalid}, suppressed (do-not-call): ${r.suppressed}, still to dial: ${r.toDial}`,
    'to dial per time zone:',
    ...r.timeZones
      .slice(0, 30)
      .map(
        (group) =>
          `  ${String(group.contacts).padStart(8)}  ${group.zones.length > 3 ? `${group.zones.slice(0, 3).join(', ')} +${group.zones.length - 3} more` : group.zones.join(', ')}  next window: ${group.openNow ? 'open now' : (group.nextCallAt ?? 'never (window never open in all these zones)')}`,
      ),
    ...(r.timeZones.length > 30 ? [`  ... ${r.timeZones.length - 30} more zone sets (use --json)`] : []),
    `pace: ${a.callsPerSecond}/s, ${a.maxConcurrentCalls} concurrent, ${a.averageCallSeconds} s per call -> ${Number(a.effectiveCallsPerSecond.toFixed(3))} dials/s`,
    `window: ${a.callingWindow.start}-${a.callingWindow.end} ${a.callingWindow.days.join(',')} local (never outside 08:00-21:00)`,
    `schedule: ${a.schedule ? `${a.schedule.cron} (${a.schedule.tz})` : 'none: dialed continuously once started'}`,
    `retries: ${a.retries}`,
    r.estimate.finishAt
      ? `estimated finish (if started now): ${r.estimate.finishAt}`
      : `no finish time: ${[r.estimate.neverCallable ? `${r.estimate.neverCallable} contact(s) can never be called in this window` : '', r.estimate.beyondHorizon ? `${r.estimate.beyondHorizon} contact(s) not reached within a year` : ''].filter(Boolean).join('; ')}`,
  ];
  return lines.join('\n');
}
