import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { simulatedOutcomeInsightId, simulatedSummaryInsightId } from '../src/simulator/conversations.ts';
import { makeConversationClient, type ConversationClient } from '../src/telnyx/conversation-client.ts';
import { waitFor } from './support/wait-for.ts';

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((simulator) => simulator.close()));
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ seed: 11, callbackDelayMs: 1, ...options });
  open.push(started);
  return started;
}

async function dial(sim: Simulator, variables: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/texml/ai_calls/conn-1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      From: '+13125550100',
      To: '+14155550123',
      AIAssistantId: 'assistant-abc',
      AIAssistantDynamicVariables: { first_name: 'Ada', clinic_name: 'Lakeside Dental', ...variables },
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { call_sid: string }).call_sid;
}

/** The calls send no callbacks (no URLs given): wait until each has ended by the simulator's clock. */
async function callsEnded(sim: Simulator): Promise<void> {
  await waitFor(() => sim.calls.every((call) => Date.now() >= call.at + call.timeline.endedAfterMs), { description: 'every call to end' });
}

function client(sim: Simulator, pageSize = 10): ConversationClient {
  return makeConversationClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: 2000, retryDelayMs: 10, tries: 4, pageSize });
}

describe('simulator: AI conversations', () => {
  it('keeps one conversation per call a person answered, found by call_control_id, under the id the conversation callbacks name', async () => {
    const sim = await simulator({ outcomes: { completed: 1 }, conversations: { messages: 25 } });
    const callSid = await dial(sim);
    await callsEnded(sim);
    const found = await client(sim).findByCall(callSid);
    expect(found).toEqual({ kind: 'ok', value: [...sim.conversations.conversations.values()][0]!.id });
    expect(await client(sim).findByCall('v3:someone-else')).toEqual({ kind: 'ok', value: undefined });
    const response = await fetch(`${sim.baseUrl}/ai/conversations/${found.kind === 'ok' ? found.value : ''}`, {
      headers: { authorization: `Bearer ${sim.apiKey}` },
    });
    const body = (await response.json()) as { data: { metadata: Record<string, string> } };
    expect(body.data.metadata).toMatchObject({ call_control_id: callSid, assistant_id: 'assistant-abc', telnyx_end_user_target: '+14155550123' });
  });

  it('has no conversation for a voicemail or an unanswered call', async () => {
    const sim = await simulator({ outcomes: { voicemail: 1, 'no-answer': 1 } });
    await dial(sim);
    await dial(sim);
    await dial(sim);
    await callsEnded(sim);
    expect(sim.conversations.conversations.size).toBe(sim.calls.filter((call) => call.outcome === 'completed').length);
  });

  it('pages a 25-message transcript newest first; the client reads every page and puts it in spoken order', async () => {
    const sim = await simulator({ conversations: { messages: 25 } });
    await dial(sim, { appointment_time: 'Tuesday 10:00' });
    await callsEnded(sim);
    const conversation = [...sim.conversations.conversations.values()][0]!;
    const read = await client(sim, 10).readTranscript(conversation.id);
    if (read.kind !== 'ok') throw new Error(`transcript not read: ${JSON.stringify(read)}`);
    expect(read.value).toHaveLength(25);
    expect(read.value.map((message) => message.text)).toEqual(conversation.messages.map((message) => message.text));
    expect(read.value[0]).toMatchObject({ role: 'assistant', text: expect.stringContaining('Hello Ada') });
    expect(read.value.some((message) => message.text.includes('Tuesday 10:00'))).toBe(true);
    const pages = sim.conversations.requests.filter((request) => request.url.includes('/messages'));
    expect(pages.map((request) => new URL(request.url, 'http://x').searchParams.get('page[number]'))).toEqual(['1', '2', '3']);
  });

  it('answers 404 (and an empty list) until a conversation is visible', async () => {
    const sim = await simulator({ conversations: { visibilityDelayMs: 400 } });
    const callSid = await dial(sim);
    await callsEnded(sim);
    const conversation = [...sim.conversations.conversations.values()][0]!;
    expect(await client(sim).findByCall(callSid)).toEqual({ kind: 'ok', value: undefined });
    expect(await client(sim).readTranscript(conversation.id)).toEqual({ kind: 'notFound' });
    await waitFor(
      async () => {
        const found = await client(sim).findByCall(callSid);
        return found.kind === 'ok' && found.value === conversation.id;
      },
      { description: 'the conversation to become visible' },
    );
  });

  it('runs a JSON-schema insight and a text insight that complete after a delay, steered by the contact variables', async () => {
    const sim = await simulator({ conversations: { insightsDelayMs: 300 } });
    await dial(sim, { sim_confirmed: 'yes' });
    await callsEnded(sim);
    const conversation = [...sim.conversations.conversations.values()][0]!;
    const first = await client(sim).readInsights(conversation.id);
    expect(first).toMatchObject({ kind: 'ok', value: [{ status: expect.stringMatching(/^(pending|in_progress)$/), results: [] }] });
    await waitFor(
      async () => {
        const read = await client(sim).readInsights(conversation.id);
        return read.kind === 'ok' && read.value[0]?.status === 'completed';
      },
      { description: 'the insights to complete' },
    );
    const done = await client(sim).readInsights(conversation.id);
    if (done.kind !== 'ok') throw new Error('insights unreadable');
    const results = Object.fromEntries(done.value[0]!.results.map((result) => [result.insightId, result.result]));
    expect(JSON.parse(results[simulatedOutcomeInsightId]!)).toEqual({ confirmed: true, opt_out: false, callback_requested: false });
    expect(results[simulatedSummaryInsightId]).toMatch(/confirmed the appointment/);
  });

  it('can fail insights, never finish them, and answer 429 and 5xx (which the client retries)', async () => {
    const sim = await simulator({ conversations: { insightsDelayMs: 0, rateLimitedRate: 0.3, serverErrorRate: 0.2 } });
    await dial(sim, { sim_insights: 'fail' });
    await dial(sim, { sim_insights: 'never', sim_opt_out: 'yes' });
    await callsEnded(sim);
    const [failing, never] = [...sim.conversations.conversations.values()];
    const reader = makeConversationClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: 2000, retryDelayMs: 5, tries: 10, maxRetryWaitMs: 20 });
    // A call without callback URLs sends none: wait for both calls to end (their conversations to show).
    await waitFor(async () => (await reader.readInsights(never!.id)).kind === 'ok' && (await reader.readInsights(failing!.id)).kind === 'ok', {
      description: 'both conversations to be visible',
    });
    expect(await reader.readInsights(failing!.id)).toMatchObject({ kind: 'ok', value: [{ status: 'failed', results: [] }] });
    expect(await reader.readInsights(never!.id)).toMatchObject({ kind: 'ok', value: [{ status: 'in_progress', results: [] }] });
    expect(never!.outcome).toEqual({ confirmed: false, opt_out: true, callback_requested: false });
    for (let index = 0; index < 10; index += 1) await reader.findByCall(never!.callSid);
    const statuses = new Set(sim.conversations.requests.map((request) => request.status));
    expect(statuses).toEqual(new Set([200, 429, 500]));
  });
});
