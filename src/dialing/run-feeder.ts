import type { App } from '../app.ts';
import { queueOf } from '../jobs/queues.ts';
import { completeCampaignIfDone } from '../attempts/complete-campaign-if-done.ts';
import { feedCampaign } from './feed-campaign.ts';
import { ensureMaintenanceSchedulers, recordSweepEveryMs } from './maintenance-worker.ts';
import { repairQueuedJobs } from './repair-queued-jobs.ts';
import { ensurePostCallScheduler } from './post-call-worker.ts';
import { rebuildSchedulers } from '../scheduling/schedules.ts';
import { withTransaction } from '../db/with-transaction.ts';

export interface Feeder {
  /** One pass over every running campaign (the loop calls this; tests call it directly). */
  tick(now?: Date): Promise<{ enqueued: number; repaired: number }>;
  /** Runs tick every `intervalMs` until stop(). */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

// Redis holds only what can be dialed in the next few seconds: a large backlog of jobs that find no
// pace token or no concurrency slot would only churn. Postgres keeps the rest as pending.
const secondsOfWorkQueued = 3;
const slackJobs = 10;
const repairEveryMs = 30_000;

/**
 * The continuous feeder of a worker process: every `intervalMs`, tops up each running campaign
 * without a cron schedule (those are fed by the scheduler's ticks), completes campaigns with nothing
 * left, and now and then rebuilds what Redis lost from Postgres: dial jobs of queued contacts, the
 * campaigns' cron schedulers, the maintenance and post-call schedulers. Several processes may run it at once.
 */
export function makeFeeder(app: App): Feeder {
  const queue = queueOf(app, 'dial');
  const maintenanceQueue = queueOf(app, 'maintenance');
  let lastRepair = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const tick = async (now = new Date()) => {
    const { rows } = await app.pool.query<{ id: string; calls_per_second: string; free_slots: number; queued: number; cron: boolean }>(
      `SELECT k.id, k.config->>'callsPerSecond' AS calls_per_second, k.max_concurrent_calls - k.active_calls AS free_slots,
              (k.schedule_cron IS NOT NULL) AS cron,
              (SELECT count(*)::int FROM contact c WHERE c.campaign_id = k.id AND c.state = 'queued') AS queued
       FROM campaign k WHERE k.status = 'running'`,
    );
    let enqueued = 0;
    for (const campaign of rows) {
      if (!campaign.cron) {
        const budget = Math.min(Math.ceil(Number(campaign.calls_per_second) * secondsOfWorkQueued), Math.max(0, campaign.free_slots)) + slackJobs;
        const limit = Math.max(0, budget - campaign.queued);
        if (limit > 0) enqueued += (await feedCampaign(app, campaign.id, now, { limit })).enqueued;
      }
      if (campaign.queued === 0) await withTransaction(app.pool, (client) => completeCampaignIfDone(client, campaign.id));
    }
    let repaired = 0;
    if (Date.now() - lastRepair >= repairEveryMs) {
      lastRepair = Date.now();
      repaired = await repairQueuedJobs(app, queue);
      await ensureMaintenanceSchedulers(maintenanceQueue, recordSweepEveryMs(app.config.CALL_RECORD_CHECK_SECONDS));
      await ensurePostCallScheduler(queueOf(app, 'postCall'));
      await rebuildSchedulers(app);
    }
    return { enqueued, repaired };
  };

  const loop = (intervalMs: number) => {
    if (stopped) return;
    running = tick()
      .catch((error: unknown) => app.log.error({ err: error }, 'feeder pass failed; trying again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(() => loop(intervalMs), intervalMs);
      });
  };

  return {
    tick,
    start: (intervalMs = 1000) => loop(intervalMs),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
