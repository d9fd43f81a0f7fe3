import type { DialStack } from './dial-harness.ts';
import { spawnCliProcess, type CliProcess } from './cli-process.ts';

/** `dialer worker` as a child process wired to a test's dial stack (as operators run it). */
export function spawnWorker(stack: DialStack, databaseUrl: string, args: string[] = [], env: Record<string, string> = {}): CliProcess {
  return spawnCliProcess(['worker', ...args], {
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: stack.app.config.QUEUE_PREFIX,
    TELNYX_API_BASE_URL: stack.simulator.baseUrl,
    TELNYX_API_KEY: stack.simulator.apiKey,
    PUBLIC_BASE_URL: stack.app.config.PUBLIC_BASE_URL,
    ACCOUNT_CALLS_PER_SECOND: String(stack.app.config.ACCOUNT_CALLS_PER_SECOND),
    LOG_LEVEL: 'warn',
    ...env,
  });
}
