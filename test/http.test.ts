import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeApp, type App } from '../src/app.ts';
import { makeServer } from '../src/http/server.ts';
import { makeCallFixture } from './support/call-fixtures.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';

const token = 'operator-token-0123456789';
const auth = { authorization: `Bearer ${token}` };
const validConfig = {
  name: 'spring',
  connectionId: 'conn-1',
  assistantId: 'assistant-1',
  from: '+12025550123',
  callsPerSecond: 2,
  maxConcurrentCalls: 3,
  sipAuthUsername: 'dialer',
  sipAuthPassword: 'hunter2-secret',
};

describe('operator HTTP API', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let app: App;
  let server: FastifyInstance;
  let closedApp: App;
  let withoutToken: FastifyInstance;

  beforeAll(async () => {
    app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: 'silent' }));
    server = await makeServer(app);
    closedApp = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' }));
    withoutToken = await makeServer(closedApp);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), withoutToken?.close()]);
    await Promise.all([app?.close(), closedApp?.close()]);
  });

  it('refuses operator routes without the right bearer token (401), and entirely without API_TOKEN (503)', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: token }, { authorization: `Bearer ${token}x` }]) {
      const response = await server.inject({ method: 'GET', url: '/api/campaigns', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'unauthorized', field: 'authorization' });
    }
    const disabled = await withoutToken.inject({ method: 'GET', url: '/api/campaigns', headers: auth });
    expect(disabled.statusCode).toBe(503);
    expect(disabled.json().error.message).toMatch(/set API_TOKEN/);
    expect((await server.inject({ method: 'GET', url: '/api/campaigns', headers: auth })).statusCode).toBe(200);
  });

  it('creates a campaign with the CLI’s validation: 400 naming the field; secrets never echoed', async () => {
    const bad = await server.inject({ method: 'POST', url: '/api/campaigns', headers: auth, payload: { ...validConfig, callsPerSecond: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_config', field: 'callsPerSecond' });
    const notJson = await server.inject({ method: 'POST', url: '/api/campaigns', headers: { ...auth, 'content-type': 'application/json' }, payload: '{nope' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('bad_request');

    const created = await server.inject({ method: 'POST', url: '/api/campaigns', headers: auth, payload: validConfig });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json();
    const shown = await server.inject({ method: 'GET', url: `/api/campaigns/${id}`, headers: auth });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ id, name: 'spring', status: 'draft' });
    expect(shown.body).not.toContain('hunter2-secret');
    const again = await server.inject({ method: 'POST', url: '/api/campaigns', headers: auth, payload: validConfig });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toEqual({ code: 'conflict', message: 'a campaign named "spring" already exists', field: 'name' });
    const missing = await server.inject({ method: 'GET', url: '/api/campaigns/00000000-0000-4000-8000-000000000000', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('updates a draft campaign by id or name (PUT) with the same validation; a started one is refused (409)', async () => {
    const created = await server.inject({ method: 'POST', url: '/api/campaigns', headers: auth, payload: { ...validConfig, name: 'to fix' } });
    const { id } = created.json();
    const updated = await server.inject({
      method: 'PUT',
      url: '/api/campaigns/to%20fix',
      headers: auth,
      payload: { ...validConfig, name: 'fixed', timeout: 45 },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toEqual({ id, name: 'fixed', status: 'draft' });
    expect((await server.inject({ method: 'GET', url: `/api/campaigns/${id}`, headers: auth })).json()).toMatchObject({
      name: 'fixed',
      config: { timeout: 45 },
    });

    const bad = await server.inject({
      method: 'PUT',
      url: `/api/campaigns/${id}`,
      headers: auth,
      payload: { ...validConfig, name: 'fixed', timout: 45, from: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_config');
    expect(bad.json().error.message).toMatch(/^invalid campaign config \(2 problems\): from: .*; timout: unknown key \(did you mean 'timeout'\?\)$/);
    expect(bad.body).not.toContain('hunter2-secret');
    await server.inject({ method: 'POST', url: '/api/campaigns', headers: auth, payload: { ...validConfig, name: 'taken' } });
    const taken = await server.inject({ method: 'PUT', url: `/api/campaigns/${id}`, headers: auth, payload: { ...validConfig, name: 'taken' } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'conflict', field: 'name' });

    await db.pool.query(`UPDATE campaign SET status = 'running' WHERE id = $1`, [id]);
    const started = await server.inject({ method: 'PUT', url: `/api/campaigns/${id}`, headers: auth, payload: { ...validConfig, name: 'fixed' } });
    expect(started.statusCode).toBe(409);
    expect(started.json().error).toEqual({
      code: 'invalid_state',
      message: `campaign ${id} is running; only a draft campaign can be updated`,
      field: 'campaign',
    });
  });

  it('serves status with outcome counts, results page by page with a cursor, and a CSV download', async () => {
    const fixture = await makeCallFixture(db.pool, { variables: { first_name: '=cmd|x' } });
    for (let i = 0; i < 4; i += 1) {
      await db.pool.query(`INSERT INTO contact (campaign_id, phone, state, outcome) VALUES ($1, $2, 'busy', 'busy')`, [fixture.campaignId, `+1666000000${i}`]);
    }
    const status = await server.inject({ method: 'GET', url: `/api/campaigns/${fixture.campaignId}/status`, headers: auth });
    expect(status.statusCode, status.body).toBe(200);
    expect(status.json()).toMatchObject({ id: fixture.campaignId, callsInProgress: 1, outcomes: { busy: 4 } });

    const phones: string[] = [];
    let url = `/api/campaigns/${fixture.campaignId}/results?limit=2`;
    for (;;) {
      const page = await server.inject({ method: 'GET', url, headers: auth });
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json();
      phones.push(...body.results.map((row: { phone: string }) => row.phone));
      if (!body.nextCursor) break;
      url = `/api/campaigns/${fixture.campaignId}/results?limit=2&after=${body.nextCursor}`;
    }
    expect(phones).toHaveLength(5);
    expect(new Set(phones).size).toBe(5);

    const csv = await server.inject({ method: 'GET', url: `/api/campaigns/${fixture.campaignId}/results?format=csv`, headers: auth });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(6);
    expect(csv.body).toContain(`'=cmd|x`);

    const badLimit = await server.inject({ method: 'GET', url: `/api/campaigns/${fixture.campaignId}/results?limit=0`, headers: auth });
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().error.field).toBe('limit');
  });

  it('uploads a streamed CSV, serves its rejections, and drives the lifecycle (start, pause, resume, cancel)', async () => {
    const created = await server.inject({ method: 'POST', url: '/api/campaigns', headers: auth, payload: { ...validConfig, name: 'upload' } });
    const { id } = created.json();
    const csv = 'phone,first_name\n+12025550111,Ada\nnot-a-phone,Bo\n+12025550112,Cy\n';
    const upload = await server.inject({
      method: 'POST',
      url: `/api/campaigns/${id}/contacts?fileName=people.csv`,
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(upload.statusCode, upload.body).toBe(201);
    expect(upload.json()).toMatchObject({ campaignId: id, rowsRead: 3, imported: 2, rejectedCount: 1 });
    const contacts = await db.pool.query(`SELECT phone, variables FROM contact WHERE campaign_id = $1 ORDER BY phone`, [id]);
    expect(contacts.rows).toEqual([
      { phone: '+12025550111', variables: { first_name: 'Ada' } },
      { phone: '+12025550112', variables: { first_name: 'Cy' } },
    ]);
    const rejections = await server.inject({ method: 'GET', url: `/api/campaigns/${id}/rejections`, headers: auth });
    expect(rejections.statusCode).toBe(200);
    expect(rejections.body.trim().split('\n')).toHaveLength(2);
    expect(rejections.body).toContain('not-a-phone');

    // The same upload as a browser form sends it: multipart/form-data with one file part.
    const boundary = 'dialer-test-boundary';
    const multipartHeaders = { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const filePart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="../exports/more people.csv"\r\nContent-Type: text/csv\r\n\r\nphone\n+12025550113\n\r\n--${boundary}--\r\n`;
    const form = await server.inject({ method: 'POST', url: `/api/campaigns/${id}/contacts`, headers: multipartHeaders, payload: filePart });
    expect(form.statusCode, form.body).toBe(201);
    expect(form.json()).toMatchObject({ campaignId: id, rowsRead: 1, imported: 1, rejectedCount: 0 });
    const imports = await db.pool.query(`SELECT file_name FROM import WHERE campaign_id = $1 ORDER BY started_at`, [id]);
    expect(imports.rows.map((row) => row.file_name)).toEqual(['people.csv', 'more people.csv']);
    const fieldOnly = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`;
    const noFile = await server.inject({ method: 'POST', url: `/api/campaigns/${id}/contacts`, headers: multipartHeaders, payload: fieldOnly });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().error.field).toBe('file');

    const wrongType = await server.inject({ method: 'POST', url: `/api/campaigns/${id}/contacts`, headers: auth, payload: { phone: '+1' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.field).toBe('content-type');

    const act = (action: string) => server.inject({ method: 'POST', url: `/api/campaigns/${id}/${action}`, headers: auth });
    expect((await act('start')).json()).toMatchObject({ id, status: 'running' });
    expect((await act('pause')).json()).toMatchObject({ id, status: 'paused' });
    expect((await act('resume')).json()).toMatchObject({ id, status: 'running' });
    expect((await act('cancel')).json()).toMatchObject({ id, status: 'canceled' });
    const again = await act('start');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('invalid_state');
    expect((await act('explode')).statusCode).toBe(404);
    const status = await server.inject({ method: 'GET', url: `/api/campaigns/${id}/status`, headers: auth });
    expect(status.json()).toMatchObject({ id, status: 'canceled' });
  });

  it('reports health of Postgres and Redis, Prometheus metrics, and JSON 404s', async () => {
    const health = await server.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
    const metrics = await server.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^dialer_calls_in_progress \d+$/m);
    const nowhere = await server.inject({ method: 'GET', url: '/nowhere' });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json().error.code).toBe('not_found');
  });

  it('reports unhealthy when Redis is unreachable', async () => {
    const broken = makeApp(testConfig({ DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' }));
    broken.redis().on('error', () => undefined); // expected: nothing listens on port 1
    const brokenServer = await makeServer(broken);
    try {
      const health = await brokenServer.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'unavailable', postgres: 'ok' });
      expect(health.json().redis).not.toBe('ok');
    } finally {
      await brokenServer.close();
      // app.close() would wait on QUIT to a Redis that never answers.
      broken.redis().disconnect();
      await Promise.all([broken.pool.end(), broken.prisma.$disconnect()]);
    }
  });
});
