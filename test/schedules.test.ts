import type { Job, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type App } from '../src/app.ts';
import { claimContact } from '../src/attempts/claim-contact.ts';
import { makeQueue } from '../src/jobs/queues.ts';
import { runScheduleTick, type TickResult } from '../src/dialing/run-schedule-tick.ts';
import { listSchedules, makeSchedulerId, rebuildSchedulers, scheduleCampaign, unscheduleCampaign } from '../src/scheduling/schedules.ts';
import { startScheduling } from '../src/dialing/start-scheduling.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeCampaignWithContacts } from './support/scheduling-fixtures.ts';
import { testConfig } from './support/test-env.ts';
import { waitFor } from './support/wait-for.ts';

const everyDay = { start: '09:00', end: '20:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] };

describe('cron schedules of campaigns', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const apps: App[] = [];
  const workers: Worker[] = [];
  const newApp = () => {
    const app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' }));
    apps.push(app);
    return app;
  };
  let app: App;

  beforeAll(() => {
    app = newApp();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    // Each test starts with no schedulers left by the previous one.
    await app.pool.query(`UPDATE campaign SET schedule_cron = NULL, schedule_tz = NULL`);
    await rebuildSchedulers(app);
  });
  afterAll(async () => {
    await Promise.all(apps.map((each) => each.close()));
  });

  const tickQueue = () => makeQueue(app, 'scheduleTick');

  it('stores the schedule in Postgres, mirrors it as a BullMQ job scheduler, lists next runs, and removes it', async () => {
    const { campaignId } = await makeCampaignWithContacts(app, { contacts: [] });
    const view = await scheduleCampaign(app, campaignId, '0 9 * * 1-5', 'America/New_York', new Date('2026-11-25T12:00:00Z'));

    expect(view).toMatchObject({ campaignId, cron: '0 9 * * 1-5', tz: 'America/New_York', active: true });
    expect(view.nextRuns).toEqual(['2026-11-25T14:00:00.000Z', '2026-11-26T14:00:00.000Z', '2026-11-27T14:00:00.000Z']);
    const row = (await db.pool.query(`SELECT schedule_cron, schedule_tz FROM campaign WHERE id = $1`, [campaignId])).rows[0];
    expect(row).toEqual({ schedule_cron: '0 9 * * 1-5', schedule_tz: 'America/New_York' });
    const queue = tickQueue();
    expect(await queue.getJobScheduler(makeSchedulerId(campaignId))).toMatchObject({ pattern: '0 9 * * 1-5', tz: 'America/New_York' });

    expect(await unscheduleCampaign(app, campaignId)).toEqual({ campaignId, removed: true });
    expect(await queue.getJobScheduler(makeSchedulerId(campaignId))).toBeUndefined();
    expect(await listSchedules(app)).toEqual([]);
    await queue.close();
  });

  it('refuses an invalid cron or zone and leaves the campaign unscheduled', async () => {
    const { campaignId } = await makeCampaignWithContacts(app, { contacts: [] });
    await expect(scheduleCampaign(app, campaignId, '0 25 * * *')).rejects.toThrow(/^invalid cron expression "0 25 \* \* \*"/);
    await expect(scheduleCampaign(app, campaignId, '0 9 * * *', 'Europe/Atlantis')).rejects.toThrow('unknown time zone "Europe/Atlantis"');
    await expect(scheduleCampaign(app, 'no such campaign', '0 9 * * *')).rejects.toThrow('no campaign with id or name "no such campaign"');
    expect((await db.pool.query(`SELECT schedule_cron FROM campaign WHERE id = $1`, [campaignId])).rows[0].schedule_cron).toBeNull();
  });

  it('rebuilds schedulers from Postgres after Redis lost them, and removes strays', async () => {
    const { campaignId } = await makeCampaignWithContacts(app, { contacts: [] });
    await scheduleCampaign(app, campaignId, '30 10 * * *', 'Europe/London');
    const queue = tickQueue();
    await queue.removeJobScheduler(makeSchedulerId(campaignId));
    await queue.upsertJobScheduler('campaign:stray', { pattern: '0 0 * * *' }, { name: 'tick', data: { campaignId } });
    expect((await listSchedules(app))[0]?.active).toBe(false);

    expect(await rebuildSchedulers(app)).toEqual({ upserted: 1, unchanged: 0, removed: 1 });
    expect(await rebuildSchedulers(app)).toEqual({ upserted: 0, unchanged: 1, removed: 0 });

    expect((await listSchedules(app))[0]?.active).toBe(true);
    expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key)).toEqual([makeSchedulerId(campaignId)]);
    await queue.close();
  });

  it('a tick dials only due contacts inside their windows, never a do-not-call number, and no second run while one is going', async () => {
    const tickAt = new Date('2026-11-25T15:00:00Z'); // 10:00 in New York, 05:00 in Honolulu
    const { campaignId, contactIds } = await makeCampaignWithContacts(app, {
      config: { callingWindow: everyDay },
      contacts: [
        { phone: '+12125550201' }, // due
        { phone: '+12125550202', nextAttemptAt: new Date('2026-11-25T16:00:00Z') }, // retry not due yet
        { phone: '+18085550203' }, // Honolulu: window not open yet
        { phone: '+12125550204', state: 'suppressed' }, // on the do-not-call list at import
        { phone: '+12125550205' }, // listed after import, while still pending: the claim catches it
      ],
    });
    const [due, notYet, hawaii, , listedLate] = contactIds as [string, string, string, string, string];
    await scheduleCampaign(app, campaignId, '0 10 * * *', 'America/New_York');
    await db.pool.query(`INSERT INTO do_not_call (phone, scope) VALUES ('+12125550204', 'global'), ('+12125550205', 'global')`);

    const first = await runScheduleTick(app, { campaignId }, tickAt);

    // The run continues at 16:00 UTC, when the first contact left waiting comes due (before tomorrow's tick).
    expect(first).toEqual({ campaignId, tickAt: tickAt.toISOString(), started: true, enqueued: 2, waiting: 2, continuesAt: '2026-11-25T16:00:00.000Z' });
    const dialQueue = makeQueue(app, 'dial');
    const jobs = await dialQueue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((job) => job.data.contactId).sort()).toEqual([due, listedLate].sort());
    const rows = (await db.pool.query(`SELECT id, state, next_attempt_at FROM contact WHERE campaign_id = $1`, [campaignId])).rows;
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId[notYet]).toMatchObject({ state: 'pending' });
    expect(byId[hawaii].state).toBe('pending');
    // Prisma's timestamp(3) holds UTC; pg reads it as local time, so compare the wall-clock reading.
    expect(byId[hawaii].next_attempt_at.getTime() - byId[hawaii].next_attempt_at.getTimezoneOffset() * 60_000).toBe(Date.parse('2026-11-25T19:00:00Z'));

    // The number listed after import never gets a call: the claim re-checks the list.
    const claim = await claimContact(db.pool, { campaignId, contactId: listedLate, attemptNumber: 1 }, tickAt);
    expect(claim).toEqual({ kind: 'suppressed' });

    const second = await runScheduleTick(app, { campaignId }, new Date(tickAt.getTime() + 60_000));
    expect(second).toMatchObject({ started: false, reason: 'previous run still going: 1 contact(s) queued, dialing or in a call' });

    // One continuation job however many ticks asked for it; it feeds the retry now due, then Hawaii's opening.
    const queue = tickQueue();
    const continuations = (await queue.getJobs(['delayed'])).filter((job) => job.id?.startsWith('continue-'));
    expect(continuations.map((job) => [job.id, job.data])).toEqual([
      [`continue-${campaignId}-${Date.parse('2026-11-25T16:00:00Z')}`, { campaignId, continuation: true }],
    ]);
    const continued = await runScheduleTick(app, { campaignId, continuation: true }, new Date('2026-11-25T16:00:00Z'));
    expect(continued).toMatchObject({ started: true, enqueued: 1, waiting: 1, continuesAt: '2026-11-25T19:00:00.000Z' });
    const hawaiiTurn = await runScheduleTick(app, { campaignId, continuation: true }, new Date('2026-11-25T19:00:00Z'));
    expect(hawaiiTurn).toMatchObject({ started: true, enqueued: 1, waiting: 0, continuesAt: null });
    expect((await dialQueue.getJobs(['waiting', 'delayed', 'prioritized'])).map((job) => job.data.contactId).sort()).toEqual(
      [due, listedLate, notYet, hawaii].sort(),
    );
    await queue.drain(true); // the continuation jobs, due in an hour of real time
    await queue.close();
    await dialQueue.close();
  });

  it('skips ticks of a campaign that is not running or no longer scheduled', async () => {
    const { campaignId } = await makeCampaignWithContacts(app, { status: 'paused', contacts: [{ phone: '+12125550301' }] });
    expect(await runScheduleTick(app, { campaignId }, new Date('2026-11-25T15:00:00Z'))).toMatchObject({
      started: false,
      reason: 'campaign is no longer scheduled',
    });
    await db.pool.query(`UPDATE campaign SET schedule_cron = '0 10 * * *' WHERE id = $1`, [campaignId]);
    expect(await runScheduleTick(app, { campaignId }, new Date('2026-11-25T15:00:00Z'))).toMatchObject({
      started: false,
      reason: 'campaign is paused, not running',
    });
    expect((await db.pool.query(`SELECT state FROM contact WHERE campaign_id = $1`, [campaignId])).rows).toEqual([{ state: 'pending' }]);
  });

  it('three workers on one queue produce exactly one run per tick', async () => {
    const { campaignId } = await makeCampaignWithContacts(app, {
      config: { callingWindow: everyDay },
      contacts: [{ phone: '+12125550401', timezone: zoneAtNoonNow() }],
    });
    const handled: Array<{ jobId: string; worker: number; result: TickResult }> = [];
    for (let i = 0; i < 3; i++) {
      const worker = await startScheduling(newApp());
      worker.on('completed', (job: Job, result: TickResult) => handled.push({ jobId: job.id ?? '', worker: i, result }));
      workers.push(worker);
    }
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    await scheduleCampaign(app, campaignId, '* * * * * *'); // every second

    await waitFor(() => handled.length >= 4, { description: 'four ticks to be handled', details: () => handled });

    const ticks = handled.map((entry) => tickMillis(entry.jobId));
    expect(new Set(ticks).size).toBe(ticks.length); // no tick handled twice
    const sorted = [...ticks].sort((a, b) => a - b);
    sorted.slice(1).forEach((tick, i) => expect(tick - (sorted[i] as number)).toBeGreaterThanOrEqual(1000)); // one job per fire time
    expect(handled.filter((entry) => entry.result.started)).toHaveLength(1); // the first run is still going afterwards
    // Later ticks find the first run still going (or, on a slow machine, the first tick still being handled).
    const skipReasons = handled.flatMap((entry) => (entry.result.started ? [] : [entry.result.reason.replace(/: \d+ .*/, '')]));
    expect(skipReasons.every((reason) => ['previous run still going', 'another tick of this campaign is being handled'].includes(reason))).toBe(true);
  });

  it('does not replay ticks missed while no worker ran: one late tick, then the schedule resumes', async () => {
    const { campaignId } = await makeCampaignWithContacts(app, { contacts: [] });
    await scheduleCampaign(app, campaignId, '* * * * * *');
    const queue = tickQueue();
    const pendingTicks = async () =>
      (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((job) => job.id?.startsWith(`repeat:${makeSchedulerId(campaignId)}:`));
    // Everything "down" while the first queued tick and two more fire times pass with no worker. The
    // period is the point (missed ticks must not be replayed), so it is counted from that tick's fire time.
    const first = await waitFor(async () => (await pendingTicks()).map((job) => tickMillis(job.id!)).sort((a, b) => a - b)[0], {
      description: 'the schedule to queue its first tick',
    });
    await waitFor(() => Date.now() >= first + 2_500, { description: 'two more fire times to pass with no worker', timeoutMs: 10_000 });
    expect(await pendingTicks()).toHaveLength(1);

    const restartedAt = Date.now();
    const handled: string[] = [];
    const worker = await startScheduling(newApp());
    workers.push(worker);
    worker.on('completed', (job: Job) => handled.push(job.id ?? ''));
    await waitFor(() => handled.length >= 2, { description: 'the late tick and the next one to be handled', details: () => handled });

    const late = handled.map(tickMillis).filter((tick) => tick < restartedAt - 1000);
    expect(late).toHaveLength(1);
    await queue.close();
  });
});

// A scheduler's job id is `repeat:<scheduler id>:<fire time in ms>`.
function tickMillis(jobId: string): number {
  return Number(jobId.split(':').at(-1));
}

// A fixed-offset zone where it is about noon now, so the contact is due whatever the real clock says.
function zoneAtNoonNow(): string {
  const offset = 12 - new Date().getUTCHours();
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
