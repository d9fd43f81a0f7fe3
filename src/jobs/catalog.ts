import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

/**
 * Every BullMQ queue the dialer uses: its name, the zod schema of its payload and the job options
 * (retry policy). Producers and workers both go through this catalog so a payload is checked on the
 * way in and on the way out.
 */
export const jobCatalog = {
  /** One dial of one contact. */
  dial: {
    queueName: 'dial',
    payload: z.object({
      campaignId: z.uuid(),
      contactId: z.uuid(),
      attemptNumber: z.int().min(1),
    }),
    // attempts: 1 because a retried dial can place a second real call; every failure policy is
    // decided by the handler against Postgres, never by BullMQ re-running the job. Completed jobs are
    // removed at once: a kept one would block re-adding its id (a contact paused, then resumed).
    // Failed ones are kept (bounded) for inspection; the feeder's repair pass removes them when it
    // re-adds a contact's job.
    options: {
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: { count: 1000, age: 7 * 24 * 3600 },
    },
  },
  /**
   * Periodic upkeep: read the call records of calls whose end was not heard of (records), reconcile
   * unconfirmed attempts and reap calls that outlived their time limit (the last resorts).
   */
  maintenance: {
    queueName: 'maintenance',
    payload: z.object({ task: z.enum(['reconcile', 'reap', 'records', 'tallies']) }),
    options: {
      attempts: 1,
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 500 },
    },
  },
  /**
   * Post-call work, one pass at a time (a job scheduler adds one every few seconds): read what answered
   * calls achieved from Telnyx's AI conversations (transcript, insights, goal, opt-out). Its own queue
   * and worker, so it never holds up dials or the maintenance sweeps; its state is in Postgres
   * (call_conversation), so a failed or lost pass is simply the next one's work.
   */
  postCall: {
    queueName: 'post-call',
    payload: z.object({ task: z.enum(['conversations']) }),
    options: {
      attempts: 1,
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 500 },
    },
  },
  /**
   * One fire time of a campaign's cron schedule (added by its BullMQ job scheduler): feeds what is due.
   * A continuation (a delayed job the run adds itself) feeds the contacts that were waiting for their
   * calling window to open, until the next fire time.
   */
  scheduleTick: {
    queueName: 'schedule-tick',
    payload: z.object({ campaignId: z.uuid(), continuation: z.boolean().optional() }),
    // Feeding is idempotent (conditional UPDATEs, deterministic dial job ids): a failed tick may retry.
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  },
} as const satisfies Record<string, { queueName: string; payload: z.ZodType; options: JobsOptions }>;

export type JobCatalog = typeof jobCatalog;
export type QueueKey = keyof JobCatalog;
export type JobPayload<K extends QueueKey> = z.infer<JobCatalog[K]['payload']>;
export type DialJob = JobPayload<'dial'>;

/** The deterministic id of a dial job: the same contact and attempt can never be queued twice. */
export function makeDialJobId(job: Pick<DialJob, 'contactId' | 'attemptNumber'>): string {
  return `${job.contactId}-${job.attemptNumber}`;
}
