import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-io.ts';
import { makeTelnyxError } from './telnyx-error.ts';

/**
 * Telnyx's AI conversations, as the simulator keeps one for every call a person answered
 * (https://developers.telnyx.com/api-reference/conversations/list-conversations, "Get conversation
 * messages", "Get insights for a conversation"): found by `metadata->call_control_id=eq.{call_sid}`,
 * a transcript paged with `page[number]`/`page[size]`, and insights (one JSON-schema template, one
 * text template) that complete some time after the call. Each is written from the contact's dynamic
 * variables, and three of them steer it (tests use them): `sim_confirmed` (yes/no: the JSON insight's
 * `confirmed`), `sim_opt_out` (yes: its `opt_out`) and `sim_insights` (`fail`: the insights fail,
 * `never`: they never finish).
 */

/** The JSON-schema insight template: `{confirmed, opt_out, callback_requested}`. */
export const simulatedOutcomeInsightId = 'sim-insight-outcome';
/** The text insight template: a one-line summary. */
export const simulatedSummaryInsightId = 'sim-insight-summary';

export interface ConversationOptions {
  /** Messages in each transcript (at least 4). Default 12. */
  messages?: number;
  /** A conversation stays invisible (absent from the list, 404 by id) this long after its call ended. Default 0. */
  visibilityDelayMs?: number;
  /** Insights finish this long after the call ended (pending, then in_progress halfway). Default 50 ms. */
  insightsDelayMs?: number;
  /** Share of contacts (0..1) who ask never to be called again (without `sim_opt_out`). Default 0. */
  optOutRate?: number;
  /** Share of conversations (0..1) whose insights fail / never finish. Default 0. */
  insightsFailRate?: number;
  insightsNeverRate?: number;
  /** Share of conversation GETs (0..1) answered 429 (10011) / 500 (10007). Default 0. */
  rateLimitedRate?: number;
  serverErrorRate?: number;
  /**
   * The insight group's webhook URL: when set, `call.conversation_insights.generated` is POSTed there
   * (signed, JSON) once a conversation's insights complete. Default none.
   */
  insightsWebhookUrl?: string;
  /** Largest page of messages served; a larger page[size] gets this many. Default 100. */
  maxPageSize?: number;
  /** Time before each conversation GET is answered (so reads overlap as they would over a network). Default 0. */
  latencyMs?: number;
}

export interface SimulatedMessage {
  role: 'assistant' | 'user';
  text: string;
  at: number;
}

export interface SimulatedConversation {
  id: string;
  callSid: string;
  assistantId: string;
  to: string;
  createdAt: number;
  /** When the call ended (ms); its conversation becomes visible visibilityDelayMs later. */
  endedAt: number;
  messages: SimulatedMessage[];
  insightsFate: 'complete' | 'fail' | 'never';
  /** What the JSON insight says. */
  outcome: { confirmed: boolean; opt_out: boolean; callback_requested: boolean };
  insightRunId: string;
}

/** Every conversation GET, in arrival order. */
export interface SimulatorConversationRequest {
  at: number;
  url: string;
  status: number;
  /** When it was answered (0 while in flight): with `at`, how many were in flight at once. */
  answeredAt: number;
}

/** The `call.conversation_insights.generated` webhook body (no conversation id: matched by call_control_id). */
export function makeInsightsWebhookBody(
  conversation: SimulatedConversation,
  identity: { connectionId: string; callSessionId: string; callLegId: string },
  results: { insight_id: string; result: string }[],
  at: Date,
): string {
  return JSON.stringify({
    data: {
      event_type: 'call.conversation_insights.generated',
      id: randomUUID(),
      occurred_at: at.toISOString(),
      record_type: 'event',
      payload: {
        call_control_id: conversation.callSid,
        connection_id: identity.connectionId,
        call_leg_id: identity.callLegId,
        call_session_id: identity.callSessionId,
        insight_group_id: 'sim-insight-group',
        results,
      },
    },
  });
}

export interface ConversationStore {
  conversations: Map<string, SimulatedConversation>;
  requests: SimulatorConversationRequest[];
  /** Keeps the conversation of a call answered by a person. */
  add(input: { id: string; callSid: string; body: Record<string, unknown>; answeredAt: number; endedAt: number }): SimulatedConversation;
  /** The insights of a conversation as they stand at `nowMs`: undefined while not finished. */
  finishedInsights(
    conversation: SimulatedConversation,
    nowMs: number,
  ): { status: 'completed' | 'failed'; results: { insight_id: string; result: string }[] } | undefined;
  /** GET /v2/ai/conversations...: true when the path was one of ours. */
  serve(request: IncomingMessage, response: ServerResponse, arrivedAt: number): boolean;
}

