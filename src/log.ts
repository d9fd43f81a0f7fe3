import { pino, type Logger } from 'pino';

/** Paths of secrets wherever they may sit in a logged object; pino replaces their values. */
export const redactedPaths = [
  'apiKey',
  'TELNYX_API_KEY',
  'API_TOKEN',
  'sipAuthPassword',
  'SipAuthPassword',
  '*.apiKey',
  '*.sipAuthPassword',
  '*.SipAuthPassword',
  '*.*.sipAuthPassword',
  '*.*.SipAuthPassword',
  'headers.authorization',
  'req.headers.authorization',
  'config.telnyx.sipAuthPassword',
];

export function makeLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination);
}

export type { Logger };
