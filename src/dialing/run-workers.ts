import type { Worker } from 'bullmq';
import type { App } from '../app.ts';
import { checkSessionSettings } from '../db/connection.ts';
import { closeWorker } from '../jobs/queues.ts';
import { startScheduling } from './start-scheduling.ts';
import { makeDialWorker, type DialWorkerOptions } from './dial-worker.ts';
import { startMaintenanceWorker } from './maintenance-worker.ts';
import { startPostCallWorker } from './post-call-worker.ts';
import { makeFeeder } from './run-feeder.ts';
import { makeProcessPressure } from './process-pressure.ts';

export interface RunningWorkers {
  /** Graceful: stops feeding and fetching, waits for in-flight dials to finish and be recorded. */
  close(): Promise<void>;
}

/**
 * Everything a `dialer worker` process runs: dial worker, maintenance worker (reconciler, reaper),
 * post-call worker (transcripts, insights),
 * the continuous feeder, and the cron schedule ticks (which feed scheduled campaigns).
 */
export async function startWorkers(app: App, options: DialWorkerOptions & { feedIntervalMs?: number } = {}): Promise<RunningWorkers> {
  // Through a transaction pooler, a wrong schema or time zone would be found one failed query at a time.
  await checkSessionSettings(app.pool, app.db);
  // Post-call reads give way to this process's dials when it is short of CPU.
  const pressure = makeProcessPressure();
  const workers: Worker[] = [makeDialWorker(app, { ...options, pressure })];
  try {
    workers.push(await startMaintenanceWorker(app));
    workers.push(await startPostCallWorker(app, { busy: pressure.busy }));
    workers.push(await startScheduling(app));
  } catch (error) {
    // A later step failed (Postgres down, tables missing): the workers already running hold Redis
    // connections and would keep the process alive, taking jobs, with nothing left to stop them.
    await Promise.all(workers.map((worker) => closeWorker(worker)));
    pressure.stop();
    throw error;
  }
  const feeder = makeFeeder(app);
  feeder.start(options.feedIntervalMs);
  return {
    async close() {
      await feeder.stop();
      await Promise.all(workers.map((worker) => closeWorker(worker)));
      pressure.stop();
    },
  };
}
