import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { DialerError } from '../errors.ts';
import { parseRetryAfterMs } from './retry-after.ts';

/**
 * Telnyx's TeXML call records, read-only (https://developers.telnyx.com/api-reference/texml-rest-commands/fetch-a-call
 * and "Fetch multiple call resources"; our reading: docs/telnyx-notes.md). Unlike the dial POST, these
 * GETs are retried: after a timeout, a connection error, a 5xx or a 429 (waiting what Retry-After or
 * x-ratelimit-reset says). A 404 is never retried here and never means "no such call" on its own:
 * records are eventually consistent, so the caller decides what a 404 is worth.
 */

const rfc2822OrIso = z.string().transform((text, context) => {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) {
    context.addIssue({ code: 'custom', message: `"${text}" is not a time` });
    return z.NEVER;
  }
  return at;
});

const callRecordSchema = z.object({
  sid: z.string().min(1),
  from: z.string(),
  to: z.string(),
  status: z.string().min(1),
  // A string of seconds per the reference; a number is accepted too.
  duration: z
    .union([z.string(), z.number(), z.null()])
    .optional()
    .transform((value) => (value === null || value === undefined || value === '' || !/^\d+$/.test(String(value)) ? null : Number(value))),
  answered_by: z.string().nullable().optional(),
  start_time: rfc2822OrIso.nullable().optional(),
  end_time: rfc2822OrIso.nullable().optional(),
});

const callListSchema = z.object({
  calls: z.array(z.unknown()),
  next_page_uri: z.string().nullable().optional(),
});

