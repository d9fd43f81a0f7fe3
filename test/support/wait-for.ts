import { inspect } from 'node:util';

export interface WaitForOptions {
  /** What is awaited, as the timeout error names it: "the row to be in the table". */
  description: string;
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between two checks (default 25 ms). */
  intervalMs?: number;
  /** More state for the timeout error (rows, what the carrier saw), read once when it is thrown. */
  details?: () => unknown;
}

export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/**
 * The one way tests wait (never a fixed sleep standing in for a condition): checks `condition` until
 * it returns a truthy value, and resolves with that value. A condition that throws counts as "not
 * yet" (a service still starting refuses connections). On timeout it throws an error naming what it
 * waited for and the last value or error the condition gave.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions): Promise<Truthy<T>> {
  const { description, timeoutMs = 20_000, intervalMs = 25, details } = options;
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown };
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const error = new Error(await timeoutMessage(description, timeoutMs, last, details), 'error' in last ? { cause: last.error } : undefined);
      Error.captureStackTrace(error, waitFor); // the report points at the line that waited, not at this helper
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function timeoutMessage(description: string, timeoutMs: number, last: { value: unknown } | { error: unknown }, details?: () => unknown): Promise<string> {
  const show = (value: unknown) => inspect(value, { depth: 6, breakLength: Infinity, maxArrayLength: 50 });
  let message = `timed out after ${timeoutMs} ms waiting for ${description}; `;
  message += 'error' in last ? `last error: ${last.error instanceof Error ? last.error.message : show(last.error)}` : `last value: ${show(last.value)}`;
  if (details) {
    try {
      message += `; details: ${show(await details())}`;
    } catch (error) {
      message += `; details unavailable: ${error instanceof Error ? error.message : show(error)}`;
    }
  }
  return message;
}
