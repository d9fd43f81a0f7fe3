import { expect } from 'vitest';
import { DialerError } from '../../src/errors.ts';

/** The DialerError `promise` rejects with (failing the test if it resolves or rejects with anything else). */
export async function failureOf(promise: Promise<unknown>): Promise<DialerError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DialerError);
  return error as DialerError;
}
