import type { App } from '../app.ts';
import type { CampaignConfig } from '../campaigns/config-schema.ts';
import { makeDialJobId, type DialJob } from '../jobs/catalog.ts';
import { addJobs, queueOf, type CatalogQueue } from '../jobs/queues.ts';
import { nextDialTime } from '../attempts/next-dial-time.ts';
import { nowUtcSql } from '../db/sql-time.ts';

const batchSize = 500;

export interface FeedOptions {
  /** Enqueue at most this many contacts (the continuous feeder keeps Redis to what can be dialed soon). */
  limit?: number;
}

/**
 * Feeding (Postgres decides who is due; Redis only carries the jobs, and can be rebuilt): moves
 * every due contact of a running campaign (pending, next_attempt_at null or past, calling window open
 * now) to queued and adds its dial job; contacts outside their window get
 * next_attempt_at = the window's next opening. `waiting` counts pending contacts left for later.
 * Safe to run from several processes at once: the pending -> queued UPDATE is conditional and job ids
 * are deterministic. A crash between the UPDATE and the add leaves queued contacts without a job;
 * the feeder's repair pass re-adds them.
 */
export async function feedCampaign(
  app: App,
  campaignId: string,
  now: Date = new Date(),
  options: FeedOptions = {},
): Promise<{ enqueued: number; waiting: number }> {
  const campaign = await app.pool.query<{ config: CampaignConfig }>(`SELECT config FROM campaign WHERE id = $1 AND status = 'running'`, [campaignId]);
  const config = campaign.rows[0]?.config;
  if (!config) return { enqueued: 0, waiting: await countWaiting(app, campaignId) };

  const queue = queueOf(app, 'dial');
  let enqueued = 0;
  let afterId = '00000000-0000-0000-0000-000000000000';
  while (options.limit === undefined || enqueued < options.limit) {
    const take = Math.min(batchSize, (options.limit ?? Infinity) - enqueued);
    const { rows } = await app.pool.query<{ id: string; phone: string; timezone: string | null }>(
      `SELECT id, phone, timezone FROM contact
         WHERE campaign_id = $1 AND state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ($2::timestamptz AT TIME ZONE 'UTC'))
           AND id > $3
         ORDER BY id LIMIT $4`,
      [campaignId, now.toISOString(), afterId, take],
    );
    if (rows.length === 0) break;
    afterId = rows.at(-1)!.id;

    const due: string[] = [];
    const later = new Map<string, string[]>();
    for (const contact of rows) {
      const at = nextDialTime(now, config.callingWindow, contact);
      // Never lawful (null): the claim records it as failed with the reason, without dialing.
      if (!at || at.getTime() <= now.getTime()) due.push(contact.id);
      else later.set(at.toISOString(), [...(later.get(at.toISOString()) ?? []), contact.id]);
    }
    for (const [at, ids] of later) {
      await app.pool.query(
        `UPDATE contact SET next_attempt_at = ($2::timestamptz AT TIME ZONE 'UTC'), updated_at = ${nowUtcSql}
           WHERE id = ANY($1::uuid[]) AND state = 'pending'`,
        [ids, at],
      );
    }
    const queued = await app.pool.query<{ id: string; attempt_count: number }>(
      `UPDATE contact SET state = 'queued', updated_at = ${nowUtcSql}
         WHERE id = ANY($1::uuid[]) AND state = 'pending' RETURNING id, attempt_count`,
      [due],
    );
    await addDialJobs(queue, campaignId, queued.rows);
    enqueued += queued.rows.length;
  }
  return { enqueued, waiting: await countWaiting(app, campaignId) };
}

export async function addDialJobs(queue: CatalogQueue<'dial'>, campaignId: string, contacts: { id: string; attempt_count: number }[]): Promise<void> {
  await addJobs(
    queue,
    'dial',
    contacts.map((contact) => {
      const payload: DialJob = { campaignId, contactId: contact.id, attemptNumber: contact.attempt_count + 1 };
      return { payload, jobId: makeDialJobId(payload) };
    }),
  );
}

async function countWaiting(app: App, campaignId: string): Promise<number> {
  const { rows } = await app.pool.query<{ count: string }>(`SELECT count(*) FROM contact WHERE campaign_id = $1 AND state = 'pending'`, [campaignId]);
  return Number(rows[0]?.count ?? 0);
}
