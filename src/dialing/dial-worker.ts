import { DelayedError, Worker } from 'bullmq';
import type { App } from '../app.ts';
import { DialerError } from '../errors.ts';
import { makeWorker } from '../jobs/queues.ts';
import { makeTelnyxClient, type TelnyxClient } from '../telnyx/client.ts';
import { makeDialContact } from './dial-contact.ts';
import { keyGroupPrefix } from '../redis.ts';
import { makeDialRateLimiter } from './dial-rate-limiter.ts';
import type { ProcessPressure } from './process-pressure.ts';

export interface DialWorkerOptions {
  /** Dial jobs handled at once by this process. */
  concurrency?: number;
  /** Defaults to the real client for TELNYX_API_BASE_URL / TELNYX_API_KEY. */
  telnyx?: TelnyxClient;
  /** Counts this worker's jobs in hand, for work of lower priority to give way to them. */
  pressure?: Pick<ProcessPressure, 'dialing'>;
}

/** The BullMQ worker of the dial queue: runs the dial policy and turns its steps into BullMQ moves. */
export function makeDialWorker(app: App, options: DialWorkerOptions = {}): Worker {
  const telnyx = options.telnyx ?? makeTelnyxClientFromConfig(app);
  const dialContact = makeDialContact({
    pool: app.pool,
    log: app.log,
    telnyx,
    limiter: makeDialRateLimiter(
      app.redis(),
      keyGroupPrefix(app.redisTarget, app.config.QUEUE_PREFIX, 'pace'),
      app.config.ACCOUNT_CALLS_PER_SECOND,
      app.config.PACE_GUARD_MS,
    ),
    publicBaseUrl: app.config.PUBLIC_BASE_URL,
    stopping: () => worker.closing !== undefined,
  });
  const worker: Worker = makeWorker(
    app,
    'dial',
    async (payload, job, token) => {
      const dial = () => dialContact(payload, job.attemptsStarted);
      const step = await (options.pressure ? options.pressure.dialing(dial) : dial());
      if (step.kind === 'done') return step.result;
      if (step.kind === 'rateLimited') {
        // Telnyx's limit is account-wide: every dial of the queue waits, not only this one.
        await worker.rateLimit(step.ms);
        throw Worker.RateLimitError();
      }
      await job.moveToDelayed(Date.now() + step.ms, token);
      throw new DelayedError();
    },
    // The lock outlives the longest dial request, so a slow request is never taken for a stalled job.
    // A job that does stall (its process died) may run again: the claim in Postgres lets it dial once.
    { concurrency: options.concurrency ?? 50, lockDuration: Math.max(30_000, app.config.DIAL_REQUEST_TIMEOUT_MS * 2) },
  );
  worker.on('failed', (job, error) => app.log.error({ err: error, jobId: job?.id }, 'dial job failed'));
  worker.on('error', (error) => app.log.error({ err: error }, 'dial worker error'));
  return worker;
}

function makeTelnyxClientFromConfig(app: App): TelnyxClient {
  const apiKey = app.config.TELNYX_API_KEY;
  if (!apiKey) throw new DialerError('invalid_config', 'TELNYX_API_KEY is not set: the dial worker cannot call Telnyx', 'TELNYX_API_KEY');
  return makeTelnyxClient({ apiKey, baseUrl: app.config.TELNYX_API_BASE_URL, timeoutMs: app.config.DIAL_REQUEST_TIMEOUT_MS });
}
