import type { ContactResult } from './read-results-page.ts';

/** The fixed columns of a results export, in order; the contact's dynamic variables follow. */
export const resultColumns = [
  'phone',
  'state',
  'outcome',
  'attempts',
  'waiting',
  'next_attempt_at',
  'timezones',
  'timezone_source',
  'call_sid',
  'last_call_status',
  'answered_by',
  'ring_duration_sec',
  'talk_duration_sec',
  'hangup_cause',
  'hangup_source',
  'sip_hangup_cause',
  'conversation_id',
  'recording_url',
  'error_code',
  'error_detail',
  'dialed_at',
  'ringing_at',
  'answered_at',
  'ended_at',
  'analyzed_at',
  'source_row',
  'contact_id',
] as const satisfies readonly (keyof ContactResult)[];

/** Column name for a dynamic variable: its own name, unless that would shadow a fixed column. */
export function variableColumn(key: string): string {
  return (resultColumns as readonly string[]).includes(key) ? `variable_${key}` : key;
}
