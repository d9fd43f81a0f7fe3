import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type App } from '../src/app.ts';
import type { SignInLimits } from '../src/console/sign-in-limit.ts';
import { makeServer } from '../src/http/server.ts';
import { makeLogger } from '../src/log.ts';
import { useTestDatabase } from './support/database.ts';
import { useSharedRedisCluster } from './support/redis-cluster.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';
import { waitFor } from './support/wait-for.ts';

const token = 'sign-in-limit-token-0123456789';
const wrongToken = 'guessed-token-abcdefghijkl';

describe('failed sign-ins are limited (console and API token)', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const opened: { app: App; server: FastifyInstance }[] = [];

  /** A server with its own Redis keys (QUEUE_PREFIX) and the given limits; its log lines land in `logs`. */
  async function serve(name: string, signInLimits: SignInLimits) {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: `${prefix}-${name}`, API_TOKEN: token }), makeLogger('info', sink));
    const server = await makeServer(app, { signInLimits });
    opened.push({ app, server });
    return { server, logs: lines };
  }
  afterAll(async () => {
    for (const { app, server } of opened) {
      await server.close();
      await app.close();
    }
  });

  const signIn = (server: FastifyInstance, presented: string, remoteAddress: string) =>
    server.inject({
      method: 'POST',
      url: '/sign-in',
      payload: new URLSearchParams({ token: presented }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      remoteAddress,
    });
  const callApi = (server: FastifyInstance, presented: string, remoteAddress: string) =>
    server.inject({ method: 'GET', url: '/api/campaigns', headers: { authorization: `Bearer ${presented}` }, remoteAddress });

  const long = 15 * 60_000;

  describe('per client address', () => {
    let server: FastifyInstance;
    let logs: string[];
    beforeAll(async () => {
      ({ server, logs } = await serve('address', { perAddress: { max: 10, windowMs: long }, overall: { max: 1000, windowMs: long } }));
    });

    it('refuses the 11th failed attempt from one address with 429 and Retry-After, even with the right token', async () => {
      for (let attempt = 1; attempt <= 10; attempt++) expect((await signIn(server, wrongToken, '10.0.0.1')).statusCode, `attempt ${attempt}`).toBe(401);
      for (const presented of [wrongToken, token]) {
        const refused = await signIn(server, presented, '10.0.0.1');
        expect(refused.statusCode).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
        expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
        expect(refused.headers['set-cookie']).toBeUndefined();
        expect(refused.body).toContain('Too many failed sign-ins from your address: try again in 15 minutes.');
        expect(refused.body).toContain('type="password"');
      }
      // The API's bearer token is the same secret: the same count refuses it there too.
      const api = await callApi(server, token, '10.0.0.1');
      expect(api.statusCode).toBe(429);
      expect(api.headers['retry-after']).toBeDefined();
      expect(api.json()).toMatchObject({ error: { code: 'too_many_attempts' } });
    });

    it('lets another address sign in, and that success does not clear the refused address', async () => {
      const other = await signIn(server, token, '10.0.0.2');
      expect(other.statusCode).toBe(303);
      expect(String(other.headers['set-cookie'])).toMatch(/^dialer_console=/);
      expect((await callApi(server, token, '10.0.0.2')).statusCode).toBe(200);
      expect((await signIn(server, token, '10.0.0.1')).statusCode).toBe(429);
    });

    it('counts attempts sent at once exactly: no more than the limit get their token compared', async () => {
      const answers = await Promise.all(Array.from({ length: 30 }, () => signIn(server, wrongToken, '10.0.0.3')));
      const statuses = answers.map((answer) => answer.statusCode);
      expect(statuses.filter((status) => status === 401)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    });

    it('counts wrong API tokens too, and right ones not at all', async () => {
      for (let attempt = 1; attempt <= 12; attempt++) expect((await callApi(server, token, '10.0.0.4')).statusCode).toBe(200);
      for (let attempt = 1; attempt <= 10; attempt++) expect((await callApi(server, wrongToken, '10.0.0.4')).statusCode).toBe(401);
      expect((await callApi(server, token, '10.0.0.4')).statusCode).toBe(429);
      expect((await signIn(server, token, '10.0.0.4')).statusCode).toBe(429);
    });

    it('answers 30 API requests with the right token sent at once from one address', async () => {
      const answers = await Promise.all(Array.from({ length: 30 }, () => callApi(server, token, '10.0.0.5')));
      expect(answers.map((answer) => answer.statusCode)).toEqual(Array(30).fill(200));
    });

    it('logs refused attempts at warn with the address, never a presented token', async () => {
      const lines = logs.map((line) => JSON.parse(line) as { level: number; msg: string; ip?: string });
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'console sign-in refused: too many failed attempts', ip: '10.0.0.1' }));
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'operator API refused: too many wrong tokens', ip: '10.0.0.1' }));
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'console sign-in refused: wrong token', ip: '10.0.0.1' }));
      const text = logs.join('');
      expect(text).not.toContain(wrongToken);
      expect(text).not.toContain(token);
    });
  });

  it('lets an address sign in again once its window has passed', async () => {
    const { server } = await serve('window', { perAddress: { max: 3, windowMs: 4000 }, overall: { max: 1000, windowMs: long } });
    for (let attempt = 1; attempt <= 3; attempt++) expect((await signIn(server, wrongToken, '10.0.1.1')).statusCode).toBe(401);
    const refused = await signIn(server, token, '10.0.1.1');
    expect(refused.statusCode).toBe(429);
    expect(['1', '2', '3', '4']).toContain(refused.headers['retry-after']);
    // Refused attempts are not counted: retrying while refused does not push the window on.
    await waitFor(async () => (await signIn(server, token, '10.0.1.1')).statusCode === 303, {
      description: 'the right token accepted from the address once its window ends',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  });

  it('refuses sign-in with 503, without comparing the token, when Redis does not answer; the API still compares it', { timeout: 20_000 }, async () => {
    const broken = makeApp(
      testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: `${prefix}-broken`, REDIS_URL: 'redis://127.0.0.1:1', API_TOKEN: token, LOG_LEVEL: 'silent' }),
    );
    broken.redis().on('error', () => undefined); // expected: nothing listens on port 1
    const server = await makeServer(broken);
    try {
      const page = await signIn(server, token, '10.0.3.1');
      expect(page.statusCode).toBe(503);
      expect(page.headers['set-cookie']).toBeUndefined();
      expect(page.body).toContain('is not answering: try again in a moment.');
      // The operator API still takes the right token (pausing a campaign must work during an outage).
      expect((await callApi(server, token, '10.0.3.1')).statusCode).toBe(200);
      expect((await callApi(server, 'a-wrong-token-0123456789', '10.0.3.1')).statusCode).toBe(401);
    } finally {
      await server.close();
      // app.close() would wait on QUIT to a Redis that never answers.
      broken.redis().disconnect();
      await Promise.all([broken.pool.end(), broken.prisma.$disconnect()]);
    }
  });

  describe('on a Redis Cluster', () => {
    // A prefix of its own: the cluster's cleanup deletes the hash-tagged groups `{prefix:...}`.
    const clusterPrefix = `${prefix}c`;
    const cluster = useSharedRedisCluster(clusterPrefix);

    it('counts in one hash-tagged group, so both keys of a script share a slot', async () => {
      const app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: clusterPrefix, ...cluster, API_TOKEN: token, LOG_LEVEL: 'silent' }));
      const server = await makeServer(app, { signInLimits: { perAddress: { max: 2, windowMs: long }, overall: { max: 1000, windowMs: long } } });
      opened.push({ app, server });
      for (let attempt = 1; attempt <= 2; attempt++) expect((await signIn(server, wrongToken, '10.0.4.1')).statusCode).toBe(401);
      expect((await signIn(server, token, '10.0.4.1')).statusCode).toBe(429);
      expect((await callApi(server, wrongToken, '10.0.4.2')).statusCode).toBe(401);
      // One MGET of the three keys: refused with CROSSSLOT unless they share the slot.
      const group = `{${clusterPrefix}:sign-in}`;
      const counts = await app.redis().mget(`${group}:failures:address:10.0.4.1`, `${group}:failures:address:10.0.4.2`, `${group}:failures:all`);
      expect(counts).toEqual(['2', '1', '3']);
    });
  });

  it('bounds failures spread over many addresses with the overall ceiling', async () => {
    const { server } = await serve('overall', { perAddress: { max: 10, windowMs: long }, overall: { max: 5, windowMs: long } });
    for (let address = 1; address <= 5; address++) expect((await signIn(server, wrongToken, `10.0.2.${address}`)).statusCode).toBe(401);
    const fresh = await signIn(server, token, '10.0.2.99');
    expect(fresh.statusCode).toBe(429);
    expect(Number(fresh.headers['retry-after'])).toBeGreaterThan(60);
    expect(fresh.body).toContain('Too many failed sign-ins from all addresses together');
  });
});
