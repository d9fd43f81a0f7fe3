import type { Worker } from 'bullmq';
import type { App } from '../app.ts';
import { makeWorker, queueOf, type CatalogQueue } from '../jobs/queues.ts';
import { reapAttempts } from '../attempts/reap-attempts.ts';
import { reconcileAttempts } from '../attempts/reconcile-attempts.ts';
import { makeCallRecordReader } from './call-record-reader.ts';
import { checkCallRecords, checkUnconfirmedAttempts } from './check-call-records.ts';
import { maxPaceWaitMs } from '../attempts/claim-contact.ts';
import { foldTallies } from '../results/fold-tallies.ts';

/** Margin past TimeLimit + Timeout before a call without a terminal callback is reaped. */
export const reapMarginMs = 10 * 60_000;
const everyMs = 30_000;
/** Folding the campaign tallies often keeps each campaign's figures a read of a few rows. */
const foldEveryMs = 10_000;
const maintenanceTasks = ['reconcile', 'reap', 'records', 'tallies'] as const;

/** How often the call-record sweep runs: often enough that a check is due at most half its quiet time late. */
export function recordSweepEveryMs(checkSeconds: number): number {
  return Math.max(1000, Math.min(15_000, (checkSeconds * 1000) / 2));
}

/**
 * Adds the job schedulers that feed the maintenance worker where Redis lacks them (first start, or a
 * Redis that lost its keys). Ones that exist are left alone, so their next run keeps its time.
 * Idempotent and safe from any number of processes; returns how many were added.
 */
export async function ensureMaintenanceSchedulers(queue: CatalogQueue<'maintenance'>, recordsEveryMs = everyMs): Promise<number> {
  let added = 0;
  for (const task of maintenanceTasks) {
    if (await queue.getJobScheduler(task)) continue;
    const every = task === 'records' ? recordsEveryMs : task === 'tallies' ? foldEveryMs : everyMs;
    await queue.upsertJobScheduler(task, { every }, { name: task, data: { task } });
    added++;
  }
  return added;
}

/**
 * The maintenance worker: BullMQ runs each task once per period across all worker processes. Its
 * schedulers are ensured at start here and again by the feeder's repair pass (after a Redis loss).
 */
export async function startMaintenanceWorker(app: App): Promise<Worker> {
  await ensureMaintenanceSchedulers(queueOf(app, 'maintenance'), recordSweepEveryMs(app.config.CALL_RECORD_CHECK_SECONDS));
  const reader = makeCallRecordReader(app);
  let warnedNoAccount = false;
  const worker = makeWorker(app, 'maintenance', async ({ task }) => {
    if (task === 'records') {
      if (!reader) return 0;
      const sweep = await checkCallRecords(app, reader, { quietMs: app.config.CALL_RECORD_CHECK_SECONDS * 1000 });
      if (sweep.noAccount && !warnedNoAccount) {
        warnedNoAccount = true;
        app.log.warn('call records cannot be read yet: set TELNYX_ACCOUNT_SID, or it is learned from the first callback');
      }
      const unconfirmed = await checkUnconfirmedAttempts(app, reader, {
        // A claim's request leaves within maxPaceWaitMs and lasts at most DIAL_REQUEST_TIMEOUT_MS.
        inFlightMs: maxPaceWaitMs + app.config.DIAL_REQUEST_TIMEOUT_MS + 5000,
        absentChecks: app.config.CALL_RECORD_ABSENT_CHECKS,
        spacingMs: app.config.CALL_RECORD_ABSENT_SPACING_SECONDS * 1000,
      });
      return sweep.recorded + unconfirmed.adopted + unconfirmed.notPlaced;
    }
    if (task === 'tallies') return foldTallies(app.pool);
    const count =
      task === 'reconcile' ? await reconcileAttempts(app.pool, app.config.RECONCILE_GRACE_SECONDS * 1000) : await reapAttempts(app.pool, reapMarginMs);
    if (count > 0)
      app.log.warn({ task, count }, task === 'reconcile' ? 'unconfirmed attempts recorded failed_unknown' : 'calls without a terminal callback reaped');
    return count;
  });
  worker.on('error', (error) => app.log.error({ err: error }, 'maintenance worker error'));
  return worker;
}
