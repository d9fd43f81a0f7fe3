import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { makeApp, type App } from '../src/app.ts';
import { createCampaign } from '../src/campaigns/create-campaign.ts';
import { contentSecurityPolicy } from '../src/console/console-routes.ts';
import { makeServer } from '../src/http/server.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';
import { waitFor } from './support/wait-for.ts';

const token = 'console-token-0123456789';
const config = { connectionId: 'conn-1', assistantId: 'assistant-1', from: '+12025550123', callsPerSecond: 2, maxConcurrentCalls: 3 };

describe('operator console (server side)', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let app: App;
  let server: FastifyInstance;
  let campaignId: string;

  beforeAll(async () => {
    app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: 'silent' }));
    server = await makeServer(app);
    campaignId = (await createCampaign(app, { ...config, name: 'Secret <b>spring</b> reminders' })).id;
    await app.pool.query(
      `INSERT INTO contact (campaign_id, phone, variables, state, outcome) VALUES
        ($1, '+13125550101', '{"first_name": "Ann"}', 'completed', 'completed'),
        ($1, '+13125550102', '{"first_name": "Bob"}', 'busy', 'busy'),
        ($1, '+14155550103', '{"first_name": "Cy"}', 'pending', NULL)`,
      [campaignId],
    );
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  async function signIn(): Promise<{ cookie: string; csrf: string }> {
    const response = await server.inject({
      method: 'POST',
      url: '/sign-in',
      payload: `token=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(303);
    const cookie = String(response.headers['set-cookie']).split(';')[0]!;
    const page = await server.inject({ method: 'GET', url: '/campaigns', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    return { cookie, csrf };
  }

  const form = (fields: Record<string, string>) => ({
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const campaignStatus = async () => (await app.pool.query<{ status: string }>('SELECT status FROM campaign WHERE id = $1', [campaignId])).rows[0]!.status;

  it('signed out: the sign-in page only; no page or fragment shows campaign data, every change is refused', async () => {
    const home = await server.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('type="password"');
    for (const url of [
      '/campaigns',
      `/campaigns/${campaignId}`,
      `/campaigns/${campaignId}/results`,
      `/campaigns/${campaignId}/results.csv`,
      `/campaigns/${campaignId}/plan`,
    ]) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe('/');
      expect(response.body).not.toContain('spring');
    }
    const live = await server.inject({ method: 'GET', url: `/campaigns/${campaignId}/live`, headers: { 'hx-request': 'true' } });
    expect(live.statusCode).toBe(401);
    expect(live.headers['hx-redirect']).toBe('/');
    expect(live.body).not.toContain('spring');
    for (const action of ['start', 'cancel']) {
      const response = await server.inject({ method: 'POST', url: `/campaigns/${campaignId}/${action}`, ...form({ _csrf: 'x' }) });
      expect(response.statusCode).toBe(401);
    }
    const created = await server.inject({ method: 'POST', url: '/campaigns', ...form({ config: JSON.stringify({ ...config, name: 'sneaky' }) }) });
    expect(created.statusCode).toBe(401);
    expect(await campaignStatus()).toBe('draft');
    expect((await app.pool.query(`SELECT 1 FROM campaign WHERE name = 'sneaky'`)).rowCount).toBe(0);
  });

  it('sets a signed HttpOnly SameSite=Strict cookie with an expiry; a wrong token gets none', async () => {
    const wrong = await server.inject({ method: 'POST', url: '/sign-in', ...form({ token: 'wrong-token-0123456789' }) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const right = await server.inject({ method: 'POST', url: '/sign-in', ...form({ token }) });
    expect(right.statusCode).toBe(303);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(/^dialer_console=[\w-]+\.[\w-]+; Path=\/; Max-Age=28800; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(token);
    // A forged or altered session id is not a session.
    const forged = cookie.split(';')[0]!.replace(/\.[\w-]+$/, '.AAAA');
    expect((await server.inject({ method: 'GET', url: '/campaigns', headers: { cookie: forged } })).statusCode).toBe(303);
  });

  it('serves every page under a strict CSP, without inline script or style', async () => {
    const { cookie } = await signIn();
    for (const url of ['/', '/campaigns', '/campaigns/new', `/campaigns/${campaignId}`, `/campaigns/${campaignId}/results`, `/campaigns/${campaignId}/plan`]) {
      const response = await server.inject({ method: 'GET', url, headers: { cookie } });
      expect(response.statusCode, url).toBeLessThan(400);
      expect(response.headers['content-security-policy']).toBe(contentSecurityPolicy);
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(response.body).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    }
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).not.toContain('unsafe');
    for (const asset of ['htmx.min.js', 'chart.umd.min.js', 'console.js', 'console.css']) {
      const response = await server.inject({ method: 'GET', url: `/console/assets/${asset}` });
      expect(response.statusCode, asset).toBe(200);
    }
    expect((await server.inject({ method: 'GET', url: '/console/assets/..%2Fsession.ts' })).statusCode).toBe(404);
  });

  it('escapes every value it shows', async () => {
    const { cookie } = await signIn();
    const list = await server.inject({ method: 'GET', url: '/campaigns', headers: { cookie } });
    expect(list.body).toContain('Secret &lt;b&gt;spring&lt;/b&gt; reminders');
    expect(list.body).not.toContain('<b>spring');
  });

  it('refuses a change without the CSRF token, or from another site, and makes it with the token', async () => {
    const { cookie, csrf } = await signIn();
    const without = await server.inject({ method: 'POST', url: `/campaigns/${campaignId}/start`, headers: { cookie } });
    expect(without.statusCode).toBe(403);
    const wrong = await server.inject({
      method: 'POST',
      url: `/campaigns/${campaignId}/start`,
      ...form({ _csrf: 'not-the-token' }),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrong.statusCode).toBe(403);
    const crossSite = await server.inject({
      method: 'POST',
      url: `/campaigns/${campaignId}/start`,
      payload: new URLSearchParams({ _csrf: csrf }).toString(),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(await campaignStatus()).toBe('draft');
    const started = await server.inject({
      method: 'POST',
      url: `/campaigns/${campaignId}/start`,
      payload: new URLSearchParams({ _csrf: csrf }).toString(),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(started.statusCode).toBe(303);
    expect(await campaignStatus()).toBe('running');
    // A refused move is shown on the campaign page, not as an error page.
    const draft = await createCampaign(app, { ...config, name: 'still a draft' });
    const refused = await server.inject({ method: 'POST', url: `/campaigns/${draft.id}/pause`, headers: { cookie, 'x-csrf-token': csrf } });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('only a running campaign can be paused');
    expect(refused.body).toContain('Cancel campaign');
    const paused = await server.inject({ method: 'POST', url: `/campaigns/${campaignId}/pause`, headers: { cookie, 'x-csrf-token': csrf } });
    expect(paused.statusCode).toBe(303);
    expect(await campaignStatus()).toBe('paused');
  });

  it('shows every config problem next to its field path, and creates a valid campaign', async () => {
    const { cookie, csrf } = await signIn();
    const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded' };
    const bad = { ...config, name: 'new one', callsPerSecond: -1, timout: 30, customHeaders: [{ name: 'bad name', value: 'x' }] };
    const invalid = await server.inject({
      method: 'POST',
      url: '/campaigns',
      headers,
      payload: new URLSearchParams({ config: JSON.stringify(bad) }).toString(),
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('<li><code>callsPerSecond</code>:');
    expect(invalid.body).toContain('<li><code>timout</code>: unknown key (did you mean &#39;timeout&#39;?)');
    expect(invalid.body).toContain('<li><code>customHeaders[0].name</code>:');
    const notJson = await server.inject({ method: 'POST', url: '/campaigns', headers, payload: new URLSearchParams({ config: '{"name": ' }).toString() });
    expect(notJson.body).toContain('<li><code>config</code>: campaign config the config is not valid JSON');
    const taken = await server.inject({
      method: 'POST',
      url: '/campaigns',
      headers,
      payload: new URLSearchParams({ config: JSON.stringify({ ...config, name: 'Secret <b>spring</b> reminders' }) }).toString(),
    });
    expect(taken.body).toContain('<li><code>name</code>: a campaign named');
    const created = await server.inject({
      method: 'POST',
      url: '/campaigns',
      headers,
      payload: new URLSearchParams({ config: JSON.stringify({ ...config, name: 'new one' }) }).toString(),
    });
    expect(created.statusCode).toBe(303);
    const page = await server.inject({ method: 'GET', url: created.headers.location!, headers: { cookie } });
    expect(page.body).toContain('<h1>new one</h1>');
  });

  it('filters the results by state, outcome and phone, pages them, downloads the filter as CSV and shows a contact', async () => {
    const { cookie } = await signIn();
    const results = (query: string) => server.inject({ method: 'GET', url: `/campaigns/${campaignId}/results${query}`, headers: { cookie } });
    const phonesOf = (response: LightMyRequestResponse) => [...response.body.matchAll(/>(\+\d+)<\/a>/g)].map((match) => match[1]);
    expect(phonesOf(await results(''))).toEqual(['+13125550101', '+13125550102', '+14155550103']);
    expect(phonesOf(await results('?state=busy'))).toEqual(['+13125550102']);
    expect(phonesOf(await results('?outcome=completed'))).toEqual(['+13125550101']);
    expect(phonesOf(await results('?phone=%2B1+(415)'))).toEqual(['+14155550103']);
    expect(phonesOf(await results('?phone=1312555010'))).toEqual(['+13125550101', '+13125550102']);
    expect(phonesOf(await results('?phone=1312555019'))).toEqual([]);
    expect(phonesOf(await results('?phone=14159'))).toEqual([]);
    expect((await results('?state=nonsense')).statusCode).toBe(400);
    const csv = await server.inject({ method: 'GET', url: `/campaigns/${campaignId}/results.csv?phone=1312`, headers: { cookie } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\n')).toHaveLength(3);
    expect(csv.body).not.toContain('+14155550103');
    const contactId = /href="\/contacts\/([\w-]+)">\+13125550102/.exec((await results('')).body)![1];
    const contact = await server.inject({ method: 'GET', url: `/contacts/${contactId}`, headers: { cookie } });
    expect(contact.statusCode).toBe(200);
    expect(contact.body).toMatch(/<dt>first_name<\/dt>\s*<dd>Bob<\/dd>/);
    expect(contact.body).toContain('Not dialed yet.');
  });

  it('without API_TOKEN the console is disabled: no sign-in is possible', async () => {
    const closedApp = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' }));
    const closed = await makeServer(closedApp);
    try {
      const home = await closed.inject({ method: 'GET', url: '/' });
      expect(home.statusCode).toBe(503);
      expect(home.body).toContain('The console is disabled');
      expect(home.body).not.toContain('type="password"');
      const signIn = await closed.inject({ method: 'POST', url: '/sign-in', ...form({ token: '' }) });
      expect(signIn.statusCode).toBe(503);
      expect(signIn.headers['set-cookie']).toBeUndefined();
      expect((await closed.inject({ method: 'GET', url: '/campaigns' })).statusCode).toBe(303);
    } finally {
      await closed.close();
      await closedApp.close();
    }
  });

  it("shows what the calls achieved: the goal rate per campaign, a contact's transcript and insights", async () => {
    const { cookie } = await signIn();
    const campaignsPage = async () => (await server.inject({ method: 'GET', url: '/campaigns', headers: { cookie } })).body;
    // No conversation recorded yet: no goal column at all, never a placeholder figure.
    expect(await campaignsPage()).not.toContain('Goal rate');
    const { rows: contacts } = await app.pool.query<{ id: string; phone: string }>(`SELECT id, phone FROM contact WHERE campaign_id = $1 ORDER BY phone`, [
      campaignId,
    ]);
    const [ann, bob] = contacts;
    // As the post-call work records them: Ann's call met the goal, Bob's did not.
    for (const [contact, goalMet] of [
      [ann!, true],
      [bob!, false],
    ] as const) {
      const { rows } = await app.pool.query<{ id: string }>(
        `INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid) VALUES ($1, $2, 1, 'completed', $3) RETURNING id`,
        [contact.id, campaignId, `v3:${contact.phone}`],
      );
      await app.pool.query(
        `INSERT INTO call_conversation (attempt_id, campaign_id, contact_id, state, conversation_id, transcript, insights, goal_met, opted_out, deadline_at)
         VALUES ($1, $2, $3, 'completed', 'conv-1', $4, $5, $6, false, now())`,
        [
          rows[0]!.id,
          campaignId,
          contact.id,
          JSON.stringify([
            { role: 'assistant', text: 'Hello, is this <Ann>?', at: '2026-12-03T10:00:00Z' },
            { role: 'user', text: 'Yes, I confirm.', at: '2026-12-03T10:00:04Z' },
          ]),
          JSON.stringify([
            { id: 'ins-1', label: 'appointment', status: 'completed', raw: '{"confirmed":true}', parsed: { confirmed: goalMet } },
            { id: 'ins-2', label: null, status: 'failed', raw: null, parsed: null },
          ]),
          goalMet,
        ],
      );
    }
    // The list and the campaign page serve figures recounted in the background: the next count shows them.
    await waitFor(async () => (await campaignsPage()).includes('>50%<'), { description: 'the goal rate, 50 %, in the campaign list', timeoutMs: 10_000 });
    expect(await campaignsPage()).toContain('Goal rate');
    const campaignPage = async () => (await server.inject({ method: 'GET', url: `/campaigns/${campaignId}/live`, headers: { cookie } })).body;
    await waitFor(async () => /<dd>50%<\/dd>/.test(await campaignPage()), { description: 'the goal rate, 50 %, on the campaign page', timeoutMs: 10_000 });
    const page = (await server.inject({ method: 'GET', url: `/contacts/${ann!.id}`, headers: { cookie } })).body;
    expect(page).toMatch(/<dt>Goal met<\/dt>\s*<dd>yes<\/dd>/);
    expect(page).toContain('<strong>assistant</strong>: Hello, is this &lt;Ann&gt;?');
    expect(page).toContain('<strong>user</strong>: Yes, I confirm.');
    expect(page).toMatch(/<dt>appointment<\/dt>\s*<dd>\{&quot;confirmed&quot;:true\}<\/dd>/);
    expect(page).toMatch(/<dt>ins-2<\/dt>\s*<dd>\(failed\)<\/dd>/);
    const phonesWithGoal = async (goal: string) =>
      [
        ...(await server.inject({ method: 'GET', url: `/campaigns/${campaignId}/results?goal=${goal}`, headers: { cookie } })).body.matchAll(/>(\+\d+)<\/a>/g),
      ].map((match) => match[1]);
    expect(await phonesWithGoal('met')).toEqual([ann!.phone]);
    expect(await phonesWithGoal('not_met')).toEqual([bob!.phone]);
    expect(await phonesWithGoal('unknown')).toEqual([contacts[2]!.phone]);
    expect((await server.inject({ method: 'GET', url: `/campaigns/${campaignId}/results?goal=maybe`, headers: { cookie } })).statusCode).toBe(400);
    const pending = (await server.inject({ method: 'GET', url: `/contacts/${contacts[2]!.id}`, headers: { cookie } })).body;
    expect(pending).not.toContain('id="transcript"');
  });

  it('shows an upload summary escaped once, with or without script; only fragments are marked as such', async () => {
    const { cookie, csrf } = await signIn();
    const boundary = 'console-test-boundary';
    const multipartForm = (csv: string) =>
      [
        `--${boundary}`,
        'Content-Disposition: form-data; name="_csrf"',
        '',
        csrf,
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="dnc.csv"',
        'Content-Type: text/csv',
        '',
        csv,
        `--${boundary}--`,
        '',
      ].join('\r\n');
    const upload = (headers: Record<string, string>) =>
      server.inject({
        method: 'POST',
        url: `/campaigns/${campaignId}/do-not-call`,
        payload: multipartForm('phone\n+13125550199\nTom & Jerry\n'),
        headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
      });
    // The rejected row's reason quotes the cell: escaped once it reads `"Tom & Jerry"` in the browser.
    const once = ['row 3: &quot;Tom &amp; Jerry&quot;: not a phone number', "to the campaign's do-not-call list"];
    const noScript = await upload({});
    expect(noScript.statusCode).toBe(201);
    expect(noScript.headers['x-console-fragment']).toBeUndefined();
    expect(noScript.body).toContain('<h1>Secret &lt;b&gt;spring&lt;/b&gt; reminders</h1>');
    for (const text of once) expect(noScript.body).toContain(text);
    expect(noScript.body).not.toMatch(/&amp;(amp|quot|#39);/);
    const fragment = await upload({ 'x-console-fragment': '1' });
    expect(fragment.statusCode).toBe(201);
    expect(fragment.headers['x-console-fragment']).toBe('1');
    expect(fragment.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const text of once) expect(fragment.body).toContain(text);
    expect(fragment.body).not.toMatch(/&amp;(amp|quot|#39);/);
    // A refusal sent to the upload script is a fragment of ours too.
    const refused = await server.inject({
      method: 'POST',
      url: `/campaigns/${campaignId}/do-not-call`,
      payload: multipartForm('phone\n'),
      headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-console-fragment': '1', 'x-csrf-token': 'wrong' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['x-console-fragment']).toBe('1');
  });

  it('signing out ends the session: the old cookie shows nothing and changes nothing', async () => {
    const { cookie, csrf } = await signIn();
    const out = await server.inject({ method: 'POST', url: '/sign-out', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/^dialer_console=; Path=\/; Max-Age=0;/);
    const after = await server.inject({ method: 'GET', url: '/campaigns', headers: { cookie } });
    expect(after.statusCode).toBe(303);
    const change = await server.inject({ method: 'POST', url: `/campaigns/${campaignId}/cancel`, headers: { cookie, 'x-csrf-token': csrf } });
    expect(change.statusCode).toBe(401);
    expect(await campaignStatus()).not.toBe('canceled');
  });
});