/** One call as its record tells it. */
export interface CallRecord {
  callSid: string;
  from: string;
  to: string;
  /** ringing | in-progress | completed | busy | no-answer | canceled | failed (never queued). */
  status: string;
  /** Seconds (talk time), once the call ended. */
  durationSec: number | null;
  /** human | machine | not_sure, or null. */
  answeredBy: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

export type GetCallResult = { kind: 'found'; record: CallRecord } | { kind: 'notFound' } | { kind: 'error'; reason: string };
export type ListCallsResult = { kind: 'listed'; records: CallRecord[] } | { kind: 'error'; reason: string };

export interface CallListFilter {
  to: string;
  from?: string;
  /** YYYY-MM-DD (UTC): calls that started after this day (pass the day before the earliest you need). */
  startedAfterDay?: string;
}

export interface CallRecordClient {
  getCall(accountSid: string, callSid: string): Promise<GetCallResult>;
  /** Every page, following next_page_uri; any failure on any page is an error (never a shorter list). */
  listCalls(accountSid: string, filter: CallListFilter): Promise<ListCallsResult>;
}

/** How GETs to Telnyx's REST API are made: shared by the call-record and conversation clients. */
export interface TelnyxGetterOptions {
  apiKey: string;
  baseUrl: string;
  /** Per request. */
  timeoutMs: number;
  /** Tries per request (1 = no retry). Default 3. */
  tries?: number;
  /** Backoff before a retry when Telnyx did not say how long to wait. Default 500 ms, doubling. */
  retryDelayMs?: number;
  /** Longest wait honoured from Retry-After / x-ratelimit-reset. Default 30 s. */
  maxRetryWaitMs?: number;
  /** Called before every request (pacing: reads have their own budget). */
  beforeRequest?: () => Promise<void>;
  now?: () => number;
}

export interface CallRecordClientOptions extends TelnyxGetterOptions {
  pageSize?: number;
  /** Most pages read by one list (a guard against a paging loop). Default 50. */
  maxPages?: number;
}

export type Fetched = { kind: 'ok'; json: unknown } | { kind: 'notFound' } | { kind: 'error'; reason: string };

export interface TelnyxGetter {
  /** The API base, without a trailing slash (https://api.telnyx.com/v2). */
  base: URL;
  /** One GET, retried after a timeout, a connection error, a 5xx or a 429; 404 is passed up. */
  fetchJson(url: string): Promise<Fetched>;
  /** A next-page URI (a path under the API host, or a full URL on the same origin); undefined for another host. */
  resolvePage(uri: string): URL | undefined;
}

export function makeTelnyxGetter(options: TelnyxGetterOptions): TelnyxGetter {
  const { apiKey, baseUrl, timeoutMs, now = Date.now } = options;
  if (!/^[\x21-\x7e]+$/.test(apiKey)) throw new DialerError('invalid_config', 'TELNYX_API_KEY must be printable ASCII without spaces', 'TELNYX_API_KEY');
  const tries = options.tries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 30_000;
  const base = new URL(baseUrl.replace(/\/+$/, ''));
  const hide = (text: string) => text.split(apiKey).join('[redacted]');

  // next_page_uri is a path under the API host ("/v2/texml/..."); a full URL is accepted too, but only on
  // the same origin: the bearer key never goes anywhere else.
  const resolvePage = (uri: string): URL | undefined => {
    const resolved = /^https?:\/\//.test(uri)
      ? new URL(uri)
      : uri.startsWith(`${base.pathname}/`)
        ? new URL(uri, base.origin)
        : new URL(`${base.href}${uri.startsWith('/') ? '' : '/'}${uri}`);
    return resolved.origin === base.origin ? resolved : undefined;
  };

  async function fetchJson(url: string): Promise<Fetched> {
    let last = 'no try made';
    for (let attempt = 1; attempt <= tries; attempt += 1) {
      await options.beforeRequest?.();
      let waitMs: number | undefined;
      try {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        if (response.status === 200) {
          try {
            return { kind: 'ok', json: JSON.parse(text) };
          } catch {
            last = 'HTTP 200 with a body that is not JSON';
          }
        } else if (response.status === 404) {
          return { kind: 'notFound' };
        } else if (response.status === 429 || response.status >= 500) {
          last = `HTTP ${response.status}${errorCode(text)}`;
          waitMs = response.status === 429 ? parseRetryAfterMs(response.headers, now()) : undefined;
        } else {
          // 401/403/422...: asking again will not help.
          return { kind: 'error', reason: hide(`HTTP ${response.status}${errorCode(text)}`) };
        }
      } catch (error) {
        const name = (error as { name?: string })?.name;
        last = name === 'TimeoutError' || name === 'AbortError' ? `no response within ${timeoutMs} ms` : describe(error);
      }
      if (attempt < tries) await sleep(Math.min(maxRetryWaitMs, waitMs ?? retryDelayMs * 2 ** (attempt - 1)));
    }
    return { kind: 'error', reason: hide(`${last} (after ${tries} tries)`) };
  }

  return { base, fetchJson, resolvePage };
}

export function makeCallRecordClient(options: CallRecordClientOptions): CallRecordClient {
  const { base, fetchJson, resolvePage } = makeTelnyxGetter(options);
  const callsUrl = (accountSid: string) => `${base.href}/texml/Accounts/${encodeURIComponent(accountSid)}/Calls`;

  return {
    async getCall(accountSid, callSid) {
      const fetched = await fetchJson(`${callsUrl(accountSid)}/${encodeURIComponent(callSid)}`);
      if (fetched.kind !== 'ok') return fetched;
      const parsed = readRecord(fetched.json);
      if (!parsed) return { kind: 'error', reason: 'the call record does not have the documented shape' };
      return { kind: 'found', record: parsed };
    },

    async listCalls(accountSid, filter) {
      const query = new URLSearchParams({ To: filter.to });
      if (filter.from) query.set('From', filter.from);
      if (filter.startedAfterDay) query.set('StartTime_gt', filter.startedAfterDay);
      query.set('PageSize', String(options.pageSize ?? 100));
      let url: URL | undefined = new URL(`${callsUrl(accountSid)}?${query.toString()}`);
      const records: CallRecord[] = [];
      for (let page = 0; url; page += 1) {
        if (page >= (options.maxPages ?? 50)) return { kind: 'error', reason: `more than ${options.maxPages ?? 50} pages of calls to ${filter.to}` };
        const fetched = await fetchJson(url.href);
        // A 404 on a list is not "no calls" (an empty list is): the account or path is wrong.
        if (fetched.kind === 'notFound') return { kind: 'error', reason: 'HTTP 404 listing calls (is TELNYX_ACCOUNT_SID right?)' };
        if (fetched.kind === 'error') return fetched;
        const list = callListSchema.safeParse(fetched.json);
        if (!list.success) return { kind: 'error', reason: 'the call list does not have the documented shape' };
        for (const item of list.data.calls) {
          const record = readRecord(item);
          if (!record) return { kind: 'error', reason: 'a call in the list does not have the documented shape' };
          records.push(record);
        }
        const next = list.data.next_page_uri;
        url = next ? resolvePage(next) : undefined;
        if (next && !url) return { kind: 'error', reason: 'next_page_uri points to another host' };
      }
      return { kind: 'listed', records };
    },
  };
}

function readRecord(json: unknown): CallRecord | undefined {
  const parsed = callRecordSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const record = parsed.data;
  return {
    callSid: record.sid,
    from: record.from,
    to: record.to,
    status: record.status,
    durationSec: record.duration,
    answeredBy: record.answered_by ?? null,
    startedAt: record.start_time ?? null,
    endedAt: record.end_time ?? null,
  };
}

function errorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { errors?: { code?: unknown }[] }).errors?.[0]?.code;
    return code === undefined ? '' : ` (${String(code)})`;
  } catch {
    return '';
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: string } })?.cause;
  if (cause && typeof cause.code === 'string') return `${cause.code}: ${cause.message ?? ''}`.trim();
  return error instanceof Error ? error.message : String(error);
}
