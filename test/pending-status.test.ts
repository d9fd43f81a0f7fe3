import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeApp, type App } from '../src/app.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { parseCampaignConfig } from '../src/campaigns/parse-campaign-config.ts';
import { makeServer } from '../src/http/server.ts';
import { exportResults } from '../src/results/export-results.ts';
import { runDialerInProcess } from './support/cli.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';

const token = 'operator-token-0123456789';

// Far-future instants keep "ahead of now" true whenever the test runs; one instant in the past is due.
const past = '2020-01-01T12:00:00.000Z';
const windowOpens = ['2099-01-02T08:00:00.000Z', '2099-01-03T09:00:00.000Z'];
const retryAt = ['2099-01-01T19:05:00.000Z', '2099-01-04T10:00:00.000Z'];

interface Row {
  phone: string;
  state: string;
  attempts: number;
  next: string | null;
  outcome?: string;
  timezone?: string;
  /** The last attempt's state and answered_by, for a contact dialed before. */
  attempt?: [string, string | null];
}

// Every kind of pending contact, and two that are not pending. Written straight to Postgres.
const rows: Row[] = [
  { phone: '+13125550101', state: 'pending', attempts: 0, next: null },
  // Its window opened at `past`: the feeder takes it now, so it is due, not waiting for a window.
  { phone: '+13125550102', state: 'pending', attempts: 0, next: past, timezone: 'europe/paris' },
  { phone: '+13125550103', state: 'pending', attempts: 0, next: windowOpens[1]! },
  { phone: '+13125550104', state: 'pending', attempts: 0, next: windowOpens[0]! },
  { phone: '+13125550105', state: 'pending', attempts: 1, next: retryAt[1]!, outcome: 'voicemail', attempt: ['completed', 'machine_start'] },
  { phone: '+13125550106', state: 'pending', attempts: 2, next: retryAt[0]!, outcome: 'no_answer', attempt: ['no_answer', null] },
  // Handed back by a paused campaign's claim: next_attempt_at cleared, still a retry.
  { phone: '+13125550107', state: 'pending', attempts: 1, next: null, outcome: 'busy', attempt: ['busy', null] },
  { phone: '+13125550108', state: 'completed', attempts: 1, next: null, outcome: 'completed', attempt: ['completed', 'human'] },
  { phone: '+80012345678', state: 'queued', attempts: 0, next: null },
];

