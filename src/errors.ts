/**
 * The one domain error type. `code` says what went wrong for programs; `message` says it for people
 * (one line, never a secret); `field` names the offending input where there is one (a config path,
 * a CSV column, an HTTP body key).
 */
export type DialerErrorCode =
  'invalid_config' | 'invalid_input' | 'not_found' | 'conflict' | 'invalid_state' | 'import_failed' | 'telnyx_error' | 'unauthorized' | 'too_large';

export class DialerError extends Error {
  override readonly name = 'DialerError';
  constructor(
    readonly code: DialerErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isDialerError(error: unknown, code?: DialerErrorCode): error is DialerError {
  return error instanceof DialerError && (code === undefined || error.code === code);
}
