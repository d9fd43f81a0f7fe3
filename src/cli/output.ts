import { DialerError, explainFailure } from '../errors.ts';
import { ConfigError } from '../config.ts';

/** Prints a command's report: one JSON object with --json, else the human form. */
export function report<T>(result: T, options: { json?: boolean }, human: (result: T) => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${human(result)}\n`);
}

/** The one-line reason a failed command prints: no stack traces, no code frames (explainFailure). */
export function describeFailure(error: unknown): string {
  if (error instanceof DialerError) return `error: ${error.message}`;
  if (error instanceof ConfigError) return `error: ${error.message}`;
  return `error: ${explainFailure(error).message}`;
}

/** A progress line on a terminal (rewritten in place); nothing when stderr is not a TTY. */
export function makeProgress(label: string): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(text) {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      process.stderr.write(`\r\x1b[2K${label} ${text}`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}
