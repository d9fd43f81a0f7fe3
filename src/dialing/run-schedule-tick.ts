import type { App } from '../app.ts';
import { feedCampaign } from './feed-campaign.ts';
import { addJob, queueOf } from '../jobs/queues.ts';
import type { JobPayload } from '../jobs/catalog.ts';
import { nextRuns } from '../scheduling/cron-schedule.ts';
import { inFlightContactStates, sqlStates } from '../attempts/states.ts';

export type TickResult =
  | { campaignId: string; tickAt: string; started: true; enqueued: number; waiting: number; continuesAt: string | null }
  | { campaignId: string; tickAt: string; started: false; reason: string; continuesAt?: string | null };

/**
 * One tick of a campaign's cron schedule: feeds, once, every contact due at tick time (new contacts
 * and retries whose delay has passed), each only if its calling window is open now. A tick does not
 * start a second run while the previous one still has contacts queued, dialing or in a call, nor while
 * another tick of the same campaign is being handled (an advisory lock: ticks handled by different
 * processes serialise). The lock is a transaction lock held by a transaction kept open around the
 * tick, not a session lock: through a transaction pooler (PgBouncer) a session lock would stay on
 * whichever server connection took it, and the unlock could run on another.
 *
 * Contacts whose window is closed at tick time (the West Coast at a 09:00 New York tick) get their
 * window's next opening as next_attempt_at; the run then continues: a delayed continuation job feeds
 * again at the earliest such time, as long as it comes before the schedule's next fire time (which
 * takes over from there). Without it those contacts would never be reached by a schedule whose ticks
 * all fall outside their window.
 */
export async function runScheduleTick(app: App, payload: JobPayload<'scheduleTick'>, now: Date = new Date()): Promise<TickResult> {
  const base = { campaignId: payload.campaignId, tickAt: now.toISOString() };
  const client = await app.pool.connect();
  // A failed statement leaves the transaction aborted: the connection is dropped, which ends it and its lock.
  let broken = false;
  try {
    await client.query('BEGIN');
    const lock = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('schedule-tick'), hashtext($1)) AS locked`, [
      payload.campaignId,
    ]);
    if (!lock.rows[0]?.locked) return logged(app, { ...base, started: false, reason: 'another tick of this campaign is being handled' });
    const { rows } = await client.query<{ status: string; schedule_cron: string | null; schedule_tz: string | null; in_flight: number }>(
      `SELECT status, schedule_cron, schedule_tz,
              (SELECT count(*)::int FROM contact WHERE campaign_id = $1 AND state IN ${sqlStates(['queued', ...inFlightContactStates])}) AS in_flight
       FROM campaign WHERE id = $1`,
      [payload.campaignId],
    );
    const campaign = rows[0];
    if (!campaign) return logged(app, { ...base, started: false, reason: 'campaign no longer exists' });
    if (!campaign.schedule_cron) return logged(app, { ...base, started: false, reason: 'campaign is no longer scheduled' });
    if (campaign.status !== 'running') return logged(app, { ...base, started: false, reason: `campaign is ${campaign.status}, not running` });
    const schedule = { cron: campaign.schedule_cron, tz: campaign.schedule_tz ?? 'UTC' };
    if (campaign.in_flight > 0 && !payload.continuation) {
      const continuesAt = await continueRun(app, payload.campaignId, schedule, now);
      return logged(app, {
        ...base,
        started: false,
        reason: `previous run still going: ${campaign.in_flight} contact(s) queued, dialing or in a call`,
        continuesAt,
      });
    }
    const fed = await feedCampaign(app, payload.campaignId, now);
    const continuesAt = await continueRun(app, payload.campaignId, schedule, now);
    return logged(app, { ...base, started: true, ...fed, continuesAt });
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // Nothing was written on this connection (the feeding goes through the pool): the commit only frees the lock.
    if (!broken) await client.query('COMMIT').catch(() => (broken = true));
    client.release(broken);
  }
}

// Adds the continuation job for the earliest pending contact waiting past `now`, if that comes before
// the next fire time. The job id is derived from that instant, so ticks racing here add it once.
async function continueRun(app: App, campaignId: string, schedule: { cron: string; tz: string }, now: Date): Promise<string | null> {
  const { rows } = await app.pool.query<{ at: string | null }>(
    `SELECT to_char(min(next_attempt_at), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM contact
     WHERE campaign_id = $1 AND state = 'pending' AND next_attempt_at > ($2::timestamptz AT TIME ZONE 'UTC')`,
    [campaignId, now.toISOString()],
  );
  const at = rows[0]?.at ? new Date(rows[0].at) : null;
  const nextTick = nextRuns(schedule, now, 1)[0];
  if (!at || !nextTick || at.getTime() >= nextTick.getTime()) return null;
  await addJob(
    queueOf(app, 'scheduleTick'),
    'scheduleTick',
    { campaignId, continuation: true },
    { jobId: `continue-${campaignId}-${at.getTime()}`, delay: at.getTime() - now.getTime() },
  );
  return at.toISOString();
}

function logged(app: App, result: TickResult): TickResult {
  app.log.info(result, result.started ? 'scheduled run started' : 'scheduled tick skipped');
  return result;
}
