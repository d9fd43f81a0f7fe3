import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { startCallbackListener, type CallbackListener } from './support/callback-listener.ts';
import { waitFor } from './support/wait-for.ts';

const open: Simulator[] = [];
let listener: CallbackListener;

beforeAll(async () => {
  listener = await startCallbackListener();
});
afterAll(() => listener.close());
afterEach(async () => {
  await Promise.all(open.splice(0).map((simulator) => simulator.close()));
  listener.received.length = 0;
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ seed: 7, callbackDelayMs: 1, accountSid: 'acct-test', ...options });
  open.push(started);
  return started;
}

async function dial(sim: Simulator, body: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/texml/ai_calls/conn-1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ From: '+13125550100', To: '+14155550123', AIAssistantId: 'assistant-abc', ...body }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { call_sid: string }).call_sid;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read the documented JSON fields directly
async function get(sim: Simulator, path: string, key = sim.apiKey): Promise<{ status: number; headers: Headers; json: any }> {
  const url = path.startsWith('/v2/') ? `${new URL(sim.baseUrl).origin}${path}` : `${sim.baseUrl}${path}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

const rfc2822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const callPath = (sim: Simulator, callSid: string) => `/texml/Accounts/${sim.accountSid}/Calls/${encodeURIComponent(callSid)}`;

describe('simulator: call records', () => {
  it('answers one call in the documented flat snake_case shape, ending in the status its callbacks report', async () => {
    const sim = await simulator({ outcomes: { voicemail: 1 }, callDurationMs: 1100 });
    const callSid = await dial(sim, { MachineDetection: 'Enable', StatusCallback: `${listener.url}/callbacks/status/a-1` });
    await sim.callbacksSettled();
    const { status, json } = await get(sim, callPath(sim, callSid));
    expect(status).toBe(200);
    expect(json).toEqual({
      account_sid: 'acct-test',
      sid: callSid,
      from: '+13125550100',
      to: '+14155550123',
      from_formatted: '+13125550100',
      to_formatted: '+14155550123',
      caller_name: null,
      direction: 'outbound',
      status: 'completed',
      duration: expect.stringMatching(/^[12]$/),
      answered_by: 'machine',
      start_time: expect.stringMatching(rfc2822),
      end_time: expect.stringMatching(rfc2822),
      date_created: expect.stringMatching(rfc2822),
      date_updated: expect.stringMatching(rfc2822),
      uri: `/v2/texml/Accounts/acct-test/Calls/${encodeURIComponent(callSid)}`,
    });
    const terminal = listener.received.find((callback) => callback.fields.get('CallStatus') === 'completed')!;
    expect(terminal.fields.get('AccountSid')).toBe('acct-test');
    expect(json.duration).toBe(terminal.fields.get('CallDuration'));
  });

  it('reports a call in progress until it ends, and unanswered outcomes with duration 0', async () => {
    const sim = await simulator({ outcomes: { completed: 1 }, callDurationMs: 60_000 });
    const callSid = await dial(sim);
    await waitFor(async () => (await get(sim, callPath(sim, callSid))).json.status === 'in-progress', { description: 'the call to be answered' });
    const live = (await get(sim, callPath(sim, callSid))).json;
    expect(live).toMatchObject({ status: 'in-progress', duration: null, end_time: null, answered_by: null });

    const busy = await simulator({ outcomes: { busy: 1 } });
    const busySid = await dial(busy);
    // No callback URL: nothing to settle; the record says busy once the simulated call has ended.
    await waitFor(async () => (await get(busy, callPath(busy, busySid))).json.status !== 'ringing', { description: 'the busy call to end' });
    expect((await get(busy, callPath(busy, busySid))).json).toMatchObject({ status: 'busy', duration: '0', answered_by: null });
  });

  it('answers 404 10005 for an unknown call, another account, and a call not visible yet', async () => {
    const sim = await simulator({ callRecords: { visibilityDelayMs: 1500 } });
    const callSid = await dial(sim);
    const early = await get(sim, callPath(sim, callSid));
    expect(early.status).toBe(404);
    expect(early.json.errors[0]).toMatchObject({ code: '10005' });
    const listed = await get(sim, `/texml/Accounts/${sim.accountSid}/Calls?To=${encodeURIComponent('+14155550123')}`);
    expect(listed.json.calls).toEqual([]);
    expect((await get(sim, callPath(sim, 'v3:nope'))).json.errors[0].code).toBe('10005');
    expect((await get(sim, `/texml/Accounts/other/Calls/${encodeURIComponent(callSid)}`)).status).toBe(404);
    expect((await get(sim, callPath(sim, callSid), 'wrong-key')).status).toBe(401);
    await waitFor(async () => (await get(sim, callPath(sim, callSid))).status === 200, { description: 'the record to become visible' });
    expect(sim.recordRequests.map((request) => request.status)).toContain(404);
  });

  it('lists calls filtered by To, From and start day, newest first, paged through next_page_uri', async () => {
    const sim = await simulator();
    const toA = '+14155550123';
    const sids: string[] = [];
    for (let index = 0; index < 5; index += 1) sids.push(await dial(sim, { To: toA }));
    await dial(sim, { To: '+14155550999' });
    await dial(sim, { To: toA, From: '+13125550111' });
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const first = await get(
      sim,
      `/texml/Accounts/${sim.accountSid}/Calls?To=${encodeURIComponent(toA)}&From=${encodeURIComponent('+13125550100')}&StartTime_gt=${yesterday}&PageSize=2`,
    );
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, first_page_uri: expect.stringContaining('Page=0') });
    const seen: string[] = first.json.calls.map((call: { sid: string }) => call.sid);
    let next: string | null = first.json.next_page_uri;
    expect(next).toMatch(/^\/v2\/texml\/Accounts\/acct-test\/Calls\?.*PageToken=/);
    // A call placed while paging does not shift the pages being read.
    await dial(sim, { To: toA });
    while (next) {
      const page = await get(sim, next);
      seen.push(...page.json.calls.map((call: { sid: string }) => call.sid));
      next = page.json.next_page_uri;
    }
    expect(seen).toEqual([...sids].reverse());
    // _gt is strict: a call on the day named does not match.
    expect((await get(sim, `/texml/Accounts/${sim.accountSid}/Calls?StartTime_gt=${today}`)).json.calls).toEqual([]);
    expect((await get(sim, `/texml/Accounts/${sim.accountSid}/Calls?StartTime=${today}&PageSize=100`)).json.calls).toHaveLength(8);
    const bad = await get(sim, `/texml/Accounts/${sim.accountSid}/Calls?StartTime_gt=${encodeURIComponent(new Date().toISOString())}`);
    expect(bad.status).toBe(422);
  });

  it('drops every callback of a share of calls, while their records still tell how they ended', async () => {
    const sim = await simulator({ dropCallbacksRate: 0.5 });
    for (let index = 0; index < 20; index += 1) await dial(sim, { StatusCallback: `${listener.url}/callbacks/status/a-${index}` });
    await sim.callbacksSettled();
    const dropped = sim.calls.filter((call) => call.callbacksDropped);
    expect(dropped.length).toBeGreaterThan(3);
    expect(dropped.length).toBeLessThan(17);
    const calledBack = new Set(listener.received.map((callback) => callback.fields.get('CallSid')));
    for (const call of sim.calls) expect(calledBack.has(call.callSid)).toBe(!call.callbacksDropped);
    for (const call of dropped) {
      // Their callbacks were never sent, so nothing above waited for these calls to end.
      await waitFor(async () => !['ringing', 'in-progress'].includes((await get(sim, callPath(sim, call.callSid))).json.status), {
        description: 'the call to end',
      });
      expect((await get(sim, callPath(sim, call.callSid))).json.status).toBe('completed');
    }
  });

  it('answers a share of GETs with 429 10011 and x-ratelimit headers', async () => {
    const sim = await simulator({ callRecords: { rateLimitedRate: 0.5 } });
    const callSid = await dial(sim);
    const answers = [];
    for (let index = 0; index < 20; index += 1) answers.push(await get(sim, callPath(sim, callSid)));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(2);
    expect(limited.length).toBeLessThan(18);
    expect(limited[0]!.json.errors[0].code).toBe('10011');
    expect(limited[0]!.headers.get('x-ratelimit-reset')).toBe('1');
    expect(limited[0]!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(20 - limited.length);
  });
});