export function makeConversationStore(options: ConversationOptions, random: () => number, apiKey: string, now: () => number = Date.now): ConversationStore {
  const conversations = new Map<string, SimulatedConversation>();
  const byCallSid = new Map<string, SimulatedConversation>();
  const requests: SimulatorConversationRequest[] = [];
  const messageCount = Math.max(4, options.messages ?? 12);
  const visibilityDelayMs = options.visibilityDelayMs ?? 0;
  const insightsDelayMs = options.insightsDelayMs ?? 50;
  const maxPageSize = options.maxPageSize ?? 100;

  // Draws only when a rate is on, so seeded outcomes of the dial path stay what they were without it.
  const draw = (rate: number | undefined) => (rate ?? 0) > 0 && random() < rate!;

  function add(input: { id: string; callSid: string; body: Record<string, unknown>; answeredAt: number; endedAt: number }): SimulatedConversation {
    const variables = stringRecord(input.body.AIAssistantDynamicVariables);
    const steer = (name: string) => variables[name]?.trim().toLowerCase();
    // Without a steering variable the result follows the call's id (stable, and no random draw).
    const hash = createHash('sha256').update(input.callSid).digest();
    const confirmed = steer('sim_confirmed') === undefined ? hash[0]! < 180 : steer('sim_confirmed') === 'yes';
    const optOut = steer('sim_opt_out') === undefined ? hash[1]! < (options.optOutRate ?? 0) * 256 : steer('sim_opt_out') === 'yes';
    const fate =
      steer('sim_insights') === 'fail' || draw(options.insightsFailRate)
        ? 'fail'
        : steer('sim_insights') === 'never' || draw(options.insightsNeverRate)
          ? 'never'
          : 'complete';
    const conversation: SimulatedConversation = {
      id: input.id,
      callSid: input.callSid,
      assistantId: String(input.body.AIAssistantId ?? ''),
      to: String(input.body.To ?? ''),
      createdAt: input.answeredAt,
      endedAt: input.endedAt,
      messages: writeTranscript(variables, { confirmed, optOut }, messageCount, input.answeredAt, input.endedAt),
      insightsFate: fate,
      outcome: { confirmed: confirmed && !optOut, opt_out: optOut, callback_requested: !confirmed && !optOut },
      insightRunId: randomUUID(),
    };
    conversations.set(conversation.id, conversation);
    byCallSid.set(conversation.callSid, conversation);
    return conversation;
  }

  function finishedInsights(conversation: SimulatedConversation, nowMs: number) {
    if (nowMs < conversation.endedAt + insightsDelayMs || conversation.insightsFate === 'never') return undefined;
    if (conversation.insightsFate === 'fail') return { status: 'failed' as const, results: [] };
    const name = conversation.messages.find((message) => message.role === 'user')?.text ?? '';
    const summary = conversation.outcome.opt_out
      ? 'The contact asked not to be called again.'
      : conversation.outcome.confirmed
        ? `The contact confirmed the appointment. First reply: "${name}"`
        : 'The contact did not confirm and asked for a call back.';
    return {
      status: 'completed' as const,
      results: [
        { insight_id: simulatedOutcomeInsightId, result: JSON.stringify(conversation.outcome) },
        { insight_id: simulatedSummaryInsightId, result: summary },
      ],
    };
  }

  function serve(request: IncomingMessage, response: ServerResponse, arrivedAt: number): boolean {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const match = /^\/v2\/ai\/conversations(?:\/([^/]+)(?:\/(messages|conversations-insights))?)?$/.exec(url.pathname);
    if (request.method !== 'GET' || !match) return false;
    const entry: SimulatorConversationRequest = { at: arrivedAt, url: `${url.pathname}${url.search}`, status: 0, answeredAt: 0 };
    requests.push(entry);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const send = () => {
        entry.answeredAt = now();
        sendJson(response, status, body, headers, entry);
      };
      if (options.latencyMs) setTimeout(send, options.latencyMs);
      else send();
    };
    const notFound = (detail: string) => answer(404, { errors: [makeTelnyxError('10005', detail)] });
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      answer(401, { errors: [makeTelnyxError('10009', 'The API key is missing or invalid.')] });
      return true;
    }
    if (draw(options.rateLimitedRate)) {
      answer(
        429,
        { errors: [makeTelnyxError('10011', 'Too many requests.')] },
        { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' },
      );
      return true;
    }
    if (draw(options.serverErrorRate)) {
      answer(500, { errors: [makeTelnyxError('10007', 'An unexpected error occurred.')] });
      return true;
    }
    const visible = (conversation: SimulatedConversation) => arrivedAt >= conversation.endedAt + visibilityDelayMs;
    const [, id, part] = match;
    if (id === undefined) {
      // PostgREST-style filter; other filters (created_at, order, limit) are accepted and ignored.
      const filter = url.searchParams.get('metadata->call_control_id');
      const callSid = filter?.startsWith('eq.') ? filter.slice(3) : undefined;
      const found = callSid === undefined ? [...conversations.values()] : [byCallSid.get(callSid)].filter((item) => item !== undefined);
      answer(200, { data: found.filter(visible).map(render) });
      return true;
    }
    const conversation = conversations.get(decodeURIComponent(id));
    if (!conversation || !visible(conversation)) {
      notFound(`Conversation ${decodeURIComponent(id)} was not found.`);
      return true;
    }
    if (part === undefined) answer(200, { data: render(conversation) });
    else if (part === 'messages') serveMessages(conversation, url.searchParams, answer);
    else serveInsights(conversation, arrivedAt, answer);
    return true;
  }

  function serveMessages(conversation: SimulatedConversation, params: URLSearchParams, answer: (status: number, body: unknown) => void): void {
    const number = Number(params.get('page[number]') ?? '1');
    const asked = Number(params.get('page[size]') ?? '20');
    if (!Number.isInteger(number) || number < 1 || !Number.isInteger(asked) || asked < 1) {
      answer(422, { errors: [makeTelnyxError('10015', 'page[number] and page[size] must be whole numbers from 1')] });
      return;
    }
    // A larger page than the API serves is cut to its largest (meta.page_size says which).
    const size = Math.min(asked, maxPageSize);
    // Newest first, as a chat API pages: a client must order by the times itself.
    const ordered = [...conversation.messages].reverse();
    const totalPages = Math.max(1, Math.ceil(ordered.length / size));
    const page = ordered.slice((number - 1) * size, number * size);
    answer(200, {
      data: page.map((message) => ({
        role: message.role,
        text: message.text,
        created_at: new Date(message.at).toISOString(),
        sent_at: new Date(message.at).toISOString(),
        metadata: {},
      })),
      meta: { page_number: number, page_size: size, total_pages: totalPages, total_results: ordered.length },
    });
  }

  function serveInsights(conversation: SimulatedConversation, nowMs: number, answer: (status: number, body: unknown) => void): void {
    const finished = finishedInsights(conversation, nowMs);
    const status = finished?.status ?? (nowMs >= conversation.endedAt + insightsDelayMs / 2 ? 'in_progress' : 'pending');
    answer(200, {
      data: [
        {
          id: conversation.insightRunId,
          created_at: new Date(conversation.endedAt).toISOString(),
          status,
          conversation_insights: finished?.results ?? [],
        },
      ],
      meta: { page_number: 1, page_size: 20, total_pages: 1, total_results: 1 },
    });
  }

  return { conversations, requests, add, finishedInsights, serve };
}

