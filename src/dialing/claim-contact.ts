import type pg from 'pg';
import type { CampaignConfig } from '../campaigns/config-schema.ts';
import type { DialJob } from '../jobs/catalog.ts';
import { makeTakeOneQueuedContact, type TakeQueuedContact } from './claim-batcher.ts';
import { completeCampaignIfDone } from './complete-campaign-if-done.ts';
import { nextDialTime } from './next-dial-time.ts';
import { nowUtcSql, utcParamSql } from './sql-time.ts';
import { withTransaction } from './with-transaction.ts';

export interface ClaimedContact {
  attemptId: string;
  phone: string;
  variables: Record<string, unknown>;
  config: CampaignConfig;
}

export type ClaimResult =
  | { kind: 'claimed'; claim: ClaimedContact }
  /** The contact is not queued for this attempt (a duplicate or stale job): nothing to do. */
  | { kind: 'notClaimable' }
  /** The campaign is paused, canceled or completed: the contact goes back to pending. */
  | { kind: 'campaignNotRunning' }
  /** maxConcurrentCalls calls are in progress: try again later. */
  | { kind: 'noSlot' }
  /** On a do-not-call list: suppressed, never dialed. */
  | { kind: 'suppressed' }
  /** Outside the contact's calling window now: back to pending until it opens. */
  | { kind: 'outsideWindow'; nextAt: Date }
  /** No lawful calling time for this number (unknown zone, or a window never open in all its zones). */
  | { kind: 'noCallingWindow' };

// What the checks need, read without taking any lock; the claim statement re-checks what can change.
const readContactSql = `
SELECT c.phone, c.variables, c.timezone, k.config, k.status,
       EXISTS (SELECT 1 FROM do_not_call d WHERE d.phone = c.phone AND (d.campaign_id IS NULL OR d.campaign_id = $2)) AS on_do_not_call
FROM contact c JOIN campaign k ON k.id = c.campaign_id
WHERE c.id = $1 AND c.campaign_id = $2 AND c.state = 'queued' AND c.attempt_count + 1 = $3`;

/**
 * The longest a claimed dial waits in-process for its pace permit before the request goes out. A
 * little more than the ~3 s of work the feeder keeps queued, so a steady campaign's claims are not
 * undone and redone (each undo and redo writes the hot campaign row) just for waiting their turn.
 */
export const maxPaceWaitMs = 4000;

/**
 * Claims one contact for one dial before any request goes out. The checks that need code (calling
 * window in the contact's zones) run on a plain read; then one conditional statement (`take`, see
 * take-queued-contacts.ts; a worker batches it, see claim-batcher.ts) moves the contact queued ->
 * dialing, takes a concurrency slot and writes the attempt row, re-checking the do-not-call list,
 * the contact's state and the campaign's. Of two workers holding the same job only one can win, and
 * a crash at any point leaves either nothing or a complete claim behind.
 */
export async function claimContact(
  pool: pg.Pool,
  job: DialJob,
  now: Date = new Date(),
  take: TakeQueuedContact = makeTakeOneQueuedContact(pool),
): Promise<ClaimResult> {
  const { rows } = await pool.query<{
    phone: string;
    variables: Record<string, unknown>;
    timezone: string | null;
    config: CampaignConfig;
    status: string;
    on_do_not_call: boolean;
  }>(readContactSql, [job.contactId, job.campaignId, job.attemptNumber]);
  const row = rows[0];
  if (!row) return { kind: 'notClaimable' };

  if (row.status !== 'running') {
    // Paused/canceled/completed: back to pending, so the feeder picks it up on resume and cancel finds it.
    await giveBack(pool, job, 'pending', {});
    return { kind: 'campaignNotRunning' };
  }
  if (row.on_do_not_call) {
    await giveBack(pool, job, 'suppressed', { outcome: 'suppressed' });
    return { kind: 'suppressed' };
  }
  // The request leaves up to maxPaceWaitMs after the claim: the window must be open at both instants,
  // so a call never starts seconds after the window closed.
  const leavesBy = new Date(now.getTime() + maxPaceWaitMs);
  const opensAt = nextDialTime(now, row.config.callingWindow, row);
  const reopensAt = opensAt && opensAt.getTime() <= now.getTime() ? nextDialTime(leavesBy, row.config.callingWindow, row) : opensAt;
  if (!opensAt || !reopensAt) {
    await giveBack(pool, job, 'failed', { outcome: 'no_calling_window' });
    return { kind: 'noCallingWindow' };
  }
  // Closed now: wait for its opening. Open now but closing before the request leaves: the next one.
  let waitUntil: Date | null = null;
  if (opensAt.getTime() > now.getTime()) waitUntil = opensAt;
  else if (reopensAt.getTime() > leavesBy.getTime()) waitUntil = reopensAt;
  if (waitUntil) {
    await giveBack(pool, job, 'pending', { nextAttemptAt: waitUntil });
    return { kind: 'outsideWindow', nextAt: waitUntil };
  }

  const { attemptId, stillQueued } = await take(job);
  // Still queued without a claim: no free slot (or the campaign stopped since the read: the retry sees it).
  if (!attemptId) return stillQueued ? { kind: 'noSlot' } : { kind: 'notClaimable' };
  return { kind: 'claimed', claim: { attemptId, phone: row.phone, variables: row.variables, config: row.config } };
}

// No dial happens: the contact leaves `queued` (if this job still holds it) without counting an
// attempt. A final state may complete the campaign, in the same transaction.
async function giveBack(
  pool: pg.Pool,
  job: DialJob,
  state: 'pending' | 'suppressed' | 'failed',
  change: { outcome?: string; nextAttemptAt?: Date },
): Promise<void> {
  await withTransaction(pool, async (client) => {
    const moved = await client.query(
      `UPDATE contact SET state = $2, outcome = COALESCE($3, outcome), next_attempt_at = ${utcParamSql(4)}, updated_at = ${nowUtcSql}
       WHERE id = $1 AND state = 'queued' AND attempt_count + 1 = $5`,
      [job.contactId, state, change.outcome ?? null, change.nextAttemptAt?.toISOString() ?? null, job.attemptNumber],
    );
    if (moved.rowCount === 1 && state !== 'pending') await completeCampaignIfDone(client, job.campaignId);
  });
}
