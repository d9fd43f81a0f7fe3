import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCallRecordClient } from '../src/telnyx/call-record-client.ts';
import { makeCallRecordReader } from '../src/dialing/call-record-reader.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { makeStatusCallbackPayload, formEncode } from '../src/telnyx/callback-payloads.ts';
import { peakCountInWindow } from '../src/simulator/rate-window.ts';
import { makeCallFixture } from './support/call-fixtures.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { waitFor } from './support/wait-for.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ seed: 5, callbackDelayMs: 1, accountSid: 'acct-1', ...options });
  open.push(started);
  return started;
}

async function dial(sim: Simulator, to = '+14155550123'): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/texml/ai_calls/conn-1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ From: '+13125550100', To: to, AIAssistantId: 'assistant-abc' }),
  });
  return ((await response.json()) as { call_sid: string }).call_sid;
}

/** A local server answering each request with the next of `answers` (then the last one forever). */
async function scripted(answers: ((response: import('node:http').ServerResponse) => void)[]): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(request.url ?? '');
    answers[Math.min(hits.length - 1, answers.length - 1)]!(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`, hits };
}

const record = {
  sid: 'v3:x',
  from: '+1',
  to: '+2',
  status: 'busy',
  duration: '0',
  answered_by: null,
  start_time: 'Thu, 03 Dec 2026 10:00:00 +0000',
  end_time: null,
};
const jsonAnswer =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (response: import('node:http').ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

describe('Telnyx call records client', () => {
  it('fetches one call, typed, and says notFound (without retrying) while it is not visible', async () => {
    const sim = await simulator({ outcomes: { completed: 1 }, callRecords: { visibilityDelayMs: 60_000 } });
    const client = makeCallRecordClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: 2000, retryDelayMs: 1 });
    const callSid = await dial(sim);
    expect(await client.getCall('acct-1', callSid)).toEqual({ kind: 'notFound' });
    expect(sim.recordRequests).toHaveLength(1);

    const visible = await simulator({ outcomes: { completed: 1 } });
    const visibleSid = await dial(visible);
    const visibleClient = makeCallRecordClient({ apiKey: visible.apiKey, baseUrl: visible.baseUrl, timeoutMs: 2000 });
    // The record is visible at once and reads in-progress until the simulated call has ended.
    const found = await waitFor(
      async () => {
        const answer = await visibleClient.getCall('acct-1', visibleSid);
        return answer.kind === 'found' && answer.record.status !== 'in-progress' && answer.record.status !== 'ringing' ? answer : null;
      },
      { description: 'the call record to show the call ended' },
    );
    expect(found).toEqual({
      kind: 'found',
      record: {
        callSid: visibleSid,
        from: '+13125550100',
        to: '+14155550123',
        status: 'completed',
        durationSec: 0,
        answeredBy: null,
        startedAt: expect.any(Date),
        endedAt: expect.any(Date),
      },
    });
  });

  it('retries 429s (honouring x-ratelimit-reset), 5xx and timeouts, and gives up with an error after its tries', async () => {
    const limited = await scripted([jsonAnswer(429, { errors: [{ code: '10011' }] }, { 'x-ratelimit-reset': '0' }), jsonAnswer(200, record)]);
    const client = (url: string, tries = 3) => makeCallRecordClient({ apiKey: 'k', baseUrl: url, timeoutMs: 300, retryDelayMs: 1, tries });
    expect(await client(limited.url).getCall('a', 'v3:x')).toMatchObject({
      kind: 'found',
      record: { status: 'busy', startedAt: new Date('2026-12-03T10:00:00Z') },
    });
    expect(limited.hits).toHaveLength(2);

    const broken = await scripted([jsonAnswer(503, {}), () => {}, jsonAnswer(200, record)]);
    expect(await client(broken.url).getCall('a', 'v3:x')).toMatchObject({ kind: 'found' });
    expect(broken.hits).toHaveLength(3);

    const down = await scripted([jsonAnswer(500, { errors: [{ code: '10007' }] })]);
    expect(await client(down.url, 2).getCall('a', 'v3:x')).toEqual({ kind: 'error', reason: 'HTTP 500 (10007) (after 2 tries)' });

    const refused = await scripted([jsonAnswer(401, { errors: [{ code: '10009' }] })]);
    expect(await client(refused.url).getCall('a', 'v3:x')).toEqual({ kind: 'error', reason: 'HTTP 401 (10009)' });
    expect(refused.hits).toHaveLength(1);

    const garbled = await scripted([jsonAnswer(200, { sid: 'v3:x' })]);
    expect(await client(garbled.url).getCall('a', 'v3:x')).toMatchObject({ kind: 'error' });
  });

  it('lists every page of calls to a number, through next_page_uri, with 429s along the way', async () => {
    const sim = await simulator({ callRecords: { rateLimitedRate: 0.3 } });
    const sids = [];
    for (let index = 0; index < 7; index += 1) sids.push(await dial(sim));
    await dial(sim, '+14155550999');
    const client = makeCallRecordClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: 2000, retryDelayMs: 1, tries: 20, pageSize: 2 });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const listed = await client.listCalls('acct-1', { to: '+14155550123', from: '+13125550100', startedAfterDay: yesterday });
    expect(listed.kind).toBe('listed');
    if (listed.kind !== 'listed') return;
    expect(listed.records.map((call) => call.callSid).sort()).toEqual([...sids].sort());
    expect(sim.recordRequests.filter((request) => request.status === 200)).toHaveLength(4);
    expect(sim.recordRequests.some((request) => request.status === 429)).toBe(true);
  });

  it('reports an error, never an empty list, when a page cannot be read', async () => {
    const sim = await simulator();
    await dial(sim);
    const client = makeCallRecordClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: 2000, retryDelayMs: 1 });
    expect(await client.listCalls('another-account', { to: '+14155550123' })).toMatchObject({ kind: 'error', reason: expect.stringContaining('404') });
    const page = await scripted([jsonAnswer(200, { calls: [record], next_page_uri: '/v2/texml/Accounts/a/Calls?PageToken=2' }), jsonAnswer(500, {})]);
    expect(await makeCallRecordClient({ apiKey: 'k', baseUrl: page.url, timeoutMs: 300, retryDelayMs: 1 }).listCalls('a', { to: '+2' })).toMatchObject({
      kind: 'error',
    });
    expect(page.hits[1]).toBe('/v2/texml/Accounts/a/Calls?PageToken=2');
    const elsewhere = await scripted([jsonAnswer(200, { calls: [], next_page_uri: 'https://evil.example/v2/texml/Accounts/a/Calls?PageToken=2' })]);
    expect(await makeCallRecordClient({ apiKey: 'k', baseUrl: elsewhere.url, timeoutMs: 300 }).listCalls('a', { to: '+2' })).toEqual({
      kind: 'error',
      reason: 'next_page_uri points to another host',
    });
  });
});

describe('call-record reader of a process', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const ctx = useTestApp(db, { QUEUE_PREFIX: prefix, TELNYX_API_KEY: 'sim-key', CALL_RECORD_READS_PER_SECOND: '10' }, { server: {} });

  it('paces its reads with their own budget: never more than CALL_RECORD_READS_PER_SECOND in any second', async () => {
    const sim = await simulator();
    const callSid = await dial(sim);
    const reader = makeCallRecordReader({ ...ctx.app, config: { ...ctx.app.config, TELNYX_API_BASE_URL: sim.baseUrl } })!;
    await Promise.all(Array.from({ length: 25 }, () => reader.records.getCall('acct-1', callSid)));
    expect(sim.recordRequests).toHaveLength(25);
    expect(
      peakCountInWindow(
        sim.recordRequests.map((request) => request.at),
        1000,
      ),
    ).toBeLessThanOrEqual(10);
  });

  it('learns the account id from the first callback of one of our calls and keeps it', async () => {
    const reader = makeCallRecordReader(ctx.app)!;
    expect(await reader.accountSid()).toBeUndefined();
    const stranger = formEncode({ AccountSid: 'acct-stranger', CallSid: 'v3:nobody', CallStatus: 'initiated', SequenceNumber: '0' });
    const refused = await ctx.server.inject({
      method: 'POST',
      url: '/callbacks/status/00000000-0000-0000-0000-000000000000',
      payload: stranger,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refused.statusCode).toBe(404);
    expect(await reader.accountSid()).toBeUndefined();

    const fixture = await makeCallFixture(db.pool);
    for (const accountSid of ['acct-learned', 'acct-later']) {
      const body = formEncode(makeStatusCallbackPayload({ ...fixture.call, accountSid }, { status: 'initiated', sequenceNumber: 0, at: new Date() }));
      const response = await ctx.server.inject({
        method: 'POST',
        url: `/callbacks/status/${fixture.attemptId}`,
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.statusCode).toBe(200);
    }
    expect(await reader.accountSid()).toBe('acct-learned');
    expect(await makeCallRecordReader({ ...ctx.app, config: { ...ctx.app.config, TELNYX_ACCOUNT_SID: 'acct-configured' } })!.accountSid()).toBe(
      'acct-configured',
    );
  });
});
