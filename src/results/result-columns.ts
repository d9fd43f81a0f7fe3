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
  'conversation_state',
  'goal_met',
  'opted_out',
  'insights_pending',
  'source_row',
  'contact_id',
] as const satisfies readonly (keyof ContactResult)[];

/** The CSV's one column of the transcript, `role: text` per line. */
export const transcriptColumn = 'transcript';

/**
 * Names an insight label may not take (campaign config): the fixed columns, the transcript column and
 * the JSON-only keys of a result.
 */
export const reservedResultNames: readonly string[] = [...resultColumns, transcriptColumn, 'variables', 'insights', 'insight_results'];

/**
 * The CSV's columns before the variables: the fixed ones, with one column per insight label (its result
 * text) and the transcript placed before source_row and contact_id.
 */
export function csvFixedColumns(labels: readonly string[]): string[] {
  const tail = resultColumns.indexOf('source_row');
  return [...resultColumns.slice(0, tail), ...labels, transcriptColumn, ...resultColumns.slice(tail)];
}

/** Column name for a dynamic variable: its own name, unless that would shadow a fixed column or an insight label. */
export function variableColumn(key: string, labels: readonly string[] = []): string {
  return (resultColumns as readonly string[]).includes(key) || key === transcriptColumn || labels.includes(key) ? `variable_${key}` : key;
}
