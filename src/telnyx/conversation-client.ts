import { z } from 'zod';
import { makeTelnyxGetter, type TelnyxGetterOptions } from './call-record-client.ts';

/**
 * Telnyx's AI conversations, read-only: find an answered call's conversation by its call_control_id
 * (https://developers.telnyx.com/api-reference/conversations/list-conversations), read its whole
 * transcript page by page ("Get conversation messages") and its insights ("Get insights for a
 * conversation"). GETs are retried like call-record reads (timeouts, 5xx, 429 after the wait Telnyx
 * names); a 404 is passed up: a conversation is invisible for a while after its call.
 */

export interface TranscriptMessage {
  role: string;
  text: string;
  /** ISO 8601, when the message was sent (created_at when sent_at is missing). */
  at: string | null;
}

export interface InsightResult {
  insightId: string;
  result: string;
}

export interface InsightRun {
  id: string;
  /** pending | in_progress | completed | failed */
  status: string;
  results: InsightResult[];
}

export type Read<T> = { kind: 'ok'; value: T } | { kind: 'notFound' } | { kind: 'error'; reason: string };

export interface ConversationClient {
  /** The id of the conversation of a call, or undefined while none is visible. */
  findByCall(callSid: string): Promise<Read<string | undefined>>;
  /** Every message, in the order they were said (every page read; any failed page fails it all). */
  readTranscript(conversationId: string): Promise<Read<TranscriptMessage[]>>;
  readInsights(conversationId: string): Promise<Read<InsightRun[]>>;
}

const conversationListSchema = z.object({ data: z.array(z.object({ id: z.string().min(1), metadata: z.record(z.string(), z.unknown()).nullish() })) });

const messagePageSchema = z.object({
  data: z.array(
    z.object({
      role: z.string(),
      text: z.string().nullish(),
      created_at: z.string().nullish(),
      sent_at: z.string().nullish(),
    }),
  ),
  meta: z.object({ page_number: z.number().int(), page_size: z.number().int(), total_pages: z.number().int() }).partial().optional(),
});

const insightsSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      conversation_insights: z.array(z.object({ insight_id: z.string(), result: z.unknown() })).nullish(),
    }),
  ),
});

export interface ConversationClientOptions extends TelnyxGetterOptions {
  /** page[size] of transcript reads. Default 100. */
  pageSize?: number;
  /** Most transcript pages read (a guard against a paging loop). Default 200. */
  maxPages?: number;
}

export function makeConversationClient(options: ConversationClientOptions): ConversationClient {
  const getter = makeTelnyxGetter(options);
  const conversationsUrl = `${getter.base.href}/ai/conversations`;
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 200;

  return {
    async findByCall(callSid) {
      // PostgREST-style filter: metadata->call_control_id=eq.{call_sid}
      const query = new URLSearchParams({ 'metadata->call_control_id': `eq.${callSid}`, limit: '5' });
      const fetched = await getter.fetchJson(`${conversationsUrl}?${query.toString()}`);
      if (fetched.kind !== 'ok') return fetched;
      const list = conversationListSchema.safeParse(fetched.json);
      if (!list.success) return { kind: 'error', reason: 'the conversation list does not have the documented shape' };
      // The filter is the server's; only a conversation that names this call is taken (another call's
      // transcript could set this contact's goal or put its number on a do-not-call list).
      const match = list.data.data.find((item) => item.metadata?.call_control_id === callSid);
      return { kind: 'ok', value: match?.id };
    },

    async readTranscript(conversationId) {
      const messages: (TranscriptMessage & { order: number })[] = [];
      for (let number = 1; ; number += 1) {
        if (number > maxPages) return { kind: 'error', reason: `more than ${maxPages} pages of messages` };
        const query = new URLSearchParams({ 'page[number]': String(number), 'page[size]': String(pageSize) });
        const fetched = await getter.fetchJson(`${conversationsUrl}/${encodeURIComponent(conversationId)}/messages?${query.toString()}`);
        if (fetched.kind !== 'ok') return fetched;
        const page = messagePageSchema.safeParse(fetched.json);
        if (!page.success) return { kind: 'error', reason: 'a page of messages does not have the documented shape' };
        for (const message of page.data.data)
          messages.push({ role: message.role, text: message.text ?? '', at: message.sent_at ?? message.created_at ?? null, order: messages.length });
        const totalPages = page.data.meta?.total_pages;
        // Without total_pages a short page is the last one (short of the size the server says it served).
        const last =
          totalPages === undefined ? page.data.data.length < (page.data.meta?.page_size ?? pageSize) : (page.data.meta?.page_number ?? number) >= totalPages;
        if (last || page.data.data.length === 0) break;
      }
      // Pages may come newest first: order by time, the page order breaking ties (reversed with the pages).
      const newestFirst = messages.length > 1 && timeOf(messages[0]!) > timeOf(messages.at(-1)!);
      const ordered = [...messages].sort((a, b) => timeOf(a) - timeOf(b) || (newestFirst ? b.order - a.order : a.order - b.order));
      return { kind: 'ok', value: ordered.map(({ role, text, at }) => ({ role, text, at })) };
    },

    async readInsights(conversationId) {
      const fetched = await getter.fetchJson(`${conversationsUrl}/${encodeURIComponent(conversationId)}/conversations-insights`);
      if (fetched.kind !== 'ok') return fetched;
      const parsed = insightsSchema.safeParse(fetched.json);
      if (!parsed.success) return { kind: 'error', reason: 'the insights do not have the documented shape' };
      return {
        kind: 'ok',
        value: parsed.data.data.map((run) => ({
          id: run.id,
          status: run.status,
          results: (run.conversation_insights ?? []).map((item) => ({
            insightId: item.insight_id,
            result: typeof item.result === 'string' ? item.result : JSON.stringify(item.result ?? null),
          })),
        })),
      };
    },
  };
}

function timeOf(message: TranscriptMessage): number {
  const ms = message.at === null ? Number.NaN : Date.parse(message.at);
  return Number.isNaN(ms) ? 0 : ms;
}
