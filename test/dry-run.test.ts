import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeDryRun } from '../src/cli/commands/dry-run.ts';
import { makeDryRun } from '../src/scheduling/dry-run.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { makeCampaignWithContacts } from './support/scheduling-fixtures.ts';
import { testProcessEnv } from './support/test-env.ts';

describe('dry run', () => {
  const db = useTestDatabase();
  const ctx = useTestApp(db, { ACCOUNT_CALLS_PER_SECOND: '2' });

  it('counts contacts by state, invalid and suppressed, groups what is left by zone and estimates the finish', async () => {
    const { campaignId } = await makeCampaignWithContacts(ctx.app, {
      status: 'draft',
      config: { callsPerSecond: 10, maxConcurrentCalls: 1000, retry: { maxAttempts: 2 } },
      contacts: [
        { phone: '+12125550501' },
        { phone: '+12125550502', state: 'queued' },
        { phone: '+13105550503' },
        { phone: '+12125550504', timezone: 'Europe/Paris' },
        { phone: '+12125550505', state: 'suppressed' },
        { phone: '+12125550506', state: 'completed' },
      ],
    });
    const { rows } = await db.pool.query<{ id: string }>(`INSERT INTO import (campaign_id, file_name, status) VALUES ($1, 'c.csv', 'completed') RETURNING id`, [
      campaignId,
    ]);
    await db.pool.query(`INSERT INTO import_rejection (import_id, row_number, reason, raw) VALUES ($1, 2, 'bad', 'x'), ($1, 5, 'bad', 'y')`, [rows[0]!.id]);

    // Wednesday 2026-11-25 15:00 UTC: 10:00 New York, 07:00 Los Angeles, 16:00 Paris.
    const result = await makeDryRun(ctx.app, campaignId, { now: new Date('2026-11-25T15:00:00Z'), averageCallSeconds: 60 });

    expect(result).toMatchObject({
      campaignId,
      status: 'draft',
      contactsByState: { pending: 3, queued: 1, suppressed: 1, completed: 1 },
      invalid: 2,
      suppressed: 1,
      toDial: 4,
    });
    expect(result.timeZones).toEqual([
      { zones: ['America/New_York'], contacts: 2, nextCallAt: '2026-11-25T15:00:00.000Z', openNow: true },
      { zones: ['America/Los_Angeles'], contacts: 1, nextCallAt: '2026-11-25T17:00:00.000Z', openNow: false },
      { zones: ['Europe/Paris'], contacts: 1, nextCallAt: '2026-11-25T15:00:00.000Z', openNow: true },
    ]);
    // For people, a window already open is "open now", not the time the dry run ran.
    const text = describeDryRun(result);
    expect(text).toContain('       2  America/New_York  next window: open now\n');
    expect(text).toContain('       1  America/Los_Angeles  next window: 2026-11-25T17:00:00.000Z\n');
    expect(text).toContain('estimated finish (if started now): 2026-11-25T17:01:00.500Z');
    expect(text).not.toContain('2026-11-25T15:00:00.000Z');
    // Account cap 2/s: New York and Paris go at once; Los Angeles waits for 09:00 there, + 60 s.
    expect(result.estimate).toMatchObject({ finishAt: '2026-11-25T17:01:00.500Z', neverCallable: 0, beyondHorizon: 0 });
    expect(result.estimate.assumptions).toMatchObject({ callsPerSecond: 2, effectiveCallsPerSecond: 2, schedule: null, averageCallSeconds: 60 });
    expect(result.estimate.assumptions.retries).toBe('not included: up to 1 more dial(s) per contact on no_answer/busy, each at least 3600 s later');
  });

  it('groups aliases of one zone as one: a column saying Asia/Calcutta or Asia/Kolkata and an Indian number without one', async () => {
    const { campaignId } = await makeCampaignWithContacts(ctx.app, {
      contacts: [{ phone: '+919876543210' }, { phone: '+919876543211', timezone: 'Asia/Calcutta' }, { phone: '+919876543212', timezone: 'Asia/Kolkata' }],
    });
    const result = await makeDryRun(ctx.app, campaignId, { now: new Date('2026-11-25T15:00:00Z') });
    expect(result.timeZones.map(({ zones, contacts }) => ({ zones, contacts }))).toEqual([{ zones: ['Asia/Kolkata'], contacts: 3 }]);
  });

  it('takes the cron schedule into account', async () => {
    const { campaignId } = await makeCampaignWithContacts(ctx.app, { contacts: [{ phone: '+12125550601' }] });
    await db.pool.query(`UPDATE campaign SET schedule_cron = '0 11 * * 1-5', schedule_tz = 'America/New_York' WHERE id = $1`, [campaignId]);
    const result = await makeDryRun(ctx.app, campaignId, { now: new Date('2026-11-25T15:00:00Z'), averageCallSeconds: 60 });
    // First tick 11:00 New York; 5 concurrent calls of 60 s sustain 1/12 dials per second.
    expect(result.estimate.finishAt).toBe('2026-11-25T16:01:12.000Z');
    expect(result.estimate.assumptions.schedule).toEqual({ cron: '0 11 * * 1-5', tz: 'America/New_York' });
  });

  it('`dialer dry-run NAME --json` prints the report; an unknown campaign fails with one line', async () => {
    const { campaignId } = await makeCampaignWithContacts(ctx.app, { config: { name: 'dry run cli' }, contacts: [{ phone: '+12125550701' }] });
    const run = promisify(execFile);
    const env = testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const [success, failure] = await Promise.all([
      run('node', ['src/cli/bin.mjs', 'dry-run', 'dry run cli', '--json'], { env }),
      run('node', ['src/cli/bin.mjs', 'dry-run', 'nope'], { env }).catch((error) => error),
    ]);
    expect(JSON.parse(success.stdout)).toMatchObject({ campaignId, toDial: 1, contactsByState: { pending: 1 } });
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe('error: no campaign with id or name "nope"');
  }, 120_000); // two CLI processes start through tsx: slow on a loaded machine
});
