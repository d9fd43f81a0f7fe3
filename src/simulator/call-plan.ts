import {
  flattenConversationCallback,
  formEncode,
  makeAmdCallbackPayload,
  makeConversationCallbackPayload,
  makeRecordingCallbackPayload,
  makeStatusCallbackPayload,
  type AnsweredBy,
  type CallIdentity,
  type CallStatus,
  type TerminalCallStatus,
  type TimestampStyle,
} from '../telnyx/callback-payloads.ts';
import type { CallbackKind } from '../telnyx/callback-urls.ts';
import type { CallOutcome } from './simulator-options.ts';

/** What the simulator sends: the callbacks of a call, and the insight group's webhook. */
export type SimulatedCallbackKind = CallbackKind | 'insights';

/** One callback to send: to every URL listed, after `delayMs` from the previous step. */
export interface PlannedCallback {
  kind: SimulatedCallbackKind;
  urls: string[];
  method: 'GET' | 'POST';
  /** Form-encoded (or JSON for POSTed conversation callbacks). */
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  /** The same fields for a GET (query string). */
  query: string;
  delayMs: number;
  callStatus?: CallStatus;
  sequenceNumber?: number;
}

interface Step {
  status?: CallStatus;
  extra?: 'amd' | 'conversation_created' | 'conversation_ended' | 'recording';
  delayMs: number;
}

const hangups: Record<Exclude<CallOutcome, 'voicemail'>, { cause: string; source: string; sip: string }> = {
  completed: { cause: 'normal_clearing', source: 'callee', sip: '200' },
  'no-answer': { cause: 'timeout', source: 'unknown', sip: '480' },
  busy: { cause: 'user_busy', source: 'callee', sip: '486' },
  failed: { cause: 'destination_out_of_order', source: 'unknown', sip: '502' },
  canceled: { cause: 'originator_cancel', source: 'caller', sip: '487' },
};

/**
 * The callbacks one call produces, in Telnyx's order: initiated, ringing, in-progress (answered calls),
 * exactly one terminal status, then analyzed; AMD after the answer when detection is on, conversation
 * created/ended around an answered call, recording after the end. Only listed status events are sent;
 * SequenceNumber counts the status callbacks actually sent, from 0.
 */
export function makeCallPlan(input: {
  call: CallIdentity;
  body: Record<string, unknown>;
  outcome: CallOutcome;
  /** Set when the account's concurrent-call limit made the call fail. */
  overConcurrencyLimit: boolean;
  startedAt: number;
  callbackDelayMs: number;
  callDurationMs: number;
  timestampStyle: TimestampStyle;
  makeId: () => string;
  /** The id of the call's AI conversation (the conversation callbacks name it); default a new one. */
  conversationId?: string;
}): PlannedCallback[] {
  const { call, body, timestampStyle } = input;
  const { steps, answered, terminal, answeredBy } = planSteps(input);

  const wanted = requestedStatuses(body.StatusCallbackEvent);
  const statusUrls = urlsOf(body.StatusCallback, body.StatusCallbacks);
  const conversationUrls = urlsOf(body.ConversationCallback, body.ConversationCallbacks);
  const conversationId = input.conversationId ?? input.makeId();
  let at = input.startedAt;
  let answeredAt: Date | undefined;
  let sequenceNumber = 0;
  const planned: PlannedCallback[] = [];
  let pendingDelay = 0;

  for (const step of steps) {
    at += step.delayMs;
    pendingDelay += step.delayMs;
    const when = new Date(at);
    if (step.status === 'in-progress') answeredAt = when;
    const add = (kind: CallbackKind, urls: string[], method: unknown, fields: Record<string, string>, extra: Partial<PlannedCallback> = {}) => {
      if (urls.length === 0) return;
      const query = formEncode(fields);
      planned.push({
        kind,
        urls,
        method: method === 'GET' ? 'GET' : 'POST',
        body: query,
        query,
        contentType: 'application/x-www-form-urlencoded',
        delayMs: pendingDelay,
        ...extra,
      });
      pendingDelay = 0;
    };
    if (step.status) {
      if (!wanted.has(step.status)) continue;
      const hangup =
        terminal === step.status ? (input.overConcurrencyLimit ? { cause: 'call_rejected', source: 'unknown', sip: '403' } : hangups[terminal]) : undefined;
      const fields = makeStatusCallbackPayload(call, {
        status: step.status,
        sequenceNumber,
        at: when,
        timestampStyle,
        answeredAt,
        endedAt: when,
        answeredBy: step.status === 'in-progress' || hangup ? answeredBy : undefined,
        hangupCause: hangup?.cause,
        hangupSource: hangup?.source,
        sipHangupCause: hangup?.sip,
        errorCode: input.overConcurrencyLimit && hangup ? '90018' : undefined,
        errorMessage: input.overConcurrencyLimit && hangup ? 'Account concurrent call limit reached' : undefined,
        recordingUrl: hangup && answered && body.Record === true ? recordingUrlOf(call) : undefined,
        recordingDurationSeconds: hangup && answered && body.Record === true ? Math.round(input.callDurationMs / 1000) : undefined,
      });
      add('status', statusUrls, body.StatusCallbackMethod, fields, { callStatus: step.status, sequenceNumber });
      if (statusUrls.length > 0) sequenceNumber += 1;
    } else if (step.extra === 'amd' && answeredBy) {
      add(
        'amd',
        urlsOf(body.AsyncAmdStatusCallback),
        body.AsyncAmdStatusCallbackMethod,
        makeAmdCallbackPayload(call, { answeredBy, detectionDurationMs: answeredBy === 'human' ? 1800 : 4200 }),
      );
    } else if (step.extra === 'recording') {
      const fields = makeRecordingCallbackPayload(call, {
        status: 'completed',
        recordingSid: `RE${input.makeId().replace(/-/g, '')}`,
        recordingUrl: recordingUrlOf(call),
        durationSeconds: Math.round(input.callDurationMs / 1000),
        channels: typeof body.RecordingChannels === 'string' ? body.RecordingChannels : 'mono',
        startedAt: answeredAt,
      });
      add('recording', urlsOf(body.RecordingStatusCallback), body.RecordingStatusCallbackMethod, fields);
    } else if (step.extra === 'conversation_created' || step.extra === 'conversation_ended') {
      if (conversationUrls.length === 0) continue;
      const event = step.extra === 'conversation_created' ? 'created' : 'ended';
      const payload = makeConversationCallbackPayload(call, {
        event,
        eventId: input.makeId(),
        conversationId,
        at: when,
        assistantId: String(body.AIAssistantId),
        durationSeconds: Math.round(input.callDurationMs / 1000),
      });
      const method = body.ConversationCallbackMethod === 'GET' ? 'GET' : 'POST';
      planned.push({
        kind: 'conversation',
        urls: conversationUrls,
        method,
        body: method === 'GET' ? '' : JSON.stringify(payload),
        query: formEncode(flattenConversationCallback(payload)),
        contentType: 'application/json',
        delayMs: pendingDelay,
      });
      pendingDelay = 0;
    }
  }
  return planned;
}

