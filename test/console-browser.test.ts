import { mkdir } from 'node:fs/promises';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type App } from '../src/app.ts';
import { makeDialWorker } from '../src/dialing/dial-worker.ts';
import { makeFeeder, type Feeder } from '../src/dialing/run-feeder.ts';
import { makeServer } from '../src/http/server.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { launchChromium, screenshotDir } from './support/browser.ts';
import { useTestDatabase } from './support/database.ts';
import { everyDay, zoneWhereItIsAfternoon } from './support/dial-harness.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';

const token = 'browser-console-token-0123456789';

describe('operator console in a real browser (Debian chromium)', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let simulator: Simulator;
  let app: App;
  let workerApp: App;
  let server: FastifyInstance;
  let address: string;
  let browser: Browser;
  let feeder: Feeder;
  const workers: Worker[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ callbackDelayMs: 5, rateLimit: false, outcomes: { completed: 1 } });
    const base = { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', TELNYX_PUBLIC_KEY: simulator.publicKey };
    app = makeApp(testConfig({ ...base, API_TOKEN: token }));
    server = await makeServer(app);
    address = await server.listen({ port: 0, host: '127.0.0.1' });
    workerApp = makeApp(testConfig({ ...base, TELNYX_API_BASE_URL: simulator.baseUrl, TELNYX_API_KEY: simulator.apiKey, PUBLIC_BASE_URL: address }));
    workers.push(makeDialWorker(workerApp, { concurrency: 5 }));
    feeder = makeFeeder(workerApp);
    feeder.start(100);
    await mkdir(screenshotDir, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await feeder?.stop();
    await Promise.all(workers.map((worker) => worker.close()));
    await simulator?.callbacksSettled();
    await simulator?.close();
    await server?.close();
    await Promise.all([app?.close(), workerApp?.close()]);
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });

  it('signs in, creates a campaign, imports a CSV, runs it to done without a reload, opens a contact, signs out', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Script errors, and anything the Content-Security-Policy blocked (the browser reports it on the console).
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
    });

    await page.goto(address);
    await page.fill('#token', token);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${address}/campaigns`);
    const cookie = (await context.cookies()).find((each) => each.name === 'dialer_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000);

    await page.click('text=New campaign');
    const name = `Browser campaign ${Date.now()}`;
    const config = {
      name,
      connectionId: 'conn-1',
      assistantId: 'assistant-1',
      from: '+13125550100',
      callsPerSecond: 20,
      maxConcurrentCalls: 5,
      callingWindow: { start: '08:00', end: '21:00', days: everyDay },
    };
    await page.fill('#config', JSON.stringify({ ...config, callsPerSecond: 0 }));
    await page.click('button:has-text("Create campaign")');
    await expect.poll(() => page.textContent('#config-issues')).toContain('callsPerSecond');
    await page.fill('#config', JSON.stringify(config, null, 2));
    await page.click('button:has-text("Create campaign")');
    await page.waitForSelector(`h1:has-text("${name}")`);
    const campaignUrl = page.url();

    const zone = zoneWhereItIsAfternoon();
    const rows = Array.from({ length: 6 }, (_, index) => `+1312200${String(1000 + index)},Person ${index},${zone}`);
    const csv = ['phone,first_name,timezone', ...rows, 'not a number,Nobody,' + zone].join('\n') + '\n';
    await page.setInputFiles('#contacts-file', { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('#contacts-file >> xpath=ancestor::form//button[@type="submit"]');
    await page.waitForSelector('#contacts-result #import-summary');
    const summary = (await page.textContent('#contacts-result'))!;
    expect(summary).toMatch(/Imported 6\s+of 7 rows/);
    expect(summary).toMatch(/rejected:\s+1/);
    const rejectedLink = await page.getAttribute('#contacts-result a', 'href');
    const rejected = await page.request.get(`${address}${rejectedLink}`);
    expect(await rejected.text()).toContain('not a number');

    // The do-not-call list by drag and drop: one of the numbers is suppressed.
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['phone\n+13122001005\n'], 'dnc.csv', { type: 'text/csv' }));
      return transfer;
    });
    await page.dispatchEvent('#do-not-call-file >> xpath=ancestor::form//div[contains(@class, "dropzone")]', 'drop', { dataTransfer });
    await expect.poll(() => page.textContent('#do-not-call-result'), { timeout: 10_000 }).toMatch(/contacts suppressed:\s+1/);

    // An answer that is not one of the console's fragments (a proxy's error page) is shown as text, never inserted as HTML.
    const uploadUrl = `${campaignUrl}/contacts`;
    await page.route(uploadUrl, (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<p id="injected">Bad gateway</p>' }));
    await page.setInputFiles('#contacts-file', { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('#contacts-file >> xpath=ancestor::form//button[@type="submit"]');
    await expect.poll(() => page.textContent('#contacts-result')).toMatch(/^The upload failed: the server answered 502\b/);
    expect(await page.$('#injected')).toBeNull();
    await page.unroute(uploadUrl);

    await page.click('button:has-text("Start")');
    await page.waitForURL(campaignUrl);
    // From here on the page is never reloaded: a marker on window would vanish with a reload.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await expect.poll(() => page.textContent('#campaign-state'), { timeout: 60_000, interval: 500 }).toBe('done');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The buttons follow the status too: a done campaign offers no pause or cancel.
    await expect.poll(() => page.$('#pause-button')).toBeNull();
    expect(await page.$('#cancel-button')).toBeNull();
    const states = await page.$$eval('#contacts-by-state th', (cells) => cells.map((cell) => cell.textContent));
    const counts = await page.$$eval('#contacts-by-state td', (cells) => cells.map((cell) => cell.textContent));
    expect(Object.fromEntries(states.map((state, index) => [state, counts[index]]))).toMatchObject({ completed: '5', suppressed: '1', pending: '0' });
    await page.waitForFunction(() => document.querySelector('#outcomes-chart')?.getAttribute('height') !== null);
    await shot(page, 'campaign');

    await page.click('text=Results');
    await page.selectOption('#state', 'completed');
    await page.click('button:has-text("Filter")');
    await page.click('#results a >> nth=0');
    await page.waitForSelector('.attempt');
    expect(await page.textContent('#variables')).toContain('Person');
    const timeline = (await page.textContent('.timeline'))!;
    expect(timeline).toContain('status: completed');
    await shot(page, 'contact');

    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${address}/`);
    await page.goto(campaignUrl);
    expect(page.url()).toBe(`${address}/`);
    expect(await page.content()).not.toContain(name);
    // Signed out, a state-changing request from this browser is refused.
    const campaignId = campaignUrl.split('/').pop();
    const refused = await page.request.post(`${address}/campaigns/${campaignId}/cancel`, { form: { _csrf: 'anything' } });
    expect(refused.status()).toBe(401);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('asks before canceling, and a phone-sized screen shows the campaign list', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(address);
    await page.fill('#token', token);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${address}/campaigns`);
    await page.click('text=New campaign');
    await page.fill(
      '#config',
      JSON.stringify({ name: 'to cancel', connectionId: 'c', assistantId: 'a', from: '+13125550100', callsPerSecond: 1, maxConcurrentCalls: 1 }),
    );
    await page.click('button:has-text("Create campaign")');
    await page.waitForSelector('h1:has-text("to cancel")');
    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.click('button:has-text("Cancel campaign")');
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain('Cancel campaign “to cancel”?');
    expect(await page.textContent('#live')).toContain('draft');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Cancel campaign")');
    await expect.poll(() => page.textContent('#campaign-state')).toBe('done');
    await page.goto(`${address}/campaigns`);
    await shot(page, 'campaigns-phone');
    expect(await page.textContent('table')).toContain('to cancel');
    await context.close();
  });
});
