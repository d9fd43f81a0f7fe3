import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { peakCountInWindow } from '../src/simulator/rate-window.ts';
import { startCallbackListener } from './support/callback-listener.ts';
import { waitFor } from './support/wait-for.ts';

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((simulator) => simulator.close()));
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ seed: 11, ...options });
  open.push(started);
  return started;
}

const valid = { From: '+13125550100', To: '+14155550123', AIAssistantId: 'assistant-abc' };

async function post(sim: Simulator, body: unknown, options: { key?: string | null; raw?: string; connection?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? sim.apiKey}`;
  const response = await fetch(`${sim.baseUrl}/texml/ai_calls/${options.connection ?? 'conn-1'}`, {
    method: 'POST',
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the simulator's JSON bodies differ per case; the tests read their fields directly
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

const pointersAndCodes = (json: { errors: { code: string; source?: { pointer: string } }[] }) =>
  json.errors.map((error) => [error.source?.pointer, error.code]);

describe('simulator: POST /texml/ai_calls/:connectionId', () => {
  it('accepts a valid dial with the flat documented response and records it', async () => {
    const sim = await simulator({ apiKey: 'sim-key' });
    const { status, json } = await post(sim, valid);
    expect(status).toBe(200);
    expect(json).toEqual({ call_sid: expect.stringMatching(/^v3:/), from: '+13125550100', to: '+14155550123', status: 'queued' });
    expect(sim.calls).toEqual([expect.objectContaining({ callSid: json.call_sid, connectionId: 'conn-1', to: '+14155550123', outcome: 'completed' })]);
    expect(sim.requests).toEqual([expect.objectContaining({ status: 200, connectionId: 'conn-1', to: '+14155550123', callSid: json.call_sid })]);
  });

  it('refuses a missing or wrong bearer key with 401 10009 and records the refusal', async () => {
    const sim = await simulator();
    for (const key of [null, 'not-the-key']) {
      const { status, json } = await post(sim, valid, { key });
      expect(status).toBe(401);
      expect(json.errors[0]).toMatchObject({ code: '10009', title: 'Authentication failed', meta: { url: expect.stringContaining('10009') } });
    }
    expect(sim.requests.map((request) => [request.status, request.code])).toEqual([
      [401, '10009'],
      [401, '10009'],
    ]);
    expect(sim.calls).toHaveLength(0);
  });

  it('reports every missing required key with 10004 and its pointer', async () => {
    const { status, json } = await post(await simulator(), { To: '' });
    expect(status).toBe(422);
    expect(pointersAndCodes(json)).toEqual([
      ['/From', '10004'],
      ['/To', '10004'],
      ['/AIAssistantId', '10004'],
    ]);
  });

  it('refuses numbers that are not E.164 with 10016', async () => {
    const { json } = await post(await simulator(), { ...valid, From: '13125550100', To: '+0412' });
    expect(pointersAndCodes(json)).toEqual([
      ['/From', '10016'],
      ['/To', '10016'],
    ]);
  });

  it('refuses wrong types with 10026, down to a dynamic variable or a custom header field', async () => {
    const { json } = await post(await simulator(), {
      ...valid,
      AsyncAmd: 'yes',
      TimeLimit: '600',
      StatusCallbacks: 'https://example.com',
      AIAssistantDynamicVariables: { first_name: 'Ada', age: 42 },
      CustomHeaders: [{ name: 'X-A', value: 1 }, { name: 'X-B' }],
    });
    expect(pointersAndCodes(json)).toEqual([
      ['/StatusCallbacks', '10026'],
      ['/AsyncAmd', '10026'],
      ['/TimeLimit', '10026'],
      ['/AIAssistantDynamicVariables/age', '10026'],
      ['/CustomHeaders/0/value', '10026'],
      ['/CustomHeaders/1/value', '10004'],
    ]);
  });

  it('refuses values outside an enum with 10032', async () => {
    const { json } = await post(await simulator(), {
      ...valid,
      MachineDetection: 'Sometimes',
      StatusCallbackEvent: 'initiated hungup completed',
      StatusCallbackMethod: 'PUT',
      SipRegion: 'Mars',
    });
    expect(pointersAndCodes(json)).toEqual([
      ['/StatusCallbackEvent', '10032'],
      ['/StatusCallbackMethod', '10032'],
      ['/MachineDetection', '10032'],
      ['/SipRegion', '10032'],
    ]);
    expect(json.errors[0].detail).toBe(
      'StatusCallbackEvent has unknown value(s) hungup; allowed: initiated ringing answered completed no-answer busy canceled failed analyzed.',
    );
  });

  it('refuses out-of-range numbers, bad URLs and a bad caller id', async () => {
    const { json } = await post(await simulator(), {
      ...valid,
      Timeout: 3,
      TimeLimit: 20000,
      MachineDetectionTimeout: 100,
      StatusCallback: 'ftp://example.com/x',
      CallerId: 'x'.repeat(129),
    });
    expect(pointersAndCodes(json)).toEqual([
      ['/CallerId', '10015'],
      ['/StatusCallback', '10015'],
      ['/MachineDetectionTimeout', '10015'],
      ['/TimeLimit', '10015'],
      ['/Timeout', '10015'],
    ]);
    expect(json.errors.find((error: { source: { pointer: string } }) => error.source.pointer === '/Timeout').detail).toBe('Timeout must be between 5 and 120.');
  });

  it('refuses Twiml, Texml and Url: the endpoint builds its own TeXML', async () => {
    const { status, json } = await post(await simulator(), { ...valid, Twiml: '<Response/>', Texml: '<Response/>', Url: 'https://example.com/texml' });
    expect(status).toBe(422);
    expect(pointersAndCodes(json)).toEqual([
      ['/Twiml', '10015'],
      ['/Texml', '10015'],
      ['/Url', '10015'],
    ]);
  });

  it('refuses a body that is not JSON', async () => {
    const { status, json } = await post(await simulator(), undefined, { raw: '{"From":' });
    expect(status).toBe(400);
    expect(json.errors[0]).toMatchObject({ code: '10015', detail: 'The request body is not valid JSON.' });
  });

  it('holds the dial-rate limit: 30/s over a rolling 5 s window (150), then 429 90103 with headers', async () => {
    let clock = Date.parse('2026-11-25T18:00:00Z');
    const sim = await simulator({ now: () => clock });
    for (let index = 0; index < 150; index += 1) expect((await post(sim, valid)).status).toBe(200);
    clock += 1200;
    const refused = await post(sim, valid);
    expect(refused.status).toBe(429);
    expect(refused.json.errors[0]).toMatchObject({ code: '90103' });
    expect(refused.headers.get('x-ratelimit-limit')).toBe('150');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe('4');
    expect(refused.headers.get('retry-after')).toBeNull();
    clock += 3799;
    expect((await post(sim, valid)).status).toBe(429);
    clock += 1;
    const again = await post(sim, valid);
    // The first 150 (all at the same instant) have just left the window.
    expect(again.status).toBe(200);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('149');
    expect(sim.calls).toHaveLength(151);
    expect(sim.requests.filter((request) => request.code === '90103')).toHaveLength(2);
  });

  it('can also send Retry-After and use another limit', async () => {
    const sim = await simulator({ rateLimit: { perSecond: 2, windowSeconds: 1 }, sendRetryAfter: true });
    await post(sim, valid);
    await post(sim, valid);
    const refused = await post(sim, valid);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ratelimit-limit')).toBe('2');
  });

  it('measures the highest number of calls placed in any 1-second window', async () => {
    let clock = 0;
    const sim = await simulator({ now: () => clock, rateLimit: false });
    for (const at of [0, 100, 999, 1000, 1001, 1998, 1999]) {
      clock = at;
      await post(sim, valid);
    }
    expect(sim.peakCallsInWindow()).toBe(4);
    expect(sim.peakCallsInWindow(10_000)).toBe(7);
    expect(peakCountInWindow([], 1000)).toBe(0);
  });

  it('mixes outcomes by weight, reproducibly for a seed, and lets a test pick one per number', async () => {
    const outcomesFor = async (seed: number) => {
      const sim = await simulator({ seed, rateLimit: false, outcomes: { completed: 70, 'no-answer': 20, busy: 10 } });
      for (let index = 0; index < 200; index += 1) await post(sim, valid);
      return sim.calls.map((call) => call.outcome);
    };
    const first = await outcomesFor(5);
    expect(await outcomesFor(5)).toEqual(first);
    const share = (outcome: string) => first.filter((entry) => entry === outcome).length / first.length;
    expect(share('completed')).toBeGreaterThan(0.55);
    expect(share('no-answer')).toBeGreaterThan(0.08);
    expect(share('busy')).toBeGreaterThan(0.02);
    expect(share('completed') + share('no-answer') + share('busy')).toBe(1);

    const chosen = await simulator({ decideOutcome: (body) => (body.To === '+14155550199' ? 'busy' : undefined) });
    await post(chosen, { ...valid, To: '+14155550199' });
    await post(chosen, valid);
    expect(chosen.calls.map((call) => call.outcome)).toEqual(['busy', 'completed']);
  });

  it('changes injected faults at run time', async () => {
    const sim = await simulator();
    sim.setFaults({ server_error: 1 });
    expect((await post(sim, valid)).status).toBe(500);
    sim.setFaults({});
    expect((await post(sim, valid)).status).toBe(200);
    expect(sim.requests.map((request) => [request.status, request.fault])).toEqual([
      [500, 'server_error'],
      [200, undefined],
    ]);
  });

  it('injects faults at the configured rate', async () => {
    const sim = await simulator({ faults: { rate_limited: 0.2, server_error: 0.1 }, rateLimit: false });
    for (let index = 0; index < 300; index += 1) await post(sim, valid);
    const share = (status: number) => sim.requests.filter((request) => request.status === status).length / 300;
    expect(share(429)).toBeGreaterThan(0.12);
    expect(share(429)).toBeLessThan(0.28);
    expect(share(500)).toBeGreaterThan(0.04);
    expect(share(500)).toBeLessThan(0.16);
    expect(sim.calls).toHaveLength(sim.requests.filter((request) => request.status === 200).length);
  });

  it('answers after its latency, so callbacks can overtake the dial response', async () => {
    const listener = await startCallbackListener();
    const sim = await simulator({ latencyMs: 600, callbackDelayMs: 1 });
    let responded = false;
    const response = post(sim, { ...valid, StatusCallback: `${listener.url}/status`, StatusCallbackEvent: 'initiated completed' }).then((result) => {
      responded = true;
      return result;
    });
    await waitFor(() => listener.received.some((callback) => callback.fields.get('CallStatus') === 'initiated'), {
      description: 'the initiated callback to reach the listener',
      details: () => listener.received.map((callback) => callback.fields.get('CallStatus')),
    });
    expect(responded).toBe(false);
    expect((await response).json.call_sid).toBe(listener.received[0]!.fields.get('CallSid'));
    await sim.callbacksSettled();
    await listener.close();
  });
});
