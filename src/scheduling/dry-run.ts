import type { App } from '../app.ts';
import type { CampaignConfig } from '../campaigns/config-schema.ts';
import { findCampaignId } from '../campaigns/find-campaign-id.ts';
import { findNextCallTime } from '../calling-hours/calling-window.ts';
import { contactsPerState, readContactTallies } from '../results/read-tallies.ts';
import { countContactsByZone } from './count-contacts-by-zone.ts';
import { estimateFinish } from './estimate-finish.ts';

/** Assumed when the operator gives none: ring time plus a short AI conversation. */
export const defaultAverageCallSeconds = 90;

export interface DryRun {
  campaignId: string;
  name: string;
  status: string;
  contactsByState: Record<string, number>;
  /** Rows refused at import (bad numbers, ...): never contacts. */
  invalid: number;
  suppressed: number;
  toDial: number;
  /**
   * Contacts still to dial per set of time zones, with when their window next opens (null: never);
   * `openNow`: the window is open at the dry run's time (then nextCallAt is that time).
   */
  timeZones: Array<{ zones: string[]; contacts: number; nextCallAt: string | null; openNow: boolean }>;
  estimate: {
    finishAt: string | null;
    neverCallable: number;
    beyondHorizon: number;
    assumptions: {
      averageCallSeconds: number;
      callsPerSecond: number;
      maxConcurrentCalls: number;
      effectiveCallsPerSecond: number;
      callingWindow: CampaignConfig['callingWindow'];
      schedule: { cron: string; tz: string } | null;
      startsAt: string;
      retries: string;
    };
  };
}

/** What `dialer start` would do for a campaign, without dialing or changing anything. */
export async function makeDryRun(app: App, campaign: string, options: { now?: Date; averageCallSeconds?: number } = {}): Promise<DryRun> {
  const now = options.now ?? new Date();
  const averageCallSeconds = options.averageCallSeconds ?? defaultAverageCallSeconds;
  const campaignId = await findCampaignId(app.pool, campaign);
  const [campaignRows, tallies, invalidRows, groups] = await Promise.all([
    app.pool.query<{ name: string; status: string; config: CampaignConfig; schedule_cron: string | null; schedule_tz: string | null }>(
      `SELECT name, status, config, schedule_cron, schedule_tz FROM campaign WHERE id = $1`,
      [campaignId],
    ),
    readContactTallies(app.pool, [campaignId]),
    app.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM import_rejection r JOIN import i ON i.id = r.import_id WHERE i.campaign_id = $1`, [
      campaignId,
    ]),
    countContactsByZone(app.pool, campaignId),
  ]);
  const row = campaignRows.rows[0]!;
  const config = row.config;
  const contactsByState = Object.fromEntries(Object.entries(contactsPerState(tallies)).filter(([, count]) => count > 0));
  const schedule = row.schedule_cron ? { cron: row.schedule_cron, tz: row.schedule_tz ?? 'UTC' } : null;
  const callsPerSecond = Math.min(config.callsPerSecond, app.config.ACCOUNT_CALLS_PER_SECOND);
  const estimate = estimateFinish({
    now,
    groups,
    callingWindow: config.callingWindow,
    callsPerSecond,
    maxConcurrentCalls: config.maxConcurrentCalls,
    averageCallSeconds,
    ...(schedule ? { schedule } : {}),
  });
  return {
    campaignId,
    name: row.name,
    status: row.status,
    contactsByState,
    invalid: invalidRows.rows[0]?.count ?? 0,
    suppressed: contactsByState.suppressed ?? 0,
    toDial: estimate.contactsToDial,
    timeZones: groups.map((group) => {
      const next = findNextCallTime(now, config.callingWindow, group.zones);
      return { ...group, nextCallAt: next?.toISOString() ?? null, openNow: next?.getTime() === now.getTime() };
    }),
    estimate: {
      finishAt: estimate.finishAt?.toISOString() ?? null,
      neverCallable: estimate.neverCallable,
      beyondHorizon: estimate.beyondHorizon,
      assumptions: {
        averageCallSeconds,
        callsPerSecond,
        maxConcurrentCalls: config.maxConcurrentCalls,
        effectiveCallsPerSecond: estimate.effectiveCallsPerSecond,
        callingWindow: config.callingWindow,
        schedule,
        startsAt: now.toISOString(),
        retries:
          config.retry.maxAttempts > 1
            ? `not included: up to ${config.retry.maxAttempts - 1} more dial(s) per contact on ${config.retry.retryOn.join('/')}, each at least ${config.retry.delaySeconds} s later`
            : 'none (retry.maxAttempts is 1)',
      },
    },
  };
}
