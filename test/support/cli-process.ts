import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { testProcessEnv } from './test-env.ts';
import { waitFor } from './wait-for.ts';

/** A `dialer` CLI child process (`dialer worker`, `dialer serve`): the real CLI, exactly as operators run it. */
export interface CliProcess {
  child: ChildProcess;
  /** What it wrote to stderr (its logs, warnings and errors), for assertion messages. */
  stderr(): string;
  /** kill -9: no drain, no cleanup, locks and claims left behind. */
  sigkill(): Promise<void>;
  /** SIGTERM and wait for the drain; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `dialer ...args` with `env` over the test's environment (the test database and Redis, never the shell's). */
export function spawnCliProcess(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ['src/cli/bin.mjs', ...args], { env: testProcessEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stderr: () => stderr,
    async sigkill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}

/**
 * `dialer serve` with `env` over the test's environment; resolves once it logs that it listens (the
 * log is on stderr, so LOG_LEVEL must let info through: the default here).
 */
export async function spawnServeProcess(env: Record<string, string>, { timeoutMs = 30_000 } = {}): Promise<CliProcess> {
  const serve = spawnCliProcess(['serve'], { LOG_LEVEL: 'info', ...env });
  const listening = () => serve.stderr().includes('Server listening');
  // Exiting also ends the wait, so a serve that fails at start is reported at once, with its log.
  const exited = () => serve.child.exitCode !== null || serve.child.signalCode !== null;
  try {
    await waitFor(() => listening() || exited(), { description: 'dialer serve to log that it listens', timeoutMs, intervalMs: 50 });
  } catch (error) {
    await serve.sigkill();
    throw new Error(`dialer serve did not start within ${timeoutMs} ms: ${serve.stderr()}`, { cause: error });
  }
  if (!listening()) throw new Error(`dialer serve exited ${serve.child.exitCode ?? serve.child.signalCode}: ${serve.stderr()}`);
  return serve;
}
