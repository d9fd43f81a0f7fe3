import { Command, CommanderError } from 'commander';
import { describeFailure } from './output.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerImport } from './commands/import.ts';
import { registerRejections } from './commands/rejections.ts';
import { registerDnc } from './commands/dnc.ts';
import { registerSchedule } from './commands/schedule.ts';
import { registerDryRun } from './commands/dry-run.ts';
import { registerCampaign } from './commands/campaign.ts';
import { registerServe } from './commands/serve.ts';
import { registerResults } from './commands/results.ts';
import { registerLifecycle } from './commands/lifecycle.ts';
import { registerStatus } from './commands/status.ts';
import { registerWorker } from './commands/worker.ts';
import { registerSimulator } from './commands/simulator.ts';
import { registerDemo } from './commands/demo.ts';

export function makeProgram(): Command {
  const program = new Command('dialer')
    .description(
      'Batch outbound AI-call campaign dialer: load contacts from CSV into Postgres, dial each one through\n' +
        "Telnyx's outbound AI call API with rate-limited workers, and record every call's outcome.\n\n" +
        'Configuration comes from the environment (DATABASE_URL, REDIS_URL, TELNYX_API_KEY, ...): see README.md.',
    )
    .showHelpAfterError()
    .exitOverride();
  registerMigrate(program);
  registerImport(program);
  registerRejections(program);
  registerDnc(program);
  registerSchedule(program);
  registerDryRun(program);
  registerCampaign(program);
  registerServe(program);
  registerResults(program);
  registerLifecycle(program);
  registerStatus(program);
  registerWorker(program);
  registerSimulator(program);
  registerDemo(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await makeProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${describeFailure(error)}\n`);
    return 1;
  }
}
