import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTelnyxClient } from '../src/telnyx/client.ts';
import { classifyFetchFailure } from '../src/telnyx/classify-fetch-failure.ts';
import type { DialRequestBody } from '../src/telnyx/dial-request-body.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { isDialerError } from '../src/errors.ts';
import { startCallbackListener, type CallbackListener } from './support/callback-listener.ts';

const apiKey = 'KEY-test-9f8e7d6c5b4a';
let listener: CallbackListener;
const open: Simulator[] = [];

beforeAll(async () => {
  listener = await startCallbackListener();
});
afterAll(() => listener.close());
afterEach(async () => {
  await Promise.all(open.splice(0).map((simulator) => simulator.close()));
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ apiKey, seed: 7, ...options });
  open.push(started);
  return started;
}

function body(overrides: Partial<DialRequestBody> = {}): DialRequestBody {
  return {
    From: '+13125550100',
    To: '+14155550123',
    AIAssistantId: 'assistant-abc',
    StatusCallback: `${listener.url}/callbacks/status/attempt-1`,
    StatusCallbackEvent: 'initiated ringing answered completed no-answer busy canceled failed analyzed',
    SipAuthUsername: 'user',
    SipAuthPassword: 'sip-password-secret',
    ...overrides,
  };
}

const clientFor = (baseUrl: string, timeoutMs = 2000) => makeTelnyxClient({ apiKey, baseUrl, timeoutMs });

