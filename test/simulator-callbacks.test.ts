import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import type { CallOutcome, SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { makeSignatureVerifier, signatureHeader, timestampHeader } from '../src/telnyx/signature.ts';
import { startCallbackListener, type CallbackListener, type ReceivedCallback } from './support/callback-listener.ts';
import { makeCallbackHostFilter } from '../src/simulator/callback-hosts.ts';

const open: Simulator[] = [];
const listeners: CallbackListener[] = [];
let listener: CallbackListener;

beforeAll(async () => {
  listener = await startCallbackListener();
});
afterAll(() => listener.close());
afterEach(async () => {
  await Promise.all(open.splice(0).map((simulator) => simulator.close()));
  await Promise.all(listeners.splice(0).map((extra) => extra.close()));
  listener.received.length = 0;
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ seed: 3, callbackDelayMs: 1, ...options });
  open.push(started);
  return started;
}

async function dial(sim: Simulator, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/texml/ai_calls/conn-1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ From: '+13125550100', To: '+14155550123', AIAssistantId: 'assistant-abc', ...body }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { call_sid: string }).call_sid;
}

const allEvents = 'initiated ringing answered completed no-answer busy canceled failed analyzed';
const statusUrl = () => `${listener.url}/callbacks/status/attempt-1`;
const statuses = (received: ReceivedCallback[]) =>
  received.filter((callback) => callback.path.includes('/status/')).map((callback) => callback.fields.get('CallStatus'));
const sequence = (received: ReceivedCallback[]) =>
  received.filter((callback) => callback.path.includes('/status/')).map((callback) => callback.fields.get('SequenceNumber'));

async function expectSigned(sim: Simulator, received: ReceivedCallback[]): Promise<void> {
  const verifier = makeSignatureVerifier(sim.publicKey);
  for (const callback of received) {
    const check = await verifier.verify({
      rawBody: callback.rawBody,
      timestamp: callback.headers[timestampHeader] as string,
      signature: callback.headers[signatureHeader] as string,
    });
    expect(check).toEqual({ ok: true });
  }
}

