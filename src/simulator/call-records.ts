import { formatTimestamp } from '../telnyx/callback-payloads.ts';
import type { CallTimeline } from './call-plan.ts';

/** What the simulator knows of one placed call, enough to answer for its record. */
export interface RecordedCall {
  callSid: string;
  from: string;
  to: string;
  /** When it was placed (ms). */
  at: number;
  timeline: CallTimeline;
}

/**
 * One TeXML call record, as `GET /texml/Accounts/{account_sid}/Calls/{call_sid}` answers it: flat,
 * snake_case, times in RFC 2822 (https://developers.telnyx.com/api-reference/texml-rest-commands/fetch-a-call;
 * the shape we rely on: docs/telnyx-notes.md). Status is never `queued`: `ringing` until answered,
 * `in-progress` until the end, then the call's final status.
 */
export interface CallRecordBody {
  account_sid: string;
  sid: string;
  from: string;
  to: string;
  from_formatted: string;
  to_formatted: string;
  caller_name: string | null;
  direction: 'outbound';
  status: string;
  duration: string | null;
  answered_by: 'human' | 'machine' | 'not_sure' | null;
  start_time: string;
  end_time: string | null;
  date_created: string;
  date_updated: string;
  uri: string;
}

const rfc2822 = (ms: number) => formatTimestamp(new Date(ms), 'rfc2822');

export function callsPath(accountSid: string): string {
  return `/v2/texml/Accounts/${encodeURIComponent(accountSid)}/Calls`;
}

export function renderCallRecord(call: RecordedCall, accountSid: string, nowMs: number): CallRecordBody {
  const { timeline } = call;
  const answeredAt = timeline.answeredAfterMs === undefined ? undefined : call.at + timeline.answeredAfterMs;
  const endedAt = call.at + timeline.endedAfterMs;
  const ended = nowMs >= endedAt;
  const status = ended ? timeline.terminal : answeredAt !== undefined && nowMs >= answeredAt ? 'in-progress' : 'ringing';
  const answeredBy =
    timeline.answeredBy === undefined ? null : timeline.answeredBy === 'human' ? 'human' : timeline.answeredBy.startsWith('machine') ? 'machine' : 'not_sure';
  const updatedAt = ended ? endedAt : answeredAt !== undefined && nowMs >= answeredAt ? answeredAt : call.at;
  return {
    account_sid: accountSid,
    sid: call.callSid,
    from: call.from,
    to: call.to,
    from_formatted: call.from,
    to_formatted: call.to,
    caller_name: null,
    direction: 'outbound',
    status,
    // Seconds talked, as the terminal status callback's CallDuration says it (0 when nobody answered).
    duration: ended ? String(answeredAt === undefined ? 0 : Math.max(0, Math.round((endedAt - answeredAt) / 1000))) : null,
    answered_by: answeredAt !== undefined && nowMs >= answeredAt ? answeredBy : null,
    start_time: rfc2822(call.at),
    end_time: ended ? rfc2822(endedAt) : null,
    date_created: rfc2822(call.at),
    date_updated: rfc2822(updatedAt),
    uri: `${callsPath(accountSid)}/${encodeURIComponent(call.callSid)}`,
  };
}

/** `YYYY-MM-DD` -> the UTC midnight it names, or undefined when the text is not such a day. */
function parseDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

const dayMs = 86_400_000;
const dayFilters = ['StartTime', 'StartTime_gt', 'StartTime_lt', 'EndTime', 'EndTime_gt', 'EndTime_lt'] as const;

export type ListQuery =
  | { ok: true; matches: (record: CallRecordBody, call: RecordedCall) => boolean; pageSize: number; page: number; token?: PageToken }
  | { ok: false; field: string; detail: string };

export interface PageToken {
  /** Index of the first record of the page in the snapshot. */
  offset: number;
  /** Only calls placed at or before this instant: later calls do not shift the pages being read. */
  placedBy: number;
}

/**
 * Reads the list's query: `To`, `From`, `Status` and the day filters (YYYY-MM-DD, UTC days). `_gt` and
 * `_lt` are read strictly (a call on the named day does not match either): Telnyx does not document
 * whether they include that day, so the simulator takes the reading that is hardest on clients.
 */
export function readListQuery(params: URLSearchParams): ListQuery {
  const days = new Map<string, number>();
  for (const key of dayFilters) {
    const value = params.get(key);
    if (value === null) continue;
    const day = parseDay(value);
    if (day === undefined) return { ok: false, field: key, detail: `${key} must be a day written YYYY-MM-DD, got "${value}"` };
    days.set(key, day);
  }
  const pageSizeText = params.get('PageSize') ?? '50';
  const pageSize = Number(pageSizeText);
  if (!/^\d+$/.test(pageSizeText) || pageSize < 1 || pageSize > 1000)
    return { ok: false, field: 'PageSize', detail: `PageSize must be 1 to 1000, got "${pageSizeText}"` };
  const pageText = params.get('Page') ?? '0';
  if (!/^\d+$/.test(pageText)) return { ok: false, field: 'Page', detail: `Page must be a whole number, got "${pageText}"` };
  let token: PageToken | undefined;
  const tokenText = params.get('PageToken');
  if (tokenText !== null) {
    token = decodePageToken(tokenText);
    if (!token) return { ok: false, field: 'PageToken', detail: 'PageToken is not one this API gave out' };
  }
  const to = params.get('To');
  const from = params.get('From');
  const status = params.get('Status');
  const inDay = (ms: number, key: string, compare: 'on' | 'after' | 'before') => {
    const day = days.get(key);
    if (day === undefined) return true;
    if (compare === 'on') return ms >= day && ms < day + dayMs;
    return compare === 'after' ? ms >= day + dayMs : ms < day;
  };
  return {
    ok: true,
    pageSize,
    page: Number(pageText),
    ...(token ? { token } : {}),
    matches(record, call) {
      if (to !== null && record.to !== to) return false;
      if (from !== null && record.from !== from) return false;
      if (status !== null && record.status !== status) return false;
      if (!inDay(call.at, 'StartTime', 'on') || !inDay(call.at, 'StartTime_gt', 'after') || !inDay(call.at, 'StartTime_lt', 'before')) return false;
      const endedAt = record.end_time === null ? undefined : call.at + call.timeline.endedAfterMs;
      if (days.has('EndTime') || days.has('EndTime_gt') || days.has('EndTime_lt')) {
        if (endedAt === undefined) return false;
        if (!inDay(endedAt, 'EndTime', 'on') || !inDay(endedAt, 'EndTime_gt', 'after') || !inDay(endedAt, 'EndTime_lt', 'before')) return false;
      }
      return true;
    },
  };
}

export function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodePageToken(text: string): PageToken | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<PageToken>;
    return Number.isInteger(parsed.offset) && parsed.offset! >= 0 && Number.isFinite(parsed.placedBy)
      ? { offset: parsed.offset!, placedBy: parsed.placedBy! }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The list's query string with the paging keys replaced (the filters kept as given). */
export function pageUri(accountSid: string, params: URLSearchParams, page: number, token?: PageToken): string {
  const next = new URLSearchParams();
  for (const [key, value] of params) if (key !== 'Page' && key !== 'PageToken') next.append(key, value);
  next.set('Page', String(page));
  if (token) next.set('PageToken', encodePageToken(token));
  return `${callsPath(accountSid)}?${next.toString()}`;
}
