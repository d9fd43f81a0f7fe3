import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** `dialer serve` as a child process, as operators run it. */
export interface ServeProcess {
  child: ChildProcess;
  /** What it wrote to stderr (its logs), for assertion messages. */
  stderr(): string;
  /** SIGTERM and wait for the drain; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Spawns `dialer serve` with `env` over the test's environment and resolves once it logs that it
 * listens (the log is on stderr; LOG_LEVEL must let info through).
 */
export async function spawnServeProcess(env: Record<string, string>, { timeoutMs = 30_000 } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['src/cli/bin.mjs', 'serve'], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const started = Date.now();
  while (!stderr.includes('Server listening')) {
    if (child.exitCode !== null) throw new Error(`dialer serve exited ${child.exitCode}: ${stderr}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`dialer serve did not start within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
