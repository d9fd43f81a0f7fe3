import { createHash } from 'node:crypto';
import { DialerError } from '../errors.ts';
import type { AttemptState } from '../generated/prisma/enums.ts';
import type { CallbackKind } from '../telnyx/callback-urls.ts';
import type { ParsedCallback } from './parse-callback-body.ts';
import { callStatusTransitions } from '../attempts/states.ts';

/** What one callback tells about its attempt, ready for the conditional UPDATE. */
export interface CallbackFacts {
  kind: CallbackKind;
  callSid: string | null;
  sequenceNumber: number | null;
  /** CallStatus for status callbacks; the event/status name for the other kinds when given. */
  status: string | null;
  /** Makes redeliveries recognisable; prefixed with the attempt id when stored. */
  dedupeSuffix: string;
  transition: { state: AttemptState; rank: number } | null;
  at: Date;
  ringingAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  analyzedAt: Date | null;
  answeredBy: string | null;
  ringDurationSec: number | null;
  talkDurationSec: number | null;
  hangupCause: string | null;
  hangupSource: string | null;
  sipHangupCause: string | null;
  conversationId: string | null;
  recordingUrl: string | null;
  errorCode: string | null;
  errorDetail: string | null;
}

const maxFieldLength = 2048;

/** Reads and validates one callback; throws DialerError('invalid_input') naming the bad field. */
export function readCallbackFacts(kind: CallbackKind, { payload, fields }: ParsedCallback, receivedAt: Date): CallbackFacts {
  const text = (...keys: string[]): string | null => {
    for (const key of keys) {
      const value = fields.get(key)?.trim();
      if (value) {
        if (value.length > maxFieldLength) throw new DialerError('invalid_input', `${key} is longer than ${maxFieldLength} characters`, key);
        return value;
      }
    }
    return null;
  };
  const time = (key: string): Date | null => {
    const value = text(key);
    if (value === null) return null;
    const parsed = parseTimestamp(value);
    if (!parsed) throw new DialerError('invalid_input', `${key} "${value}" is neither ISO 8601 nor RFC 2822`, key);
    return parsed;
  };

  const sequenceText = text('SequenceNumber', 'sequence_number');
  if (sequenceText !== null && !/^\d{1,9}$/.test(sequenceText)) {
    throw new DialerError('invalid_input', `SequenceNumber "${sequenceText}" is not a non-negative integer`, 'SequenceNumber');
  }
  const sequenceNumber = sequenceText === null ? null : Number(sequenceText);
  const at = time('Timestamp') ?? time('occurred_at') ?? receivedAt;
  const base = {
    kind,
    callSid: text('CallSid', 'call_sid'),
    sequenceNumber,
    at,
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    analyzedAt: null,
    answeredBy: null,
    ringDurationSec: null,
    talkDurationSec: null,
    hangupCause: null,
    hangupSource: null,
    sipHangupCause: null,
    conversationId: null,
    recordingUrl: null,
    errorCode: text('ErrorCode'),
    errorDetail: text('ErrorMessage'),
    transition: null,
  } satisfies Partial<CallbackFacts>;

  if (kind === 'status') {
    const status = text('CallStatus');
    if (status === null) throw new DialerError('invalid_input', 'CallStatus is missing', 'CallStatus');
    const transition = callStatusTransitions[status];
    if (!transition) throw new DialerError('invalid_input', `CallStatus "${status}" is not a Telnyx call status`, 'CallStatus');
    const facts: CallbackFacts = {
      ...base,
      status,
      dedupeSuffix: `status:${sequenceNumber ?? '-'}:${status}`,
      transition: transition === 'analyzed' ? null : transition,
      recordingUrl: text('RecordingUrl'),
    };
    if (transition === 'analyzed') return { ...facts, analyzedAt: at };
    if (transition.state === 'ringing') return { ...facts, ringingAt: at };
    if (transition.state === 'in_progress') return { ...facts, answeredAt: at };
    if (transition.rank < 5) return facts;
    return withTerminalDetails(facts, text, time);
  }

  const dedupeSuffix = `${kind}:${hashPayload(payload)}`;
  if (kind === 'amd') {
    const answeredBy = text('AnsweredBy', 'answered_by', 'result');
    if (answeredBy === null) throw new DialerError('invalid_input', 'AnsweredBy is missing', 'AnsweredBy');
    return { ...base, status: answeredBy, dedupeSuffix, answeredBy };
  }
  if (kind === 'conversation') {
    return { ...base, status: text('event_type', 'ConversationStatus', 'EventType'), dedupeSuffix, conversationId: text('conversation_id', 'ConversationId') };
  }
  return {
    ...base,
    status: text('RecordingStatus', 'recording_status', 'status'),
    dedupeSuffix,
    recordingUrl: text('RecordingUrl', 'recording_url', 'RecordingUrlMp3', 'RecordingUrlWav', 'url'),
  };
}

function withTerminalDetails(facts: CallbackFacts, text: (...keys: string[]) => string | null, time: (key: string) => Date | null): CallbackFacts {
  const startedAt = time('StartTime');
  const answeredAt = time('AnsweredTime');
  const endedAt = time('EndTime') ?? facts.at;
  const callDuration = text('CallDuration');
  const talkFromTimes = answeredAt ? secondsBetween(answeredAt, endedAt) : null;
  return {
    ...facts,
    answeredAt,
    endedAt,
    // Ringing lasts from the start until someone answered or the call gave up.
    ringDurationSec: startedAt ? secondsBetween(startedAt, answeredAt ?? endedAt) : null,
    talkDurationSec: facts.transition?.state === 'completed' && callDuration !== null && /^\d{1,9}$/.test(callDuration) ? Number(callDuration) : talkFromTimes,
    hangupCause: text('HangupCause'),
    hangupSource: text('HangupSource'),
    sipHangupCause: text('SipHangupCause'),
  };
}

function secondsBetween(from: Date, to: Date): number | null {
  const seconds = Math.round((to.getTime() - from.getTime()) / 1000);
  return seconds >= 0 ? seconds : null;
}

/** ISO 8601 or RFC 2822 (both seen from Telnyx); null for anything else. */
export function parseTimestamp(value: string): Date | null {
  const looksLikeIso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const looksLikeRfc2822 = /^([A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(:\d{2})?\s*([+-]\d{4}|[A-Z]{1,5})?$/.test(value);
  if (!looksLikeIso && !looksLikeRfc2822) return null;
  const parsed = new Date(looksLikeIso && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) && value.length > 10 ? `${value}Z` : value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

function hashPayload(payload: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('base64url');
}

// Key order must not make a redelivery look new.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
