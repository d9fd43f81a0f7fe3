import type { App } from '../app.ts';
import { getCampaignStatus, type CampaignStatusReport } from '../campaigns/campaign-status.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { contactTimezones } from '../calling-hours/contact-timezones.ts';

/** Contacts whose calling window opens at the same instant. */
export interface WaitingGroup {
  opensAt: string;
  contacts: number;
  zones: string[];
}

export interface DemoSnapshot {
  status: CampaignStatusReport;
  /** Pending contacts the feeder has put off until their calling window opens (next_attempt_at ahead). */
  waiting: number;
  waitingGroups: WaitingGroup[];
  /** Contacts neither final nor waiting: still to dial, or in a call. */
  active: number;
  /** Callbacks stored so far: with the states, tells progress from a stall. */
  callbacks: number;
  /** Dials (attempts) so far, and per second over the last few seconds. */
  dials: number;
  dialsPerSecond: number;
  /** Nothing more will happen until a window opens: every contact is final or waiting, no call in progress. */
  settled: boolean;
}

// Shorter than `dialer status`'s 10 s: the demo's whole dialing may take only a few seconds.
const dialRateWindowSeconds = 2;

export async function readDemoSnapshot(app: App, campaignId: string): Promise<DemoSnapshot> {
  const status = await getCampaignStatus(app, campaignId);
  const { rows: waitingRows } = await app.pool.query<{ phone: string; timezone: string | null; opens_at: string }>(
    `SELECT phone, timezone, to_char(next_attempt_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS opens_at FROM contact
     WHERE campaign_id = $1 AND state = 'pending' AND next_attempt_at > ${nowUtcSql}
     ORDER BY next_attempt_at`,
    [campaignId],
  );
  const { rows: events } = await app.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM call_event WHERE campaign_id = $1`, [campaignId]);
  const { rows: dials } = await app.pool.query<{ total: number; recent: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE claimed_at > ${nowUtcSql} - make_interval(secs => $2))::int AS recent
     FROM call_attempt WHERE campaign_id = $1`,
    [campaignId, dialRateWindowSeconds],
  );
  const notFinal = status.contacts.pending + status.contacts.queued + status.contacts.dialing + status.contacts.in_call;
  const active = notFinal - waitingRows.length;
  return {
    status,
    waiting: waitingRows.length,
    waitingGroups: groupByOpening(waitingRows),
    active,
    callbacks: events[0]?.count ?? 0,
    dials: dials[0]?.total ?? 0,
    dialsPerSecond: (dials[0]?.recent ?? 0) / dialRateWindowSeconds,
    settled: active === 0 && status.callsInProgress === 0,
  };
}

function groupByOpening(rows: { phone: string; timezone: string | null; opens_at: string }[]): WaitingGroup[] {
  const groups = new Map<string, { contacts: number; zones: Set<string> }>();
  for (const row of rows) {
    const group = groups.get(row.opens_at) ?? { contacts: 0, zones: new Set<string>() };
    group.contacts += 1;
    for (const zone of contactTimezones(row.phone, row.timezone)) group.zones.add(zone);
    groups.set(row.opens_at, group);
  }
  return [...groups].map(([opensAt, group]) => ({ opensAt, contacts: group.contacts, zones: [...group.zones] }));
}

/** Changes whenever anything happens to the campaign's contacts or calls. */
export function progressFingerprint(snapshot: DemoSnapshot): string {
  return JSON.stringify([snapshot.status.contacts, snapshot.callbacks]);
}
