import type { App } from '../app.ts';
import { makeDialJobId } from '../jobs/catalog.ts';
import type { CatalogQueue } from '../jobs/queues.ts';
import { addDialJobs } from './feed-campaign.ts';

const liveJobStates = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/**
 * Postgres is the truth, Redis can be rebuilt from it: a contact queued for a while whose dial job no
 * longer lives (Redis restarted or flushed, a crash between feeding and adding, a failed job) gets its
 * job again. Safe because the job id is deterministic and the claim is conditional: a job added twice
 * dials once. Returns how many jobs were re-added.
 */
export async function repairQueuedJobs(app: App, queue: CatalogQueue<'dial'>, olderThanMs = 30_000, limit = 500): Promise<number> {
  const { rows } = await app.pool.query<{ id: string; campaign_id: string; attempt_count: number }>(
    `SELECT c.id, c.campaign_id, c.attempt_count FROM contact c JOIN campaign k ON k.id = c.campaign_id
     WHERE k.status = 'running' AND c.state = 'queued' AND c.updated_at < (now() AT TIME ZONE 'UTC') - make_interval(secs => $1)
     ORDER BY c.updated_at LIMIT $2`,
    [olderThanMs / 1000, limit],
  );
  let repaired = 0;
  for (const contact of rows) {
    const jobId = makeDialJobId({ contactId: contact.id, attemptNumber: contact.attempt_count + 1 });
    const state = await queue.getJobState(jobId);
    if (liveJobStates.has(state)) continue;
    if (state !== 'unknown') await queue.remove(jobId);
    await addDialJobs(queue, contact.campaign_id, [contact]);
    repaired += 1;
  }
  return repaired;
}
