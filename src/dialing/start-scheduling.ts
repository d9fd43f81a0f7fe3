import type { Worker } from 'bullmq';
import type { App } from '../app.ts';
import { makeWorker } from '../jobs/queues.ts';
import { runScheduleTick } from './run-schedule-tick.ts';
import { rebuildSchedulers } from '../scheduling/schedules.ts';

/**
 * The scheduling part of a worker process: rebuilds the BullMQ job schedulers from Postgres (they
 * may be missing after a Redis loss), then handles tick jobs. Any number of processes may run this:
 * each tick job is taken by one of them.
 */
export async function startScheduling(app: App, clock: () => Date = () => new Date()): Promise<Worker> {
  const rebuilt = await rebuildSchedulers(app);
  app.log.info(rebuilt, 'campaign schedules rebuilt from Postgres');
  const worker = makeWorker(app, 'scheduleTick', (payload) => runScheduleTick(app, payload, clock()));
  // As the dial and maintenance workers: BullMQ reports connection trouble here, and reconnects.
  worker.on('error', (error) => app.log.error({ err: error }, 'schedule tick worker error'));
  return worker;
}
