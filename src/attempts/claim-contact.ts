import type pg from 'pg';
import type { CallingWindow } from '../calling-hours/calling-window.ts';
import type { DialJob } from '../jobs/catalog.ts';
import { completeCampaignIfDone } from './complete-campaign-if-done.ts';
import { nextDialTime } from './next-dial-time.ts';
import { nowUtcSql, utcParamSql } from '../db/sql-time.ts';
import { takeQueuedContacts, type ClaimRequest, type TakenContact } from './take-queued-contacts.ts';
import { withTransaction } from '../db/with-transaction.ts';

/**
 * A campaign's config as stored (checked by the campaign config schema when the campaign was
 * created): the claim reads its calling window, the dial builds its request from the rest.
 */
export interface StoredCampaignConfig {
  callingWindow: CallingWindow;
  [key: string]: unknown;
}

export interface ClaimedContact {
  attemptId: string;
  phone: string;
  variables: Record<string, unknown>;
  config: StoredCampaignConfig;
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

// What the checks need, read without taking any lock, for a set of contacts of one campaign (one row:
// the campaign's config parsed once); the claim statement re-checks what can change.
const readContactsSql = `
SELECT k.config, k.status, COALESCE((
  SELECT json_agg(json_build_object(
    'ord', i.ord, 'phone', c.phone, 'variables', c.variables, 'timezone', c.timezone,
    'onDoNotCall', EXISTS (SELECT 1 FROM do_not_call d WHERE d.phone = c.phone AND (d.campaign_id IS NULL OR d.campaign_id = $1))))
  FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS i(contact_id, attempt_number, ord)
  JOIN contact c ON c.id = i.contact_id
  WHERE c.campaign_id = $1 AND c.state = 'queued' AND c.attempt_count + 1 = i.attempt_number
), '[]'::json) AS contacts
FROM campaign k WHERE k.id = $1`;

interface ReadContact {
  ord: number;
  phone: string;
  variables: Record<string, unknown>;
  timezone: string | null;
  onDoNotCall: boolean;
}

/**
 * The longest a claimed dial waits in-process for its pace permit before the request goes out; then
 * the claim is undone and the job tries again later. Dial jobs wait their turn before claiming (the
 * worker claims only a quarter second ahead of its permits), so claims reach this only when several
 * workers or campaigns contend for the account's rate.
 */
export const maxPaceWaitMs = 2000;

/** Claims one contact for one dial; see claimContacts. */
export async function claimContact(pool: pg.Pool, job: ClaimRequest, now: Date = new Date()): Promise<ClaimResult> {
  return (await claimContacts(pool, job.campaignId, [job], now))[0]!;
}

/**
 * Claims contacts of one campaign for one dial each, before any request goes out; results in the
 * order given. Each contact at most once per call. The checks that need code (calling window in the
 * contact's zones) run on one plain read; then one conditional statement (take-queued-contacts.ts)
 * moves the contacts queued -> dialing, takes their concurrency slots and writes their attempt rows,
 * re-checking the do-not-call list, each contact's state and the campaign's. Of two workers holding
 * the same job only one can win, and a crash at any point leaves either nothing or complete claims.
 */
export async function claimContacts(pool: pg.Pool, campaignId: string, jobs: readonly ClaimRequest[], now: Date = new Date()): Promise<ClaimResult[]> {
  const { rows } = await pool.query<{ config: StoredCampaignConfig; status: string; contacts: ReadContact[] }>(readContactsSql, [
    campaignId,
    jobs.map((job) => job.contactId),
    jobs.map((job) => job.attemptNumber),
  ]);
  const campaign = rows[0];
  const results: ClaimResult[] = jobs.map(() => ({ kind: 'notClaimable' }));
  if (!campaign) return results;
  const toTake: { index: number; contact: ReadContact }[] = [];
  for (const contact of campaign.contacts) {
    const index = contact.ord - 1;
    const checked = await checkBeforeTaking(pool, jobs[index]!, campaign, contact, now);
    if (checked) results[index] = checked;
    else toTake.push({ index, contact });
  }
  const taken = await takeAllOrOneByOne(
    pool,
    campaignId,
    toTake.map(({ index }) => jobs[index]!),
  );
  toTake.forEach(({ index, contact }, position) => {
    const { attemptId, stillQueued } = taken[position]!;
    // Still queued without a claim: no free slot (or the campaign stopped since the read: the retry sees it).
    if (attemptId) results[index] = { kind: 'claimed', claim: { attemptId, phone: contact.phone, variables: contact.variables, config: campaign.config } };
    else if (stillQueued) results[index] = { kind: 'noSlot' };
  });
  return results;
}

// The checks on the read: a result when the contact must not be taken now (it is handed back), else null.
async function checkBeforeTaking(
  pool: pg.Pool,
  job: DialJob,
  campaign: { config: StoredCampaignConfig; status: string },
  contact: ReadContact,
  now: Date,
): Promise<ClaimResult | null> {
  if (campaign.status !== 'running') {
    // Paused/canceled/completed: back to pending, so the feeder picks it up on resume and cancel finds it.
    await giveBack(pool, job, 'pending', {});
    return { kind: 'campaignNotRunning' };
  }
  if (contact.onDoNotCall) {
    await giveBack(pool, job, 'suppressed', { outcome: 'suppressed' });
    return { kind: 'suppressed' };
  }
  // The request leaves up to maxPaceWaitMs after the claim: the window must be open at both instants,
  // so a call never starts seconds after the window closed.
  const window = campaign.config.callingWindow;
  const leavesBy = new Date(now.getTime() + maxPaceWaitMs);
  const opensAt = nextDialTime(now, window, contact);
  const reopensAt = opensAt && opensAt.getTime() <= now.getTime() ? nextDialTime(leavesBy, window, contact) : opensAt;
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
  return null;
}

// The claim statement takes all of a batch or none of it. When it took none while contacts were still
// queued (fewer free slots than the batch needs), they are claimed one by one, in order, until one
// finds no slot: after it the rest find none either, and maxConcurrentCalls stays exact.
async function takeAllOrOneByOne(pool: pg.Pool, campaignId: string, jobs: ClaimRequest[]): Promise<TakenContact[]> {
  if (jobs.length === 0) return [];
  const all = await takeQueuedContacts(pool, campaignId, jobs);
  if (jobs.length === 1 || !all.some((taken) => taken.stillQueued)) return all;
  const results: TakenContact[] = [];
  let slotsLeft = true;
  for (const [index, job] of jobs.entries()) {
    if (!all[index]!.stillQueued || !slotsLeft) {
      results.push(all[index]!);
      continue;
    }
    const [one] = await takeQueuedContacts(pool, campaignId, [job]);
    if (one!.stillQueued) slotsLeft = false;
    results.push(one!);
  }
  return results;
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
