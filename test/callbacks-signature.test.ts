import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSigningKeyPair, signCallback } from '../src/telnyx/signature.ts';
import { answeredCallEvents, makeCallFixture } from './support/call-fixtures.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('callback signatures and hostile input', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const telnyx = makeSigningKeyPair();
  const forger = makeSigningKeyPair();
  let clock = new Date('2026-11-25T15:00:00Z');

  const ctx = useTestApp(db, { QUEUE_PREFIX: prefix, TELNYX_PUBLIC_KEY: telnyx.publicKey }, { server: { now: () => clock } });

  const nowSeconds = () => clock.getTime() / 1000;
  const send = (url: string, body: string, headers: Record<string, string>) =>
    ctx.server.inject({ method: 'POST', url, payload: body, headers: { ...form, ...headers } });
  const events = async (attemptId: string) => Number((await db.pool.query('SELECT count(*) FROM call_event WHERE attempt_id = $1', [attemptId])).rows[0].count);

  it('accepts a correctly signed POST callback', async () => {
    const fixture = await makeCallFixture(db.pool);
    const [initiated] = answeredCallEvents(fixture.call);
    const url = `/callbacks/status/${fixture.attemptId}`;
    expect((await send(url, initiated!.body, signCallback(telnyx.privateKey, initiated!.body, nowSeconds()))).statusCode).toBe(200);
    expect(await events(fixture.attemptId)).toBe(1);
  });

  it('refuses fields sent in the URL, which the signature (over the empty body) does not cover', async () => {
    const fixture = await makeCallFixture(db.pool);
    const [, ringing] = answeredCallEvents(fixture.call);
    const headers = signCallback(telnyx.privateKey, '', nowSeconds());
    for (const method of ['GET', 'POST'] as const) {
      const response = await ctx.server.inject({ method, url: `/callbacks/status/${fixture.attemptId}?${ringing!.body}`, headers });
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().error).toMatchObject({ code: 'unauthorized', field: 'method' });
    }
    expect(await events(fixture.attemptId)).toBe(0);
    expect((await ctx.server.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      'dialer_callback_signatures_rejected_total{reason="unsigned_fields"} 2',
    );
  });

  it('refuses missing (401), forged, tampered, replayed-old and future signatures (403), storing nothing', async () => {
    const fixture = await makeCallFixture(db.pool);
    const [, ringing, answered] = answeredCallEvents(fixture.call);
    const url = `/callbacks/status/${fixture.attemptId}`;
    const body = ringing!.body;
    const good = signCallback(telnyx.privateKey, body, nowSeconds());

    expect((await send(url, body, {})).statusCode).toBe(401);
    expect((await send(url, body, { 'telnyx-timestamp': good['telnyx-timestamp']! })).statusCode).toBe(401);
    const forged = await send(url, body, signCallback(forger.privateKey, body, nowSeconds()));
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error).toMatchObject({ code: 'unauthorized', field: 'telnyx-signature-ed25519' });
    // The body of another event under this event's signature, and this body under a shifted timestamp.
    expect((await send(url, answered!.body, good)).statusCode).toBe(403);
    expect((await send(url, body, { ...good, 'telnyx-timestamp': String(Number(good['telnyx-timestamp']) + 1) })).statusCode).toBe(403);
    expect((await send(url, body, { ...good, 'telnyx-signature-ed25519': 'not base64 at all!' })).statusCode).toBe(403);
    expect((await send(url, body, signCallback(telnyx.privateKey, body, nowSeconds() - 301))).statusCode).toBe(403);
    expect((await send(url, body, signCallback(telnyx.privateKey, body, nowSeconds() + 301))).statusCode).toBe(403);
    expect(await events(fixture.attemptId)).toBe(0);

    // A captured valid callback replayed after the window is refused too.
    const captured = signCallback(telnyx.privateKey, body, nowSeconds());
    clock = new Date(clock.getTime() + 301_000);
    expect((await send(url, body, captured)).statusCode).toBe(403);
    expect((await send(url, body, signCallback(telnyx.privateKey, body, nowSeconds()))).statusCode).toBe(200);
    expect(await events(fixture.attemptId)).toBe(1);

    const metrics = (await ctx.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/dialer_callback_signatures_rejected_total\{reason="missing"\} 2/);
    expect(metrics).toMatch(/dialer_callback_signatures_rejected_total\{reason="invalid"\} 4/);
    expect(metrics).toMatch(/dialer_callback_signatures_rejected_total\{reason="expired"\} 3/);
  });

  it('survives random bytes, headers, methods and paths: never a 5xx, and still serves afterwards', async () => {
    const fixture = await makeCallFixture(db.pool);
    const contentTypes = [
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      '',
      '\u0000',
      'application/json; charset=utf-16',
    ];
    const paths = [
      `/callbacks/status/${fixture.attemptId}`,
      `/callbacks/amd/${fixture.attemptId}`,
      '/callbacks/status/%00%ff',
      '/callbacks/x/y',
      `/callbacks/recording/${'a'.repeat(3000)}`,
    ];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round += 1) {
      const signed = random(2) === 0;
      const raw = randomBytes(random(4096));
      const body = random(3) === 0 ? Buffer.from(JSON.stringify({ data: { payload: { garbage: raw.toString('latin1') } } })) : raw;
      const headers: Record<string, string> = { 'content-type': contentTypes[random(contentTypes.length)]! };
      if (signed) Object.assign(headers, signCallback(telnyx.privateKey, body, nowSeconds()));
      else if (random(2) === 0)
        Object.assign(headers, { 'telnyx-timestamp': String(random(1e9)), 'telnyx-signature-ed25519': raw.toString('base64').slice(0, 88) });
      const response = await ctx.server.inject({ method: random(4) === 0 ? 'GET' : 'POST', url: paths[random(paths.length)]!, payload: body, headers });
      expect(response.statusCode, `round ${round}: ${response.body}`).toBeLessThan(500);
    }
    const [initiated] = answeredCallEvents(fixture.call);
    const after = await send(`/callbacks/status/${fixture.attemptId}`, initiated!.body, signCallback(telnyx.privateKey, initiated!.body, nowSeconds()));
    expect(after.statusCode).toBe(200);
  });
});
