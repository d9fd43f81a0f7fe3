/**
 * The callbacks Telnyx sends for an outbound AI call, as flat string maps ready for form encoding
 * (status callbacks: https://developers.telnyx.com/api-reference/callbacks/texml-call-initiated and its
 * ringing / answered / completed siblings; AMD:
 * https://developers.telnyx.com/docs/voice/programmable-voice/texml-answering-machine; what those pages
 * leave open, e.g. `analyzed` and the timestamp forms: docs/telnyx-notes.md). The simulator sends
 * them; receiver tests build them directly.
 */

export type CallStatus = 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'canceled' | 'failed' | 'analyzed';
export type TerminalCallStatus = 'completed' | 'busy' | 'no-answer' | 'canceled' | 'failed';
export type AnsweredBy = 'human' | 'machine_start' | 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' | 'fax' | 'unknown';
export type RecordingStatus = 'in-progress' | 'completed' | 'absent';

/** Both forms have been seen in the wild; receivers must parse either. */
export type TimestampStyle = 'iso8601' | 'rfc2822';

/** What every callback of one call repeats. */
export interface CallIdentity {
  accountSid: string;
  callSid: string;
  callSidLegacy: string;
  connectionId: string;
  callSessionId: string;
  callLegId: string;
  from: string;
  to: string;
  callerId?: string;
  initiatedAt: Date;
}

export interface StatusCallbackFacts {
  status: CallStatus;
  sequenceNumber: number;
  at: Date;
  timestampStyle?: TimestampStyle;
  answeredAt?: Date;
  endedAt?: Date;
  answeredBy?: AnsweredBy;
  hangupCause?: string;
  hangupSource?: string;
  sipHangupCause?: string;
  errorCode?: string;
  errorMessage?: string;
  recordingUrl?: string;
  recordingDurationSeconds?: number;
  codec?: string;
}

export function formatTimestamp(at: Date, style: TimestampStyle = 'iso8601'): string {
  return style === 'iso8601' ? at.toISOString() : at.toUTCString().replace('GMT', '+0000');
}

export function makeStatusCallbackPayload(call: CallIdentity, facts: StatusCallbackFacts): Record<string, string> {
  const style = facts.timestampStyle;
  const terminal = isTerminalStatus(facts.status);
  const endedAt = facts.endedAt ?? facts.at;
  return compact({
    AccountSid: call.accountSid,
    CallSid: call.callSid,
    CallSidLegacy: call.callSidLegacy,
    CallStatus: facts.status,
    CallbackSource: 'call-progress-events',
    ConnectionId: call.connectionId,
    From: call.from,
    To: call.to,
    CallerId: call.callerId,
    SequenceNumber: String(facts.sequenceNumber),
    Timestamp: formatTimestamp(facts.at, style),
    CallInitiatedAt: formatTimestamp(call.initiatedAt, style),
    ErrorCode: facts.errorCode,
    ErrorMessage: facts.errorMessage,
    AnsweredBy: facts.answeredBy,
    Codec: facts.status === 'in-progress' ? (facts.codec ?? 'PCMU') : undefined,
    SamplingRate: facts.status === 'in-progress' ? '8000' : undefined,
    ...(terminal
      ? {
          CallDuration: String(facts.answeredAt ? Math.max(0, Math.round((endedAt.getTime() - facts.answeredAt.getTime()) / 1000)) : 0),
          StartTime: formatTimestamp(call.initiatedAt, style),
          EndTime: formatTimestamp(endedAt, style),
          AnsweredTime: facts.answeredAt ? formatTimestamp(facts.answeredAt, style) : undefined,
          HangupCause: facts.hangupCause,
          HangupSource: facts.hangupSource,
          SipHangupCause: facts.sipHangupCause,
          CallSessionId: call.callSessionId,
          CallLegId: call.callLegId,
          RecordingUrl: facts.recordingUrl,
          RecordingDuration: facts.recordingDurationSeconds === undefined ? undefined : String(facts.recordingDurationSeconds),
        }
      : {}),
  });
}

export function makeAmdCallbackPayload(call: CallIdentity, facts: { answeredBy: AnsweredBy; detectionDurationMs: number }): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    CallSid: call.callSid,
    CallSidLegacy: call.callSidLegacy,
    ConnectionId: call.connectionId,
    AnsweredBy: facts.answeredBy,
    MachineDetectionDuration: String(facts.detectionDurationMs),
  };
}

// Key names beyond AccountSid/CallSid/ConnectionId are unconfirmed (TwiML-style); receivers keep the raw payload.
export function makeRecordingCallbackPayload(
  call: CallIdentity,
  facts: { status: RecordingStatus; recordingSid: string; recordingUrl?: string; durationSeconds?: number; channels: string; startedAt?: Date },
): Record<string, string> {
  return compact({
    AccountSid: call.accountSid,
    CallSid: call.callSid,
    ConnectionId: call.connectionId,
    RecordingSid: facts.recordingSid,
    RecordingStatus: facts.status,
    RecordingUrl: facts.recordingUrl,
    RecordingDuration: facts.durationSeconds === undefined ? undefined : String(facts.durationSeconds),
    RecordingChannels: facts.channels === 'dual' ? '2' : '1',
    RecordingSource: 'StartCallRecordingAPI',
    RecordingStartTime: facts.startedAt?.toISOString(),
  });
}

export interface ConversationCallback {
  data: {
    event_type: 'call.conversation.created' | 'call.conversation.ended';
    id: string;
    occurred_at: string;
    record_type: 'event';
    payload: Record<string, string | number>;
  };
}

/** The documented Call Control shape (JSON); the exact TeXML form is unconfirmed. */
export function makeConversationCallbackPayload(
  call: CallIdentity,
  facts: { event: 'created' | 'ended'; eventId: string; conversationId: string; at: Date; assistantId: string; durationSeconds?: number },
): ConversationCallback {
  const common = { call_control_id: call.callSid, call_session_id: call.callSessionId, call_leg_id: call.callLegId, conversation_id: facts.conversationId };
  const ended: Record<string, string | number> =
    facts.event === 'ended'
      ? {
          assistant_id: facts.assistantId,
          duration_sec: facts.durationSeconds ?? 0,
          from: call.from,
          to: call.to,
          llm_model: 'simulated-llm',
          stt_model: 'simulated-stt',
          tts_provider: 'simulated',
          tts_voice_id: 'simulated-voice',
        }
      : {};
  return {
    data: {
      event_type: facts.event === 'created' ? 'call.conversation.created' : 'call.conversation.ended',
      id: facts.eventId,
      occurred_at: facts.at.toISOString(),
      record_type: 'event',
      payload: { ...common, ...ended },
    },
  };
}

/** For a GET conversation callback: the JSON flattened into query keys (event_type, id, occurred_at, payload keys). */
export function flattenConversationCallback(callback: ConversationCallback): Record<string, string> {
  const { payload, ...top } = callback.data;
  return Object.fromEntries([...Object.entries(top), ...Object.entries(payload)].map(([key, value]) => [key, String(value)]));
}

export function formEncode(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function isTerminalStatus(status: string): status is TerminalCallStatus {
  return status === 'completed' || status === 'busy' || status === 'no-answer' || status === 'canceled' || status === 'failed';
}

function compact(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