describe('why pending contacts wait: status, API, contact_result and the results export', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let campaignId: string;
  let app: App;
  let server: FastifyInstance;

  beforeAll(async () => {
    process.env.DATABASE_URL = db.url;
    process.env.QUEUE_PREFIX = prefix;
    process.env.LOG_LEVEL = 'silent';
    const config = parseCampaignConfig({
      name: 'Pending reasons',
      connectionId: 'conn-1',
      assistantId: 'assistant-1',
      from: '+12025550123',
      callsPerSecond: 1,
      maxConcurrentCalls: 2,
    });
    const campaign = await db.pool.query<{ id: string }>(
      `INSERT INTO campaign (name, status, config, max_concurrent_calls) VALUES ($1, 'paused', $2, 2) RETURNING id`,
      [config.name, JSON.stringify(config)],
    );
    campaignId = campaign.rows[0]!.id;
    for (const row of rows) {
      const contact = await db.pool.query<{ id: string }>(
        `INSERT INTO contact (campaign_id, phone, state, attempt_count, next_attempt_at, outcome, timezone)
         VALUES ($1, $2, $3, $4, ($5::timestamptz AT TIME ZONE 'UTC'), $6, $7) RETURNING id`,
        [campaignId, row.phone, row.state, row.attempts, row.next, row.outcome ?? null, row.timezone ?? null],
      );
      if (row.attempt) {
        await db.pool.query(`INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, answered_by) VALUES ($1, $2, $3, $4, $5)`, [
          contact.rows[0]!.id,
          campaignId,
          row.attempts,
          row.attempt[0],
          row.attempt[1],
        ]);
      }
    }
    app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: 'silent' }));
    server = await makeServer(app);
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  const expectedPending = { due: 2, window: 2, windowOpensAt: windowOpens[0], retry: 3, nextRetryAt: retryAt[0] };

  it('status splits pending into due now, waiting for their window and waiting for a retry, with the next times', async () => {
    const status = await getCampaignStatus(app, campaignId);
    expect(status.contacts).toMatchObject({ pending: 7, queued: 1, completed: 1 });
    expect(status.pending).toEqual(expectedPending);

    const human = await runDialerInProcess('status', 'Pending reasons');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      'contacts (9): pending 7 (due now 2, waiting for their window 2 until 2099-01-02 08:00 UTC, ' +
        'waiting for a retry 3 from 2099-01-01 19:05 UTC), queued 1, completed 1\n',
    );
    const json = await runDialerInProcess('status', campaignId, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ contacts: { pending: 7 }, pending: expectedPending, total: 9, done: false });

    const api = await server.inject({ method: 'GET', url: `/api/campaigns/${campaignId}/status`, headers: { authorization: `Bearer ${token}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ contacts: { pending: 7 }, pending: expectedPending });
  });

  it('status leaves out the kinds no contact is in', async () => {
    await db.pool.query(`UPDATE contact SET state = 'canceled' WHERE campaign_id = $1 AND state = 'pending' AND attempt_count = 0`, [campaignId]);
    try {
      expect((await getCampaignStatus(app, campaignId)).pending).toEqual({ due: 0, window: 0, windowOpensAt: null, retry: 3, nextRetryAt: retryAt[0] });
      expect((await runDialerInProcess('status', campaignId)).stdout).toContain('pending 3 (waiting for a retry 3 from 2099-01-01 19:05 UTC),');
    } finally {
      await db.pool.query(`UPDATE contact SET state = 'pending' WHERE campaign_id = $1 AND state = 'canceled'`, [campaignId]);
    }
  });

  it('contact_result says why each pending contact waits: a pending voicemail waits for a retry', async () => {
    const { rows: view } = await db.pool.query(
      `SELECT phone, state, outcome, waiting, to_char(next_attempt_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next_attempt_at
       FROM contact_result WHERE campaign_id = $1 ORDER BY phone`,
      [campaignId],
    );
    expect(view).toEqual([
      { phone: '+13125550101', state: 'pending', outcome: null, waiting: 'due', next_attempt_at: null },
      { phone: '+13125550102', state: 'pending', outcome: null, waiting: 'due', next_attempt_at: past },
      { phone: '+13125550103', state: 'pending', outcome: null, waiting: 'window', next_attempt_at: windowOpens[1] },
      { phone: '+13125550104', state: 'pending', outcome: null, waiting: 'window', next_attempt_at: windowOpens[0] },
      { phone: '+13125550105', state: 'pending', outcome: 'voicemail', waiting: 'retry', next_attempt_at: retryAt[1] },
      { phone: '+13125550106', state: 'pending', outcome: 'no_answer', waiting: 'retry', next_attempt_at: retryAt[0] },
      { phone: '+13125550107', state: 'pending', outcome: 'busy', waiting: 'retry', next_attempt_at: null },
      { phone: '+13125550108', state: 'completed', outcome: 'completed', waiting: null, next_attempt_at: null },
      { phone: '+80012345678', state: 'queued', outcome: null, waiting: null, next_attempt_at: null },
    ]);
  });

  it('the CSV and JSON exports add waiting, next_attempt_at and the time zones used with their source', async () => {
    let csv = '';
    for await (const chunk of exportResults(db.pool, campaignId, 'csv')) csv += chunk;
    const [header, ...lines] = csv.trimEnd().split('\r\n');
    const columns = header!.split(',');
    expect(columns.slice(0, 8)).toEqual(['phone', 'state', 'outcome', 'attempts', 'waiting', 'next_attempt_at', 'timezones', 'timezone_source']);
    const cells = lines.map((line) => line.split(',').slice(0, 8));
    expect(cells[0]).toEqual(['+13125550101', 'pending', '', '0', 'due', '', 'America/Chicago', 'guessed']);
    // The timezone column wins when it names a real zone (in any letter case): given.
    expect(cells[1]!.slice(4)).toEqual(['due', past, 'Europe/Paris', 'given']);
    expect(cells[4]).toEqual(['+13125550105', 'pending', 'voicemail', '1', 'retry', retryAt[1], 'America/Chicago', 'guessed']);
    // A number placed in no zone: no zones, no source.
    expect(cells[8]!.slice(4)).toEqual(['', '', '', '']);

    let text = '';
    for await (const chunk of exportResults(db.pool, campaignId, 'json')) text += chunk;
    const json = JSON.parse(text);
    expect(json[0]).toMatchObject({ phone: '+13125550101', waiting: 'due', next_attempt_at: null, timezones: ['America/Chicago'], timezone_source: 'guessed' });
    expect(json[1]).toMatchObject({ waiting: 'due', next_attempt_at: past, timezones: ['Europe/Paris'], timezone_source: 'given' });
    expect(json[3]).toMatchObject({ waiting: 'window', next_attempt_at: windowOpens[0] });
    expect(json[5]).toMatchObject({ outcome: 'no_answer', waiting: 'retry', next_attempt_at: retryAt[0] });
    expect(json[7]).toMatchObject({ state: 'completed', waiting: null });
    expect(json[8]).toMatchObject({ waiting: null, timezones: [], timezone_source: null });

    const api = await server.inject({ method: 'GET', url: `/api/campaigns/${campaignId}/results?limit=2`, headers: { authorization: `Bearer ${token}` } });
    expect(api.json().results[1]).toMatchObject({ phone: '+13125550102', waiting: 'due', timezones: ['Europe/Paris'], timezone_source: 'given' });
  });
});
