import type { App } from '../app.ts';
import { jobCatalog } from '../jobs/catalog.ts';
import { queueOf, type CatalogQueue } from '../jobs/queues.ts';
import { findCampaignId } from '../campaigns/find-campaign-id.ts';
import { nextRuns, parseCronSchedule, type CronSchedule } from './cron-schedule.ts';

/**
 * Cron schedules of campaigns. Postgres (campaign.schedule_cron / schedule_tz) is the truth; each one
 * is mirrored as a BullMQ job scheduler on the schedule-tick queue, which adds exactly one tick job per
 * fire time however many worker processes listen. The schedulers can be rebuilt from Postgres at any
 * time (rebuildSchedulers, run at worker start).
 */

export interface ScheduleView {
  campaignId: string;
  name: string;
  status: string;
  cron: string;
  tz: string;
  nextRuns: string[];
  /** Whether Redis holds the matching job scheduler (false until a worker rebuilds it, e.g. after a Redis loss). */
  active: boolean;
}

export function makeSchedulerId(campaignId: string): string {
  return `campaign:${campaignId}`;
}

/** Sets (or replaces) a campaign's cron schedule. */
export async function scheduleCampaign(app: App, campaign: string, cron: string, tz?: string, now = new Date()): Promise<ScheduleView> {
  const schedule = parseCronSchedule(cron, tz);
  const campaignId = await findCampaignId(app.pool, campaign);
  await app.pool.query(`UPDATE campaign SET schedule_cron = $2, schedule_tz = $3, updated_at = (now() AT TIME ZONE 'UTC') WHERE id = $1`, [
    campaignId,
    schedule.cron,
    schedule.tz,
  ]);
  await upsertScheduler(queueOf(app, 'scheduleTick'), campaignId, schedule);
  const view = (await listSchedules(app, now)).find((entry) => entry.campaignId === campaignId);
  if (!view) throw new Error(`schedule of campaign ${campaignId} vanished while being set`);
  return view;
}

/** Removes a campaign's cron schedule; the continuous feeder then feeds it whenever it is running. */
export async function unscheduleCampaign(app: App, campaign: string): Promise<{ campaignId: string; removed: boolean }> {
  const campaignId = await findCampaignId(app.pool, campaign);
  const { rowCount } = await app.pool.query(
    `UPDATE campaign SET schedule_cron = NULL, schedule_tz = NULL, updated_at = (now() AT TIME ZONE 'UTC') WHERE id = $1 AND schedule_cron IS NOT NULL`,
    [campaignId],
  );
  await queueOf(app, 'scheduleTick').removeJobScheduler(makeSchedulerId(campaignId));
  return { campaignId, removed: rowCount === 1 };
}

/** Every scheduled campaign with its next run times, from Postgres, and whether Redis agrees. */
export async function listSchedules(app: App, now = new Date(), runsShown = 3): Promise<ScheduleView[]> {
  const { rows } = await app.pool.query<{ id: string; name: string; status: string; schedule_cron: string; schedule_tz: string | null }>(
    `SELECT id, name, status, schedule_cron, schedule_tz FROM campaign WHERE schedule_cron IS NOT NULL ORDER BY created_at, id`,
  );
  const active = new Set((await queueOf(app, 'scheduleTick').getJobSchedulers()).map((scheduler) => scheduler.key));
  return rows.map((row) => {
    const schedule = { cron: row.schedule_cron, tz: row.schedule_tz ?? 'UTC' };
    return {
      campaignId: row.id,
      name: row.name,
      status: row.status,
      ...schedule,
      nextRuns: nextRuns(schedule, now, runsShown).map((run) => run.toISOString()),
      active: active.has(makeSchedulerId(row.id)),
    };
  });
}

/**
 * Makes Redis's job schedulers match Postgres: adds missing or changed ones, removes strays. A
 * scheduler that is already right is left alone, so the tick it has pending (perhaps overdue after
 * downtime) is kept: that one late tick runs, the ones missed before it are not replayed.
 */
export async function rebuildSchedulers(app: App): Promise<{ upserted: number; unchanged: number; removed: number }> {
  const { rows } = await app.pool.query<{ id: string; schedule_cron: string; schedule_tz: string | null }>(
    `SELECT id, schedule_cron, schedule_tz FROM campaign WHERE schedule_cron IS NOT NULL`,
  );
  const queue = queueOf(app, 'scheduleTick');
  const existing = new Map((await queue.getJobSchedulers()).map((scheduler) => [scheduler.key, scheduler]));
  let upserted = 0;
  for (const row of rows) {
    const schedule = { cron: row.schedule_cron, tz: row.schedule_tz ?? 'UTC' };
    const current = existing.get(makeSchedulerId(row.id));
    if (current?.pattern === schedule.cron && (current.tz ?? 'UTC') === schedule.tz) continue;
    await upsertScheduler(queue, row.id, schedule);
    upserted++;
  }
  const wanted = new Set(rows.map((row) => makeSchedulerId(row.id)));
  let removed = 0;
  for (const key of existing.keys()) {
    if (!wanted.has(key) && (await queue.removeJobScheduler(key))) removed++;
  }
  return { upserted, unchanged: rows.length - upserted, removed };
}

type TickQueue = CatalogQueue<'scheduleTick'>;

async function upsertScheduler(queue: TickQueue, campaignId: string, schedule: CronSchedule): Promise<void> {
  const data = jobCatalog.scheduleTick.payload.parse({ campaignId });
  await queue.upsertJobScheduler(
    makeSchedulerId(campaignId),
    { pattern: schedule.cron, tz: schedule.tz },
    { name: 'tick', data, opts: jobCatalog.scheduleTick.options },
  );
}
