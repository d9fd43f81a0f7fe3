import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `dialer` CLI entry point in this process (fast), capturing what it writes. */
export async function runDialerInProcess(...args: string[]): Promise<CliRun> {
  const output = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      output[stream] += String(chunk);
      return true;
    });
  const spies = [capture('stdout'), capture('stderr')];
  try {
    const code = await main(['node', 'dialer', ...args]);
    return { code, ...output };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
