import { Command, CommanderError } from 'commander';
import { describeFailure } from './output.ts';

type Register = (program: Command) => void;

/**
 * Each command module with the command names it registers, in help order. Only the module of the
 * command being run is loaded (all of them for `--help`, `help` or an unknown name), so one command
 * never pays for another's dependencies in start-up time and memory.
 */
const commandModules: { names: string[]; load: () => Promise<Register> }[] = [
  { names: ['migrate'], load: async () => (await import('./commands/migrate.ts')).registerMigrate },
  { names: ['import'], load: async () => (await import('./commands/import.ts')).registerImport },
  { names: ['rejections'], load: async () => (await import('./commands/rejections.ts')).registerRejections },
  { names: ['dnc'], load: async () => (await import('./commands/dnc.ts')).registerDnc },
  { names: ['schedule', 'unschedule', 'schedules'], load: async () => (await import('./commands/schedule.ts')).registerSchedule },
  { names: ['dry-run'], load: async () => (await import('./commands/dry-run.ts')).registerDryRun },
  { names: ['campaign'], load: async () => (await import('./commands/campaign.ts')).registerCampaign },
  { names: ['serve'], load: async () => (await import('./commands/serve.ts')).registerServe },
  { names: ['results'], load: async () => (await import('./commands/results.ts')).registerResults },
  { names: ['transcript'], load: async () => (await import('./commands/transcript.ts')).registerTranscript },
  { names: ['start', 'pause', 'resume', 'cancel'], load: async () => (await import('./commands/lifecycle.ts')).registerLifecycle },
  { names: ['status'], load: async () => (await import('./commands/status.ts')).registerStatus },
  { names: ['worker'], load: async () => (await import('./commands/worker.ts')).registerWorker },
  { names: ['simulator'], load: async () => (await import('./commands/simulator.ts')).registerSimulator },
  { names: ['demo'], load: async () => (await import('./commands/demo.ts')).registerDemo },
];

/**
 * Help that fits 80 columns. Descriptions are plain sentences (no hard line breaks but between
 * paragraphs) and commander wraps them. A command list shows each command's first sentence (its own
 * `--help` has the rest), and wraps it even in the 35 columns the longest names leave (commander's
 * default stops wrapping below 40, printing each description on one long line).
 */
const helpLayout = {
  minWidthToWrap: 30,
  subcommandDescription: (command: Command) => command.summary() || firstSentence(command.description()),
};

/** Up to the first full stop that ends a sentence (not the one of "e.g." or "i.e."). */
export function firstSentence(text: string): string {
  const end = /(?<!\b(?:e\.g|i\.e|etc))\.(?=\s+[A-Z`(])/.exec(text);
  return end ? text.slice(0, end.index + 1) : text;
}

/** The program with the commands `argv` can reach (node, script, then the command name). */
export async function makeProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('dialer')
    .description(
      'Batch outbound AI-call campaign dialer: load contacts from CSV into Postgres, dial each one through ' +
        "Telnyx's outbound AI call API with rate-limited workers, and record every call's outcome.\n\n" +
        'Configuration comes from the environment (DATABASE_URL, REDIS_URL, TELNYX_API_KEY, ...): see README.md.',
    )
    .configureHelp(helpLayout)
    .showHelpAfterError()
    .exitOverride();
  const name = argv[2];
  const named = commandModules.filter((module) => name !== undefined && module.names.includes(name));
  for (const register of await Promise.all((named.length ? named : commandModules).map((module) => module.load()))) register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await makeProgram(argv)).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // The reader stopped early (`dialer results C | head`) and closed the pipe: nothing went wrong here.
    if ((error as { code?: unknown }).code === 'EPIPE') return 0;
    process.stderr.write(`${describeFailure(error)}\n`);
    return 1;
  }
}
