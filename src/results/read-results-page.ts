import type pg from 'pg';
import { DialerError } from '../errors.ts';
import type { PendingReason } from '../attempts/states.ts';
import { contactTimezonesWithSource, type TimezoneSource } from '../calling-hours/contact-timezones.ts';

/** One contact's result as the contact_result view gives it, plus the zones its calls follow. */
export interface ContactResult {
  contact_id: string;
  campaign_id: string;
  campaign_name: string;
  phone: string;
  state: string;
  outcome: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  variables: Record<string, string>;
  timezone: string | null;
  source_row: number | null;
  last_attempt_id: string | null;
  last_attempt_number: number | null;
  call_sid: string | null;
  last_call_status: string | null;
  answered_by: string | null;
  ring_duration_sec: number | null;
  talk_duration_sec: number | null;
  hangup_cause: string | null;
  hangup_source: string | null;
  sip_hangup_cause: string | null;
  conversation_id: string | null;
  recording_url: string | null;
  error_code: string | null;
  error_detail: string | null;
  dialed_at: Date | null;
  ringing_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  analyzed_at: Date | null;
  /** Why a pending contact waits: due now, for its calling window, or for a retry; null when not pending. */
  waiting: PendingReason | null;
  /** Post-call work on the last attempt (campaigns with a `conversation` block): pending, completed, timed_out; null when none. */
  conversation_state: string | null;
  /** The campaign's goal rule: true/false, null while unknown. */
  goal_met: boolean | null;
  /** The opt-out rule matched (the number went on a do-not-call list). */
  opted_out: boolean | null;
  insights_pending: number | null;
  /** [{role, text, at}] in spoken order; null when not read. */
  transcript: TranscriptEntry[] | null;
  /** Each insight: id, label (null when unlabeled), status, raw result text, parsed JSON (or null). */
  insights: InsightEntry[] | null;
  /** Label (or id when unlabeled) -> the parsed JSON result, else its text. */
  insight_results: Record<string, unknown> | null;
  /**
   * Not in the view: computed here, as the dialer does (contactTimezones), because zones guessed from
   * the number come from code (libphonenumber and our zone tables), not from SQL.
   */
  timezones: string[];
  /** `given` (the timezone column), `guessed` (from the number), or null when the number has no zone. */
  timezone_source: TimezoneSource | null;
}

export interface TranscriptEntry {
  role: string;
  text: string;
  at: string | null;
}

export interface InsightEntry {
  id: string;
  label: string | null;
  status: string;
  raw: string | null;
  parsed: unknown;
}

export interface ResultsPage {
  rows: ContactResult[];
  /** Pass back as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const maxPageSize = 5000;

/**
 * Narrows a results page or export: a contact state, an outcome, a goal result, the first digits of the phone number
 * (country code first; anything but digits is ignored, so "+1 (312) 555" finds +1312555...).
 */
export interface ResultsFilter {
  state?: string | null;
  outcome?: string | null;
  phoneStartsWith?: string | null;
  /** What the last answered call achieved: met, not_met, or unknown (no goal result). */
  goal?: GoalFilter | null;
}

export const goalFilters = ['met', 'not_met', 'unknown'] as const;
export type GoalFilter = (typeof goalFilters)[number];

/**
 * One page of a campaign's results in phone order. Keyset pagination on the (campaign_id, phone)
 * unique index: every page costs the same however deep, and memory stays flat for any size.
 */
export async function readResultsPage(
  pool: pg.Pool,
  campaignId: string,
  { after = null, limit = 1000, filter = {} }: { after?: string | null; limit?: number; filter?: ResultsFilter } = {},
): Promise<ResultsPage> {
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw new DialerError('invalid_input', `limit must be an integer from 1 to ${maxPageSize}`, 'limit');
  }
  const afterPhone = after === null ? null : decodeCursor(after);
  const { rows: viewRows } = await pool.query<Omit<ContactResult, 'timezones' | 'timezone_source'>>(
    `SELECT * FROM contact_result
      WHERE campaign_id = $1 AND ($2::text IS NULL OR phone > $2::text)
        AND ($4::text IS NULL OR state::text = $4::text)
        AND ($5::text IS NULL OR outcome = $5::text)
        AND ($6::text IS NULL OR (phone >= $6::text AND ($7::text IS NULL OR phone < $7::text)))
        AND ($8::text IS NULL OR ($8::text = 'met' AND goal_met) OR ($8::text = 'not_met' AND NOT goal_met) OR ($8::text = 'unknown' AND goal_met IS NULL))
      ORDER BY phone
      LIMIT $3`,
    [campaignId, afterPhone, limit + 1, filter.state || null, filter.outcome || null, ...phoneRange(filter.phoneStartsWith), filter.goal || null],
  );
  const hasMore = viewRows.length > limit;
  const page = (hasMore ? viewRows.slice(0, limit) : viewRows).map(withTimezones);
  return { rows: page, nextCursor: hasMore ? encodeCursor(page[page.length - 1]!.phone) : null };
}

/**
 * The numbers starting with the digits typed, as a range of the (campaign_id, phone) index: from "+digits"
 * up to the next prefix ("+1312" -> "+1313"; "+99" has none), so a search reads only the matching rows
 * in any collation (all phones are "+" and digits). A prefix, not "contains": a contains search reads
 * every contact of the campaign when few match (0.7 s at a million).
 */
function phoneRange(search: string | null | undefined): [string | null, string | null] {
  const digits = (search ?? '').replace(/\D/g, '');
  if (digits === '') return [null, null];
  const next = digits.replace(/9+$/, '');
  const upper = next === '' ? null : `+${next.slice(0, -1)}${Number(next.at(-1)) + 1}`;
  return [`+${digits}`, upper];
}

function withTimezones(row: Omit<ContactResult, 'timezones' | 'timezone_source'>): ContactResult {
  const { zones, source } = contactTimezonesWithSource(row.phone, row.timezone);
  return { ...row, timezones: zones, timezone_source: source };
}

function encodeCursor(phone: string): string {
  return Buffer.from(phone, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const phone = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\+\d{1,20}$/.test(phone)) throw new DialerError('invalid_input', 'cursor is not one this API returned', 'after');
  return phone;
}
