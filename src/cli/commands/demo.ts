import type { Command } from 'commander';
import { DialerError } from '../../errors.ts';
import { listenForShutdown } from '../../shutdown.ts';
import { defaultDemoFiles, runDemo } from '../../demo/run-demo.ts';
import { formatDemoSummary, type DemoSummary } from '../../demo/demo-summary.ts';
import { makeProgressLine } from '../../demo/progress-line.ts';
import { report } from '../output.ts';

interface DemoCommandOptions {
  campaignConfig?: string;
  contacts?: string;
  doNotCall?: string;
  stallSeconds: string;
  logLevel: string;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run a demo campaign end to end on this machine: migrate the database, create a new campaign, load its ' +
        'do-not-call list and contacts, then dial them with the real workers against the built-in Telnyx ' +
        'simulator, recording every outcome through the real (signature-checking) callback receiver. Ends when ' +
        'every contact is final or waits for its calling window (never before 08:00 or after 21:00 local), ' +
        'then pauses the campaign and prints a summary. Ctrl-C stops it cleanly. Needs Postgres and Redis ' +
        '(DATABASE_URL, REDIS_URL); the database must have no other running campaign.',
    )
    .option('--campaign-config <file>', 'campaign config JSON, its name gets the time appended (default: examples/demo-campaign.json)')
    .option('--contacts <file>', 'contacts CSV to import (default: examples/contacts.csv)')
    .option('--do-not-call <file>', "CSV of numbers for the campaign's do-not-call list (default: examples/do-not-call.csv)")
    .option('--stall-seconds <n>', 'give up (exit 1) when nothing has changed for this long', '60')
    .option('--log-level <level>', 'log level of the workers and receiver (stderr)', 'warn')
    .option('--json', 'print the final summary as JSON on stdout (steps and progress go to stderr)')
    .action(async (options: DemoCommandOptions) => {
      const stallSeconds = Number(options.stallSeconds);
      if (!Number.isInteger(stallSeconds) || stallSeconds < 1) {
        throw new DialerError('invalid_input', `--stall-seconds must be a positive whole number, not "${options.stallSeconds}"`, 'stall-seconds');
      }
      const steps = options.json ? process.stderr : process.stdout;
      const interrupt = new AbortController();
      const shutdown = listenForShutdown();
      void shutdown.received.then(() => interrupt.abort());
      try {
        const summary = await runDemo({
          files: {
            campaignConfig: options.campaignConfig ?? defaultDemoFiles.campaignConfig,
            contacts: options.contacts ?? defaultDemoFiles.contacts,
            doNotCall: options.doNotCall ?? defaultDemoFiles.doNotCall,
          },
          stallSeconds,
          logLevel: options.logLevel,
          say: (line) => steps.write(`${line}\n`),
          progress: makeProgressLine(process.stderr),
          signal: interrupt.signal,
        });
        report(summary, options, (s) => formatDemoSummary(s));
        failUnlessSettled(summary, stallSeconds);
      } finally {
        shutdown.stop();
      }
      // Everything is closed; a connection a library failed to let go must not keep the process alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
    });
}

function failUnlessSettled(summary: DemoSummary, stallSeconds: number): void {
  const left = `${summary.campaign.id} is paused`;
  if (summary.end === 'stalled') throw new DialerError('invalid_state', `nothing progressed for ${stallSeconds} s; gave up (campaign ${left})`);
  if (summary.end === 'paused') throw new DialerError('invalid_state', `the dialer paused the campaign: ${summary.campaign.pauseReason}`);
  if (summary.end === 'interrupted')
    throw new DialerError('invalid_state', `interrupted (campaign ${left}); a call still in_call is recorded failed by a worker's reaper after its time limit`);
}