function expectNoSecrets(result: unknown): void {
  const text = JSON.stringify(result);
  expect(text).not.toContain(apiKey);
  expect(text).not.toContain('sip-password-secret');
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startHttp(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('Telnyx client against the simulator', () => {
  it('returns accepted with the call_sid Telnyx gave, after exactly one request', async () => {
    const sim = await simulator();
    const result = await clientFor(sim.baseUrl).dial('conn-1', body());
    expect(result).toEqual({ kind: 'accepted', callSid: sim.calls[0]!.callSid, status: 200 });
    expect(sim.requests).toHaveLength(1);
    expect(sim.calls[0]).toMatchObject({ connectionId: 'conn-1', to: '+14155550123', from: '+13125550100' });
    expect(sim.calls[0]!.body.SipAuthPassword).toBe('sip-password-secret');
    expectNoSecrets(result);
  });

  it('returns rejected with the code, title, detail and pointer of a 422', async () => {
    const sim = await simulator();
    const result = await clientFor(sim.baseUrl).dial('conn-1', body({ To: '4155550123' }));
    expect(result).toEqual({
      kind: 'rejected',
      status: 422,
      code: '10016',
      title: 'Invalid phone number',
      detail: 'To must be an E.164 number: + and country code, e.g. +13125550100.',
      pointer: '/To',
    });
    expect(sim.calls).toHaveLength(0);
  });

  it('returns auth for a wrong key (401), an unknown connection (404) and a forbidden one (403)', async () => {
    const sim = await simulator({ connectionIds: ['conn-1', 'conn-locked'], forbiddenConnectionIds: ['conn-locked'] });
    const wrongKey = await makeTelnyxClient({ apiKey: 'KEY-wrong', baseUrl: sim.baseUrl, timeoutMs: 2000 }).dial('conn-1', body());
    expect(wrongKey).toEqual({ kind: 'auth', status: 401, code: '10009', detail: 'The API key is missing or invalid.' });
    expect(await clientFor(sim.baseUrl).dial('conn-missing', body())).toEqual({
      kind: 'auth',
      status: 404,
      code: '10005',
      detail: 'Connection conn-missing was not found.',
    });
    expect(await clientFor(sim.baseUrl).dial('conn-locked', body())).toMatchObject({ kind: 'auth', status: 403, code: '10010' });
    expect(sim.calls).toHaveLength(0);
  });

  it('returns rateLimited with the wait from x-ratelimit-reset once the rolling window is full', async () => {
    const sim = await simulator({ rateLimit: { perSecond: 1, windowSeconds: 2 } });
    const client = clientFor(sim.baseUrl);
    expect((await client.dial('conn-1', body())).kind).toBe('accepted');
    expect((await client.dial('conn-1', body())).kind).toBe('accepted');
    const limited = await client.dial('conn-1', body());
    expect(limited).toMatchObject({ kind: 'rateLimited', status: 429, code: '90103' });
    expect(limited.kind === 'rateLimited' && limited.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(limited.kind === 'rateLimited' && limited.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(sim.calls).toHaveLength(2);
  });

  it('returns rateLimited without a wait when Telnyx gives no header', async () => {
    const sim = await simulator({ faults: { rate_limited: 1 } });
    expect(await clientFor(sim.baseUrl).dial('conn-1', body())).toEqual({ kind: 'rateLimited', status: 429, code: '10011', retryAfterMs: undefined });
  });

  it('reads Retry-After (seconds or HTTP date) when x-ratelimit-reset is absent', async () => {
    const now = Date.parse('2026-11-25T18:00:00Z');
    const values = ['7', new Date(now + 4000).toUTCString()];
    const { server, url } = await startHttp((_request, response) => {
      response.writeHead(429, { 'retry-after': values.shift()! }).end('{"errors":[{"code":"10011"}]}');
    });
    const client = makeTelnyxClient({ apiKey, baseUrl: url, timeoutMs: 2000, now: () => now });
    expect(await client.dial('conn-1', body())).toMatchObject({ kind: 'rateLimited', retryAfterMs: 7000 });
    expect(await client.dial('conn-1', body())).toMatchObject({ kind: 'rateLimited', retryAfterMs: 4000 });
    server.close();
  });

  it('returns notSent when nothing listens on the port (connection refused)', async () => {
    const result = await clientFor(`http://127.0.0.1:${await freePort()}/v2`).dial('conn-1', body());
    expect(result).toMatchObject({ kind: 'notSent', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('returns notSent when the host name does not resolve', async () => {
    const result = await clientFor('http://telnyx-simulator.invalid/v2').dial('conn-1', body());
    expect(result).toMatchObject({ kind: 'notSent', reason: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/) });
  });

  it('returns notSent for an unusable base URL', async () => {
    expect(await clientFor('ftp://example.com').dial('conn-1', body())).toMatchObject({ kind: 'notSent' });
    expect(await clientFor('not a url').dial('conn-1', body())).toMatchObject({ kind: 'notSent' });
    // fetch refuses some ports (here 1, tcpmux) before opening any connection.
    expect(await clientFor('http://127.0.0.1:1/v2').dial('conn-1', body())).toEqual({ kind: 'notSent', reason: 'bad port' });
  });

  it('returns ambiguous for a 5xx, whether or not the call was placed', async () => {
    for (const fault of ['server_error', 'server_error_after_placing'] as const) {
      const sim = await simulator({ faults: { [fault]: 1 } });
      const result = await clientFor(sim.baseUrl).dial('conn-1', body());
      expect(result).toMatchObject({ kind: 'ambiguous', status: 500, reason: 'HTTP 500 from Telnyx: 10007 An unexpected error occurred.' });
      expect(sim.requests).toHaveLength(1);
      expect(sim.calls).toHaveLength(fault === 'server_error' ? 0 : 1);
    }
  });

  it('returns ambiguous on timeout, whether or not the call was placed, and never sends twice', async () => {
    for (const fault of ['timeout_before_placing', 'timeout_after_placing'] as const) {
      const sim = await simulator({ faults: { [fault]: 1 } });
      const result = await clientFor(sim.baseUrl, 200).dial('conn-1', body());
      expect(result).toEqual({ kind: 'ambiguous', reason: 'no response within 200 ms (the call may have been placed)' });
      expect(sim.requests).toHaveLength(1);
      expect(sim.calls).toHaveLength(fault === 'timeout_before_placing' ? 0 : 1);
    }
  });

  it('returns ambiguous when the answer arrives only after the client gave up', async () => {
    const sim = await simulator({ faults: { timeout_after_placing: 1 }, hangMs: 300 });
    expect(await clientFor(sim.baseUrl, 100).dial('conn-1', body())).toMatchObject({ kind: 'ambiguous' });
    expect(sim.calls).toHaveLength(1);
  });

  it('returns ambiguous when the connection is reset after the request was read', async () => {
    const sim = await simulator({ faults: { reset_after_placing: 1 } });
    expect(await clientFor(sim.baseUrl).dial('conn-1', body())).toMatchObject({ kind: 'ambiguous', reason: expect.stringContaining('may have been placed') });
    expect(sim.calls).toHaveLength(1);
  });

  it('returns ambiguous when a bare server closes the socket after reading the request', async () => {
    let requests = 0;
    const server = createTcpServer((socket) => {
      socket.on('data', (chunk) => {
        if (chunk.toString().includes('"AIAssistantId"')) {
          requests += 1;
          socket.destroy();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const result = await clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`).dial('conn-1', body());
    expect(result).toMatchObject({ kind: 'ambiguous' });
    expect(requests).toBe(1);
    server.close();
  });

  it('returns ambiguous for a 200 whose body cannot be read as a call', async () => {
    const sim = await simulator({ faults: { garbled_after_placing: 1 } });
    expect(await clientFor(sim.baseUrl).dial('conn-1', body())).toEqual({ kind: 'ambiguous', status: 200, reason: 'HTTP 200 without a call_sid in the body' });
    expect(sim.calls).toHaveLength(1);
  });

  it('never follows a redirect (that would be a second POST)', async () => {
    let hits = 0;
    const { server, url } = await startHttp((_request, response) => {
      hits += 1;
      response.writeHead(307, { location: `${url}/elsewhere` }).end();
    });
    expect(await clientFor(url).dial('conn-1', body())).toMatchObject({ kind: 'rejected', status: 307, title: 'Unexpected redirect' });
    expect(hits).toBe(1);
    server.close();
  });

  it('scrubs the API key and SIP password even when a server echoes them back', async () => {
    const { server, url } = await startHttp((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += String(chunk)));
      request.on('end', () => {
        const detail = `${request.headers.authorization} ${JSON.parse(text).SipAuthPassword}`;
        response.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: '10015', title: 'Bad', detail }] }));
      });
    });
    const result = await clientFor(url).dial('conn-1', body());
    expect(result).toEqual({ kind: 'rejected', status: 422, code: '10015', title: 'Bad', detail: 'Bearer [redacted] [redacted]' });
    server.close();
  });

  it('refuses, without quoting it, an API key that cannot be sent as a header', () => {
    const badKey = 'KEY-with\nnewline';
    try {
      makeTelnyxClient({ apiKey: badKey, baseUrl: 'http://127.0.0.1:9/v2', timeoutMs: 100 });
      expect.unreachable('an unusable key must be refused');
    } catch (error) {
      expect(isDialerError(error, 'invalid_config')).toBe(true);
      expect((error as Error).message).not.toContain('KEY-with');
    }
  });
});

describe('classifyFetchFailure (the error shapes Node fetch produces)', () => {
  const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
  const systemError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

  it.each([
    [
      'refused on every address tried (happy eyeballs)',
      new AggregateError([systemError('ECONNREFUSED', 'connect'), systemError('ECONNREFUSED', 'connect')], 'connect failed'),
      'notSent',
    ],
    ['unreachable network while connecting', systemError('ENETUNREACH', 'connect'), 'notSent'],
    ['DNS temporary failure', systemError('EAI_AGAIN', 'getaddrinfo'), 'notSent'],
    ['connect timeout', Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), 'notSent'],
    ['TLS certificate rejected before any request byte', Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), 'notSent'],
    [
      'one address refused, the other reset mid-request',
      new AggregateError([systemError('ECONNREFUSED', 'connect'), systemError('ECONNRESET', 'read')], 'x'),
      'ambiguous',
    ],
    ['connection reset while reading', systemError('ECONNRESET', 'read'), 'ambiguous'],
    ['a connect-type code on a write', systemError('ENETUNREACH', 'write'), 'ambiguous'],
    ['other side closed', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'ambiguous'],
    ['something never seen before', new Error('surprise'), 'ambiguous'],
  ])('%s -> %s', (_label, cause, kind) => {
    expect(classifyFetchFailure(fetchFailed(cause), 1000).kind).toBe(kind);
  });

  it('treats our own timeout as ambiguous: fetch does not say whether the request was written', () => {
    expect(classifyFetchFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 1500)).toEqual({
      kind: 'ambiguous',
      reason: 'no response within 1500 ms (the call may have been placed)',
    });
  });
});
