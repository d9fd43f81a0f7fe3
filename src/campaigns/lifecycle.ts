import type { App } from '../app.ts';
import { campaignNotFound, isCampaignId } from './campaign-id.ts';
import { DialerError } from '../errors.ts';
import { makeDialJobId } from '../jobs/catalog.ts';
import { queueOf } from '../jobs/queues.ts';
import { completeCampaignIfDone } from '../attempts/complete-campaign-if-done.ts';
import { pauseCampaign } from '../attempts/pause-campaign.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { activeContactStates, sqlStates, waitingContactStates } from '../attempts/states.ts';
import type { Queryable } from '../db/queryable.ts';

export interface LifecycleResult {
  id: string;
  status: string;
  /** cancel only: contacts that were waiting to be dialed and are now canceled. */
  canceledContacts?: number;
}

/**
 * draft or paused -> running. The workers' feeder then dials due contacts (a campaign with a cron
 * schedule is fed by the scheduler's ticks instead). A campaign with nothing left completes at once.
 */
export async function startCampaign(app: App, id: string, allowed: readonly string[] = ['draft', 'paused']): Promise<LifecycleResult> {
  return withTransaction(app.pool, async (client) => {
    const current = await lockCampaign(client, id);
    if (current === 'running') return { id, status: current };
    if (!allowed.includes(current)) {
      throw new DialerError(
        'invalid_state',
        `campaign ${id} is ${current}; only a ${allowed.join(' or ')} campaign can be ${allowed.includes('draft') ? 'started' : 'resumed'}`,
      );
    }
    await client.query(
      `UPDATE campaign SET status = 'running', pause_reason = NULL, consecutive_rejections = 0, last_rejection_code = NULL,
         started_at = COALESCE(started_at, ${nowUtcSql}), updated_at = ${nowUtcSql} WHERE id = $1`,
      [id],
    );
    const completed = await completeCampaignIfDone(client, id);
    return { id, status: completed ? 'completed' : 'running' };
  });
}

export function resumeCampaign(app: App, id: string): Promise<LifecycleResult> {
  return startCampaign(app, id, ['paused']);
}

/** running -> paused: no new dials; calls in progress finish and are recorded. */
export async function pauseCampaignByOperator(app: App, id: string): Promise<LifecycleResult> {
  return withTransaction(app.pool, async (client) => {
    const current = await lockCampaign(client, id);
    if (current === 'paused') return { id, status: current };
    if (!(await pauseCampaign(client, id, 'paused by the operator'))) {
      throw new DialerError('invalid_state', `campaign ${id} is ${current}; only a running campaign can be paused`);
    }
    return { id, status: 'paused' };
  });
}

/**
 * Cancels a campaign: contacts not yet dialed (pending, queued) become canceled; calls in progress
 * finish and keep their outcome (without retries). Queued jobs are removed best-effort: a job left
 * behind finds nothing to claim. Canceling a canceled campaign again redoes the contact sweep, so a
 * cancel cut short between its two transactions is finished by running it again.
 */
export async function cancelCampaign(app: App, id: string): Promise<LifecycleResult> {
  await withTransaction(app.pool, async (client) => {
    const current = await lockCampaign(client, id);
    if (current === 'completed') throw new DialerError('invalid_state', `campaign ${id} is already completed`);
    await client.query(
      `UPDATE campaign SET status = 'canceled', completed_at = COALESCE(completed_at, ${nowUtcSql}), updated_at = ${nowUtcSql} WHERE id = $1`,
      [id],
    );
  });
  // A second transaction, without the campaign lock: a claim in flight holds its contact and then
  // waits for the campaign row, so taking both here would deadlock. Once the status is committed, no
  // claim can succeed, and a contact a failed claim hands back is still queued, so it is canceled here.
  // Contacts are locked in id order, as a batch of claims locks them: two sets locked in different
  // orders could deadlock.
  const { rows: canceled } = await app.pool.query<{ id: string; attempt_count: number; was_queued: boolean }>(
    `UPDATE contact c SET state = 'canceled', outcome = 'canceled', next_attempt_at = NULL, updated_at = ${nowUtcSql}
     FROM (SELECT id, state FROM contact WHERE campaign_id = $1 AND state IN ${sqlStates(waitingContactStates)} ORDER BY id FOR NO KEY UPDATE) old
     WHERE c.id = old.id RETURNING c.id, c.attempt_count, old.state = 'queued' AS was_queued`,
    [id],
  );
  const queue = queueOf(app, 'dial');
  for (const contact of canceled.filter((row) => row.was_queued)) {
    await queue.remove(makeDialJobId({ contactId: contact.id, attemptNumber: contact.attempt_count + 1 })).catch(() => 0);
  }
  return { id, status: 'canceled', canceledContacts: canceled.length };
}

export interface NewContactsOutcome {
  /** The campaign's status once the new contacts are in: a completed campaign is running again. */
  status: string;
  /** completed -> running now. */
  reopened: boolean;
  /** It has a cron schedule: its ticks, not the continuous feeder, dial the new contacts. */
  scheduled: boolean;
}

/**
 * Run by an import in its transaction, right before it commits. A completed campaign with contacts to
 * dial (the import's new ones, or ones an earlier import left waiting) is reopened (completed ->
 * running): the workers' feeder, or the next tick of its cron schedule, dials them, and it completes
 * again once they are done. Locking the row first orders this against a completion in flight:
 * completeCampaignIfDone locks the row and then looks for contacts left in a later statement, so it
 * either sees the new contacts or completes first and the campaign is reopened here. A canceled
 * campaign is refused (its contacts would never be dialed).
 */
export async function takeNewContacts(client: Queryable, id: string): Promise<NewContactsOutcome> {
  const { rows } = await client.query<{ status: string; scheduled: boolean }>(
    `SELECT status, schedule_cron IS NOT NULL AS scheduled FROM campaign WHERE id = $1 FOR NO KEY UPDATE`,
    [id],
  );
  const campaign = rows[0];
  if (!campaign) throw campaignNotFound(id);
  if (campaign.status === 'canceled') throw new DialerError('invalid_state', `campaign ${id} is canceled: contacts cannot be added`, 'campaign');
  const unchanged = { status: campaign.status, reopened: false, scheduled: campaign.scheduled };
  if (campaign.status !== 'completed') return unchanged;
  const { rowCount } = await client.query(
    `UPDATE campaign SET status = 'running', completed_at = NULL, updated_at = ${nowUtcSql}
     WHERE id = $1 AND EXISTS (SELECT 1 FROM contact WHERE campaign_id = $1 AND state IN ${sqlStates(activeContactStates)})`,
    [id],
  );
  return rowCount === 1 ? { status: 'running', reopened: true, scheduled: campaign.scheduled } : unchanged;
}

async function lockCampaign(client: Queryable, id: string): Promise<string> {
  if (!isCampaignId(id)) throw campaignNotFound(id);
  const { rows } = await client.query<{ status: string }>(`SELECT status FROM campaign WHERE id = $1 FOR NO KEY UPDATE`, [id]);
  const status = rows[0]?.status;
  if (!status) throw campaignNotFound(id);
  return status;
}
