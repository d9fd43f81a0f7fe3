import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { DialStack } from './dial-harness.ts';

/** `dialer worker` as a child process wired to a test's stack (as operators and chaos tests run it). */
export function spawnWorker(stack: DialStack, databaseUrl: string, args: string[] = [], env: Record<string, string> = {}): ChildProcess & { stderrText(): string } {
  const child = spawn(process.execPath, ['src/cli/bin.mjs', 'worker', ...args], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: stack.app.config.QUEUE_PREFIX,
      TELNYX_API_BASE_URL: stack.simulator.baseUrl,
      TELNYX_API_KEY: stack.simulator.apiKey,
      PUBLIC_BASE_URL: stack.app.config.PUBLIC_BASE_URL,
      ACCOUNT_CALLS_PER_SECOND: String(stack.app.config.ACCOUNT_CALLS_PER_SECOND),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return Object.assign(child, { stderrText: () => stderr });
}

/** SIGTERM, then the exit code once it has drained. */
export async function stopWorker(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}
