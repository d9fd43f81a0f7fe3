import type pg from 'pg';
import type { CampaignConfig } from '../campaigns/config-schema.ts';
import type { DialJob } from '../jobs/catalog.ts';
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

// The contact moves queued -> dialing and brings along what the checks need, in one round trip.
const takeContactSql = `
WITH taken AS (
  UPDATE contact SET state = 'dialing', attempt_count = attempt_count + 1, next_attempt_at = NULL, updated_at = ${nowUtcSql}
  WHERE id = $1 AND campaign_id = $2 AND state = 'queued' AND attempt_count + 1 = $3
  RETURNING phone, variables, timezone
)
SELECT taken.phone, taken.variables, taken.timezone, k.config, k.status,
       EXISTS (SELECT 1 FROM do_not_call d WHERE d.phone = taken.phone AND (d.campaign_id IS NULL OR d.campaign_id = $2)) AS on_do_not_call
FROM taken JOIN campaign k ON k.id = $2`;

/**
 * The longest a claimed dial waits in-process for its pace permit before the request goes out. A
 * little more than the ~3 s of work the feeder keeps queued, so a steady campaign's claims are not
 * undone and redone (each undo and redo writes the hot campaign row) just for waiting their turn.
 */
export const maxPaceWaitMs = 4000;

class NoSlot extends Error {}

/**
 * Claims one contact for one dial in ONE transaction, before any request goes out: moves the contact
 * queued -> dialing, re-checks the do-not-call list and the calling window (a job may wait long in
 * Redis), takes a concurrency slot and writes the attempt row. Every step is conditional, so of two
 * workers holding the same job only one can win, and a crash before COMMIT leaves nothing behind.
 * The campaign row (hot: every claim and every finished call updates it) is locked last, so it is
 * held only for the final insert.
 */
export async function claimContact(pool: pg.Pool, job: DialJob, now: Date = new Date()): Promise<ClaimResult> {
  try {
    return await withTransaction(pool, (client) => claimIn(client, job, now));
  } catch (error) {
    if (error instanceof NoSlot) return { kind: 'noSlot' };
    throw error;
  }
}

async function claimIn(client: pg.PoolClient, job: DialJob, now: Date): Promise<ClaimResult> {
  const { rows } = await client.query<{
    phone: string;
    variables: Record<string, unknown>;
    timezone: string | null;
    config: CampaignConfig;
    status: string;
    on_do_not_call: boolean;
  }>(takeContactSql, [job.contactId, job.campaignId, job.attemptNumber]);
  const row = rows[0];
  if (!row) return { kind: 'notClaimable' };

  if (row.status !== 'running') {
    // Paused/canceled/completed: back to pending, so the feeder picks it up on resume and cancel finds it.
    await giveBack(client, job, 'pending', {});
    return { kind: 'campaignNotRunning' };
  }
  if (row.on_do_not_call) {
    await giveBack(client, job, 'suppressed', { outcome: 'suppressed' });
    await completeCampaignIfDone(client, job.campaignId);
    return { kind: 'suppressed' };
  }
  // The request leaves up to maxPaceWaitMs after the claim: the window must be open at both instants,
  // so a call never starts seconds after the window closed.
  const leavesBy = new Date(now.getTime() + maxPaceWaitMs);
  const nextAt = nextDialTime(now, row.config.callingWindow, row);
  const openWhenSent = nextAt && nextAt.getTime() <= now.getTime() ? nextDialTime(leavesBy, row.config.callingWindow, row) : nextAt;
  if (!nextAt || !openWhenSent) {
    await giveBack(client, job, 'failed', { outcome: 'no_calling_window' });
    await completeCampaignIfDone(client, job.campaignId);
    return { kind: 'noCallingWindow' };
  }
  const waitUntil = openWhenSent.getTime() > leavesBy.getTime() ? openWhenSent : nextAt;
  if (waitUntil.getTime() > now.getTime()) {
    await giveBack(client, job, 'pending', { nextAttemptAt: waitUntil });
    return { kind: 'outsideWindow', nextAt: waitUntil };
  }

  const slot = await client.query(
    `UPDATE campaign SET active_calls = active_calls + 1
     WHERE id = $1 AND status = 'running' AND active_calls < max_concurrent_calls`,
    [job.campaignId],
  );
  // Rolls the whole claim back: the contact stays queued with its attempt number, as if untouched.
  if (slot.rowCount !== 1) throw new NoSlot();

  const attempt = await client.query<{ id: string }>(
    `INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, claimed_at, updated_at)
     VALUES ($1, $2, $3, 'claimed', ${nowUtcSql}, ${nowUtcSql}) RETURNING id`,
    [job.contactId, job.campaignId, job.attemptNumber],
  );
  return { kind: 'claimed', claim: { attemptId: attempt.rows[0]!.id, phone: row.phone, variables: row.variables, config: row.config } };
}

// No dial happens: the attempt number taken above is given back, so nothing is counted.
async function giveBack(
  client: pg.ClientBase,
  job: DialJob,
  state: 'pending' | 'suppressed' | 'failed',
  change: { outcome?: string; nextAttemptAt?: Date },
): Promise<void> {
  await client.query(
    `UPDATE contact SET state = $2, attempt_count = attempt_count - 1, outcome = COALESCE($3, outcome),
       next_attempt_at = ${utcParamSql(4)}, updated_at = ${nowUtcSql}
     WHERE id = $1`,
    [job.contactId, state, change.outcome ?? null, change.nextAttemptAt?.toISOString() ?? null],
  );
}