function render(conversation: SimulatedConversation) {
  return {
    id: conversation.id,
    name: `Call ${conversation.callSid}`,
    created_at: new Date(conversation.createdAt).toISOString(),
    last_message_at: new Date(conversation.messages.at(-1)?.at ?? conversation.endedAt).toISOString(),
    metadata: {
      call_control_id: conversation.callSid,
      assistant_id: conversation.assistantId,
      telnyx_end_user_target: conversation.to,
      telnyx_conversation_channel: 'phone_call',
    },
  };
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** A plausible call, from the contact's variables: greeting, the variables read back, then the answer that decides the insights. */
function writeTranscript(
  variables: Record<string, string>,
  outcome: { confirmed: boolean; optOut: boolean },
  count: number,
  startMs: number,
  endMs: number,
): SimulatedMessage[] {
  const name = variables.first_name ?? variables.name ?? 'there';
  const facts = Object.entries(variables).filter(([key]) => !key.startsWith('sim_'));
  const opening: [SimulatedMessage['role'], string][] = [
    ['assistant', `Hello ${name}, this is the assistant of ${variables.clinic_name ?? variables.company ?? 'our office'} calling about your appointment.`],
    ['user', `Hi, yes, this is ${name}.`],
  ];
  const middle: [SimulatedMessage['role'], string][] = [];
  for (let index = 0; middle.length < count - 4; index += 1) {
    const fact = facts[index % Math.max(1, facts.length)];
    middle.push(['assistant', fact ? `I have your ${fact[0].replace(/_/g, ' ')} as ${fact[1]}. Is that right?` : 'Is this still a good time to talk?']);
    middle.push(['user', index % 3 === 2 ? 'Sorry, could you repeat that?' : 'Yes, that is right.']);
  }
  const closing: [SimulatedMessage['role'], string][] = [
    ['assistant', outcome.optOut ? 'I understand. Shall we take you off our list?' : 'Can you confirm you will come to the appointment?'],
    [
      'user',
      outcome.optOut ? 'Yes. Please never call me again.' : outcome.confirmed ? 'Yes, I confirm. See you then.' : 'Not sure yet, please call me back later.',
    ],
  ];
  const lines = [...opening, ...middle.slice(0, count - 4), ...closing];
  // Spread over the call, strictly increasing, so ordering by time is ordering by what was said.
  const span = Math.max(lines.length, endMs - startMs);
  return lines.map(([role, text], index) => ({ role, text, at: startMs + Math.floor((span * index) / lines.length) }));
}
