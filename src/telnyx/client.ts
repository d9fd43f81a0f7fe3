import { DialerError } from '../errors.ts';
import type { DialRequestBody } from './dial-request-body.ts';
import type { DialResult } from './dial-result.ts';
import { classifyFetchFailure } from './classify-fetch-failure.ts';
import { parseRetryAfterMs } from './retry-after.ts';

export interface TelnyxClientOptions {
  apiKey: string;
  /** e.g. https://api.telnyx.com/v2, or the simulator's baseUrl. */
  baseUrl: string;
  /** Whole request, connect to last body byte. */
  timeoutMs: number;
  /** For rate-limit reset instants given as Unix time; tests inject it. */
  now?: () => number;
}

export interface TelnyxClient {
  /** Sends exactly one POST; never throws for anything the network or Telnyx does. */
  dial(connectionId: string, body: DialRequestBody): Promise<DialResult>;
}

/**
 * The one carrier request. How each outcome is classified (and so what the dial worker may do):
 *
 * | what happened                                              | result      | call placed?  |
 * |------------------------------------------------------------|-------------|---------------|
 * | 200 with a JSON `call_sid`                                 | accepted    | yes           |
 * | 2xx without a parsable `call_sid` (or body cut off)        | ambiguous   | maybe         |
 * | 401, 403, 404                                              | auth        | no            |
 * | 429                                                        | rateLimited | no            |
 * | 3xx (never followed: following would be a second POST)     | rejected    | no            |
 * | any other 4xx (422 validation, 400, ...)                   | rejected    | no            |
 * | 5xx                                                        | ambiguous   | maybe         |
 * | invalid URL / blocked port (fetch refuses before I/O)      | notSent     | no            |
 * | DNS failure (ENOTFOUND, EAI_AGAIN, ...)                    | notSent     | no            |
 * | TCP connect refused/unreachable (syscall connect)          | notSent     | no            |
 * | connect timeout (UND_ERR_CONNECT_TIMEOUT), TLS cert errors | notSent     | no: no HTTP byte is written before the handshake completes |
 * | our timeout (AbortSignal) at any stage                     | ambiguous   | maybe: fetch does not say whether the request was written |
 * | socket closed/reset (UND_ERR_SOCKET, ECONNRESET, EPIPE)    | ambiguous   | maybe         |
 * | anything else                                              | ambiguous   | maybe         |
 *
 * Redirects are not followed (redirect: 'manual'), fetch never retries a POST, and nothing here
 * retries: one call to dial() is at most one request on the wire.
 */
export function makeTelnyxClient(options: TelnyxClientOptions): TelnyxClient {
  const { apiKey, baseUrl, timeoutMs, now = Date.now } = options;
  // An invalid header value makes fetch throw an error that quotes the value: refuse it here instead.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) throw new DialerError('invalid_config', 'TELNYX_API_KEY must be printable ASCII without spaces', 'TELNYX_API_KEY');
  const hide = makeSecretScrubber([apiKey]);

  return {
    async dial(connectionId, body) {
      const url = makeDialUrl(baseUrl, connectionId);
      if (!url) return { kind: 'notSent', reason: `invalid Telnyx URL for base ${JSON.stringify(baseUrl)}` };
      const scrub = body.SipAuthPassword ? makeSecretScrubber([apiKey, body.SipAuthPassword]) : hide;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        return scrubResult(classifyFetchFailure(error, timeoutMs), scrub);
      }
      return scrubResult(classifyResponse(response, text, now), scrub);
    },
  };
}

function makeDialUrl(baseUrl: string, connectionId: string): URL | undefined {
  try {
    const url = new URL(`${baseUrl.replace(/\/+$/, '')}/texml/ai_calls/${encodeURIComponent(connectionId)}`);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function classifyResponse(response: Response, text: string, now: () => number): DialResult {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const callSid = readCallSid(text);
    return callSid ? { kind: 'accepted', callSid, status } : { kind: 'ambiguous', status, reason: `HTTP ${status} without a call_sid in the body` };
  }
  if (status >= 500) return { kind: 'ambiguous', status, reason: `HTTP ${status} from Telnyx${describeBody(text)}` };
  const error = readFirstError(text);
  if (status === 429) {
    return { kind: 'rateLimited', status, code: error.code, retryAfterMs: parseRetryAfterMs(response.headers, now()) };
  }
  if (status === 401 || status === 403 || status === 404) {
    return { kind: 'auth', status, code: error.code, detail: error.detail ?? error.title ?? `HTTP ${status}` };
  }
  if (status >= 300 && status < 400) {
    return { kind: 'rejected', status, title: 'Unexpected redirect', detail: `HTTP ${status}: check TELNYX_API_BASE_URL (redirects are never followed)` };
  }
  return { kind: 'rejected', status, ...error, detail: error.detail ?? error.title ?? `HTTP ${status}` };
}

function readCallSid(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { call_sid?: unknown; data?: { call_sid?: unknown } };
    // The endpoint answers flat JSON; a `data` wrapper is tolerated in case that changes.
    const callSid = parsed.call_sid ?? parsed.data?.call_sid;
    return typeof callSid === 'string' && callSid.length > 0 ? callSid : undefined;
  } catch {
    return undefined;
  }
}

interface TelnyxError {
  code?: string;
  title?: string;
  detail?: string;
  pointer?: string;
}

function readFirstError(text: string): TelnyxError {
  try {
    const first = (JSON.parse(text) as { errors?: unknown[] }).errors?.[0] as Record<string, unknown> | undefined;
    if (!first) return {};
    const source = first.source as { pointer?: unknown } | undefined;
    return withoutUndefined({
      code: first.code === undefined ? undefined : String(first.code),
      title: asString(first.title),
      detail: asString(first.detail),
      pointer: asString(source?.pointer),
    });
  } catch {
    return {};
  }
}

function describeBody(text: string): string {
  const error = readFirstError(text);
  const words = [error.code, error.detail ?? error.title].filter(Boolean).join(' ');
  return words ? `: ${words}` : '';
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function makeSecretScrubber(secrets: string[]): (text: string) => string {
  const present = secrets.filter((secret) => secret.length > 0);
  return (text) => present.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

// Telnyx or a proxy could echo a header or body value into an error: no secret leaves this module.
function scrubResult(result: DialResult, scrub: (text: string) => string): DialResult {
  return Object.fromEntries(Object.entries(result).map(([key, value]) => [key, typeof value === 'string' ? scrub(value) : value])) as DialResult;
}