interface CallSteps {
  steps: Step[];
  answered: boolean;
  terminal: TerminalCallStatus;
  answeredBy: AnsweredBy | undefined;
}

function planSteps(input: {
  body: Record<string, unknown>;
  outcome: CallOutcome;
  overConcurrencyLimit: boolean;
  callbackDelayMs: number;
  callDurationMs: number;
}): CallSteps {
  const { body, outcome, callbackDelayMs: gap } = input;
  const answered = !input.overConcurrencyLimit && (outcome === 'completed' || outcome === 'voicemail');
  const terminal = input.overConcurrencyLimit ? 'failed' : outcome === 'voicemail' ? 'completed' : outcome;
  const amdOn = typeof body.MachineDetection === 'string' && body.MachineDetection !== 'Disable';
  const answeredBy: AnsweredBy | undefined = amdOn && answered ? (outcome === 'voicemail' ? 'machine_end_beep' : 'human') : undefined;

  const steps: Step[] = [{ status: 'initiated', delayMs: gap }];
  if (terminal !== 'busy' && terminal !== 'failed') steps.push({ status: 'ringing', delayMs: gap });
  if (answered) {
    steps.push({ status: 'in-progress', delayMs: gap });
    if (answeredBy) steps.push({ extra: 'amd', delayMs: gap });
    steps.push({ extra: 'conversation_created', delayMs: gap });
    steps.push({ extra: 'conversation_ended', delayMs: input.callDurationMs });
  }
  steps.push({ status: terminal, delayMs: gap });
  if (answered && body.Record === true) steps.push({ extra: 'recording', delayMs: gap });
  steps.push({ status: 'analyzed', delayMs: gap });
  return { steps, answered, terminal, answeredBy };
}

/** When one call is answered and ends, in ms after it was placed, on the same schedule as its callbacks. */
export interface CallTimeline {
  /** Undefined for a call nobody answered. */
  answeredAfterMs?: number;
  endedAfterMs: number;
  terminal: TerminalCallStatus;
  /** What AMD said, when detection was on and the call was answered. */
  answeredBy?: AnsweredBy;
}

export function makeCallTimeline(input: Parameters<typeof planSteps>[0]): CallTimeline {
  const { steps, terminal, answeredBy } = planSteps(input);
  let at = 0;
  let answeredAfterMs: number | undefined;
  let endedAfterMs = 0;
  for (const step of steps) {
    at += step.delayMs;
    if (step.status === 'in-progress') answeredAfterMs = at;
    if (step.status === terminal) {
      endedAfterMs = at;
      break;
    }
  }
  return { ...(answeredAfterMs === undefined ? {} : { answeredAfterMs }), endedAfterMs, terminal, ...(answeredBy ? { answeredBy } : {}) };
}

// 'answered' is the name of the event whose CallStatus is 'in-progress'; Telnyx's default is 'completed' only.
function requestedStatuses(events: unknown): Set<CallStatus> {
  const words = typeof events === 'string' ? events.split(/\s+/).filter(Boolean) : ['completed'];
  return new Set(words.map((word) => (word === 'answered' ? 'in-progress' : word)) as CallStatus[]);
}

function urlsOf(...values: unknown[]): string[] {
  const urls = values.flatMap((value) => (Array.isArray(value) ? value : [value])).filter((url): url is string => typeof url === 'string');
  return [...new Set(urls)];
}

function recordingUrlOf(call: CallIdentity): string {
  return `https://simulator.invalid/recordings/${encodeURIComponent(call.callSid)}.mp3`;
}