describe('simulator callbacks', () => {
  it('sends an answered call’s callbacks in order, form-encoded, with every documented key and a valid signature', async () => {
    const sim = await simulator();
    const callSid = await dial(sim, {
      StatusCallback: statusUrl(),
      StatusCallbackEvent: allEvents,
      ConversationCallback: `${listener.url}/callbacks/conversation/attempt-1`,
      MachineDetection: 'Enable',
      AsyncAmd: true,
      AsyncAmdStatusCallback: `${listener.url}/callbacks/amd/attempt-1`,
      Record: true,
      RecordingStatusCallback: `${listener.url}/callbacks/recording/attempt-1`,
    });
    await sim.callbacksSettled();
    const received = listener.received;
    expect(
      received.map(
        (callback) =>
          callback.path.split('/')[2] +
          ':' +
          (callback.fields.get('CallStatus') ?? callback.fields.get('AnsweredBy') ?? callback.fields.get('RecordingStatus') ?? ''),
      ),
    ).toEqual([
      'status:initiated',
      'status:ringing',
      'status:in-progress',
      'amd:human',
      'conversation:',
      'conversation:',
      'status:completed',
      'recording:completed',
      'status:analyzed',
    ]);
    expect(sequence(received)).toEqual(['0', '1', '2', '3', '4']);
    await expectSigned(sim, received);
    for (const callback of received.filter((entry) => !entry.path.includes('/conversation/'))) {
      expect(callback.method).toBe('POST');
      expect(callback.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(callback.fields.get('CallSid')).toBe(callSid);
    }
    for (const callback of received.filter((entry) => entry.path.includes('/status/'))) {
      for (const key of [
        'AccountSid',
        'CallSid',
        'CallSidLegacy',
        'CallStatus',
        'CallbackSource',
        'ConnectionId',
        'From',
        'To',
        'SequenceNumber',
        'Timestamp',
        'CallInitiatedAt',
      ]) {
        expect(callback.fields.get(key), key).toBeTruthy();
      }
      expect(callback.fields.get('CallbackSource')).toBe('call-progress-events');
      expect(callback.fields.get('ConnectionId')).toBe('conn-1');
    }
    const completed = received.find((callback) => callback.fields.get('CallStatus') === 'completed')!;
    expect(Object.fromEntries(completed.fields)).toMatchObject({
      HangupCause: 'normal_clearing',
      HangupSource: 'callee',
      SipHangupCause: '200',
      CallDuration: expect.stringMatching(/^\d+$/),
      StartTime: expect.any(String),
      EndTime: expect.any(String),
      AnsweredTime: expect.any(String),
      RecordingUrl: expect.stringContaining('.mp3'),
    });
    const conversation = received.filter((callback) => callback.path.includes('/conversation/')).map((callback) => JSON.parse(callback.rawBody.toString()));
    expect(conversation.map((event) => event.data.event_type)).toEqual(['call.conversation.created', 'call.conversation.ended']);
    expect(conversation[1].data.payload).toMatchObject({
      call_control_id: callSid,
      assistant_id: 'assistant-abc',
      conversation_id: conversation[0].data.payload.conversation_id,
    });
    expect(received.find((callback) => callback.path.includes('/amd/'))!.fields.get('MachineDetectionDuration')).toMatch(/^\d+$/);
  });

  const flows: [CallOutcome, string[], string | undefined][] = [
    ['completed', ['initiated', 'ringing', 'in-progress', 'completed', 'analyzed'], 'human'],
    ['voicemail', ['initiated', 'ringing', 'in-progress', 'completed', 'analyzed'], 'machine_end_beep'],
    ['no-answer', ['initiated', 'ringing', 'no-answer', 'analyzed'], undefined],
    ['busy', ['initiated', 'busy', 'analyzed'], undefined],
    ['failed', ['initiated', 'failed', 'analyzed'], undefined],
    ['canceled', ['initiated', 'ringing', 'canceled', 'analyzed'], undefined],
  ];
  it.each(flows)('a %s call sends exactly one terminal status: %j', async (outcome, expected, answeredBy) => {
    const sim = await simulator({ outcomes: { [outcome]: 1 } });
    await dial(sim, {
      StatusCallback: statusUrl(),
      StatusCallbackEvent: allEvents,
      MachineDetection: 'Enable',
      AsyncAmd: true,
      AsyncAmdStatusCallback: `${listener.url}/callbacks/amd/a`,
    });
    await sim.callbacksSettled();
    expect(statuses(listener.received)).toEqual(expected);
    expect(listener.received.filter((callback) => callback.path.includes('/amd/')).map((callback) => callback.fields.get('AnsweredBy'))).toEqual(
      answeredBy ? [answeredBy] : [],
    );
  });

  it('sends only the events asked for (Telnyx’s default is completed only)', async () => {
    const sim = await simulator();
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: 'answered completed' });
    await dial(sim, { StatusCallback: statusUrl(), To: '+14155550124' });
    await sim.callbacksSettled();
    const byCall = (to: string) => statuses(listener.received.filter((callback) => callback.fields.get('To') === to));
    expect(byCall('+14155550123')).toEqual(['in-progress', 'completed']);
    expect(byCall('+14155550124')).toEqual(['completed']);
  });

  it('puts the fields in the query for GET callbacks and signs the empty body', async () => {
    const sim = await simulator();
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: 'initiated completed', StatusCallbackMethod: 'GET' });
    await sim.callbacksSettled();
    expect(listener.received.map((callback) => [callback.method, callback.rawBody.length, callback.query.get('CallStatus')])).toEqual([
      ['GET', 0, 'initiated'],
      ['GET', 0, 'completed'],
    ]);
    await expectSigned(sim, listener.received);
  });

  it('sends each status callback to StatusCallback and every StatusCallbacks URL', async () => {
    const other = await startCallbackListener();
    listeners.push(other);
    const sim = await simulator();
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbacks: [statusUrl(), `${other.url}/crm/status/x`], StatusCallbackEvent: 'initiated completed' });
    await sim.callbacksSettled();
    expect(statuses(listener.received)).toEqual(['initiated', 'completed']);
    expect(other.received.map((callback) => callback.fields.get('CallStatus'))).toEqual(['initiated', 'completed']);
  });

  it('delivers only to loopback hosts by default: other hosts are skipped, counted and reported once, never sent', async () => {
    const reported: string[] = [];
    const sim = await simulator({ onSkippedHost: (host) => reported.push(host) });
    await dial(sim, {
      StatusCallback: statusUrl(),
      StatusCallbacks: [statusUrl(), 'https://crm.example.com/hooks/telnyx-status', 'http://10.0.0.5:8080/status'],
      StatusCallbackEvent: 'initiated completed',
    });
    await sim.callbacksSettled();
    expect(statuses(listener.received)).toEqual(['initiated', 'completed']);
    expect(sim.deliveries.map((delivery) => new URL(delivery.url).hostname)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(Object.fromEntries(sim.skippedCallbacks)).toEqual({ 'crm.example.com': 2, '10.0.0.5': 2 });
    expect(reported).toEqual(['crm.example.com', '10.0.0.5']);
  });

  it('tells loopback callback URLs from others, and honours allowedCallbackHosts', () => {
    const loopbackOnly = makeCallbackHostFilter();
    const deliver = (url: string, filter = loopbackOnly) => filter(url).deliver;
    for (const url of [
      'http://127.0.0.1:3000/a',
      'http://127.8.9.10/a',
      'http://localhost:3000/a',
      'http://LOCALHOST./a',
      'http://[::1]:3000/a',
      'http://[::ffff:127.0.0.1]/a',
    ])
      expect(deliver(url), url).toBe(true);
    for (const url of [
      'https://crm.example.com/a',
      'http://128.0.0.1/a',
      'http://10.0.0.5/a',
      'http://[fd00::2]/a',
      'http://localhost.example.com/a',
      'not a url',
    ])
      expect(deliver(url), url).toBe(false);
    const listed = makeCallbackHostFilter(['CRM.internal', '[fd00::2]']);
    expect(deliver('https://crm.internal/a', listed)).toBe(true);
    expect(deliver('http://[fd00::2]:8080/a', listed)).toBe(true);
    expect(deliver('http://127.0.0.1/a', listed)).toBe(true);
    expect(deliver('https://crm.example.com/a', listed)).toBe(false);
    expect(deliver('https://crm.example.com/a', makeCallbackHostFilter(['*']))).toBe(true);
  });

  it('retries a callback the receiver did not accept, with the same SequenceNumber', async () => {
    const failedOnce = new Set<string>();
    const flaky = await startCallbackListener((callback) => {
      const key = callback.fields.get('SequenceNumber')!;
      if (failedOnce.has(key)) return 200;
      failedOnce.add(key);
      return 503;
    });
    listeners.push(flaky);
    const sim = await simulator({ delivery: { retries: 2, retryDelayMs: 5 } });
    await dial(sim, { StatusCallback: `${flaky.url}/status`, StatusCallbackEvent: 'initiated ringing completed' });
    await sim.callbacksSettled();
    expect(flaky.received.map((callback) => callback.fields.get('SequenceNumber'))).toEqual(['0', '0', '1', '1', '2', '2']);
    expect(sim.deliveries.map((delivery) => [delivery.sequenceNumber, delivery.attempt, delivery.responseStatus])).toEqual([
      [0, 1, 503],
      [0, 2, 200],
      [1, 1, 503],
      [1, 2, 200],
      [2, 1, 503],
      [2, 2, 200],
    ]);
  });

  it('gives up after the configured retries when the receiver is down', async () => {
    const sim = await simulator({ delivery: { retries: 1, retryDelayMs: 1 } });
    await dial(sim, { StatusCallback: 'http://127.0.0.1:9/down', StatusCallbackEvent: 'completed' });
    await sim.callbacksSettled();
    expect(sim.deliveries.map((delivery) => [delivery.attempt, delivery.responseStatus, typeof delivery.error])).toEqual([
      [1, undefined, 'string'],
      [2, undefined, 'string'],
    ]);
  });

  it('can duplicate every delivery', async () => {
    const sim = await simulator({ delivery: { duplicateRate: 1 } });
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: 'initiated completed' });
    await sim.callbacksSettled();
    expect(sequence(listener.received)).toEqual(['0', '0', '1', '1']);
  });

  it('can reorder deliveries while SequenceNumber keeps the true order', async () => {
    const sim = await simulator({ delivery: { reorder: true }, seed: 1 });
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: allEvents });
    await sim.callbacksSettled();
    const received = listener.received.map((callback) => [callback.fields.get('SequenceNumber'), callback.fields.get('CallStatus')]);
    expect(received.map(([number]) => number)).not.toEqual(['0', '1', '2', '3', '4']);
    expect([...received].sort()).toEqual([
      ['0', 'initiated'],
      ['1', 'ringing'],
      ['2', 'in-progress'],
      ['3', 'completed'],
      ['4', 'analyzed'],
    ]);
  });

  it('fails calls beyond the account’s concurrent-call limit through their callbacks (SIP 403)', async () => {
    const sim = await simulator({ accountConcurrentCalls: 1, callDurationMs: 200 });
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: 'initiated completed failed', To: '+14155550001' });
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: 'initiated completed failed', To: '+14155550002' });
    await sim.callbacksSettled();
    const second = listener.received.filter((callback) => callback.fields.get('To') === '+14155550002');
    expect(second.map((callback) => callback.fields.get('CallStatus'))).toEqual(['initiated', 'failed']);
    expect(second[1]!.fields.get('SipHangupCause')).toBe('403');
    expect(statuses(listener.received.filter((callback) => callback.fields.get('To') === '+14155550001'))).toEqual(['initiated', 'completed']);
    expect(sim.calls.map((call) => call.overConcurrencyLimit)).toEqual([false, true]);
  });

  it('can write Timestamp in RFC 2822 form', async () => {
    const sim = await simulator({ timestampStyle: 'rfc2822' });
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: 'completed' });
    await sim.callbacksSettled();
    const timestamp = listener.received[0]!.fields.get('Timestamp')!;
    expect(timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(Number.isNaN(Date.parse(timestamp))).toBe(false);
  });

  it('stops sending callbacks when closed', async () => {
    const sim = await simulator({ callbackDelayMs: 50 });
    await dial(sim, { StatusCallback: statusUrl(), StatusCallbackEvent: allEvents });
    await sim.close();
    const countAtClose = listener.received.length;
    expect(countAtClose).toBeLessThan(5);
    // close() waited for the call's flow to end: nothing can be sent any more.
    await sim.callbacksSettled();
    expect(listener.received.length).toBe(countAtClose);
  });
});
