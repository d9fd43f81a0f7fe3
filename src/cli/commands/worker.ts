import { InvalidArgumentError, type Command } from 'commander';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'Run the dial workers until SIGTERM/SIGINT (then drain gracefully): feeds running campaigns, dials each ' +
        'contact once through Telnyx at the configured pace, reconciles unconfirmed calls and reaps lost ones. ' +
        'Run as many processes as you like against the same Postgres and Redis.',
    )
    .option('--concurrency <n>', 'dial jobs handled at once by this process', parsePositiveInt, 50)
    .action(async (options: { concurrency: number }) => {
      const [{ withApp }, { runWorkersUntilSignal }] = await Promise.all([import('../../app.ts'), import('../../dialing/run-until-signal.ts')]);
      await withApp((app) => runWorkersUntilSignal(app, options.concurrency));
    });
}

function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10_000) throw new InvalidArgumentError('must be an integer from 1 to 10000');
  return parsed;
}
