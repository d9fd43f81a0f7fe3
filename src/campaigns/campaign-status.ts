import type pg from 'pg';
import type { App } from '../app.ts';
import { campaignNotFound, isCampaignId } from './campaign-id.ts';
import { ContactState } from '../generated/prisma/enums.ts';
import { countOutcomes, type OutcomeCounts } from '../results/count-outcomes.ts';
import { pendingReasonSql, type PendingReason } from '../attempts/states.ts';

/**
 * Why the pending contacts wait (`contacts.pending` is their sum): never dialed and due now; never
 * dialed and waiting for their calling window, the earliest opening in `windowOpensAt`; dialed before and
 * waiting for a retry, the earliest next attempt in `nextRetryAt` (ISO instants, UTC; null when none).
 */
export interface PendingContacts {
  due: number;
  window: number;
  windowOpensAt: string | null;
  retry: number;
  nextRetryAt: string | null;
}

export interface CampaignStatusReport {
  id: string;
  name: string;
  status: string;
  pauseReason: string | null;
  /** Contacts per state (every state listed, zeros included). */
  contacts: Record<ContactState, number>;
  /** The pending contacts split by why they wait (the contact_result view's `waiting`). */
  pending: PendingContacts;
  /** Final outcomes so far; voicemail (a machine answered, by AMD) apart from completed. */
  outcomes: OutcomeCounts;
  total: number;
  /** Calls dialed and not yet ended (the concurrency slots in use). */
  callsInProgress: number;
  maxConcurrentCalls: number;
  /** Dials started per second over the last `dialRateWindowSeconds`. */
  dialsPerSecond: number;
  dialRateWindowSeconds: number;
  /** Reconciliation against Telnyx's call records (calls whose end was not heard of, dials without a call_sid). */
  reconciliation: {
    /** Attempts holding a slot whose end is being looked up in the call records. */
    awaiting: number;
    /** Attempts whose end came from a call record (their terminal callback never came). */
    outcomesFromCallRecords: number;
    /** Dials the records showed were never placed (their contacts were dialed again). */
    notPlaced: number;
  };
  /**
   * What answered calls achieved (campaigns with a `conversation` block; all zero otherwise): post-call
   * work finished (read, or timed out) or still going, the goal rate (met / calls with a goal result;
   * null while none has one), opt-outs, and conversations whose insights are still pending.
   */
  conversations: {
    read: number;
    timedOut: number;
    pending: number;
    insightsPending: number;
    goalMet: number;
    withGoalResult: number;
    goalRate: number | null;
    optedOut: number;
  };
  /** Nothing more will happen: the campaign is completed or canceled and no call is in progress. */
  done: boolean;
}

const dialRateWindowSeconds = 10;

export async function getCampaignStatus(app: App, id: string): Promise<CampaignStatusReport> {
  if (!isCampaignId(id)) throw campaignNotFound(id);
  // One snapshot for every count: a call finishing between two reads must not make them disagree.
  const client = await app.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await readStatus(client, id);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

async function readStatus(client: pg.PoolClient, id: string): Promise<CampaignStatusReport> {
  const campaign = await client.query<{ name: string; status: string; pause_reason: string | null; active_calls: number; max_concurrent_calls: number }>(
    `SELECT name, status, pause_reason, active_calls, max_concurrent_calls FROM campaign WHERE id = $1`,
    [id],
  );
  const row = campaign.rows[0];
  if (!row) throw campaignNotFound(id);
  const [states, pendingRows, outcomes, recent, reconciliation, conversations] = [
    await client.query<{ state: ContactState; count: number }>(`SELECT state, count(*)::int AS count FROM contact WHERE campaign_id = $1 GROUP BY state`, [id]),
    // to_char: the instant as UTC text, whatever this process's time zone (the column is a UTC `timestamp`).
    await client.query<{ waiting: PendingReason; count: number; next_at: string | null }>(
      `SELECT ${pendingReasonSql('c')} AS waiting, count(*)::int AS count,
         to_char(min(c.next_attempt_at), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next_at
       FROM contact c WHERE c.campaign_id = $1 AND c.state = 'pending' GROUP BY 1`,
      [id],
    ),
    // From the results view: a machine-answered call counts as voicemail even when AMD reported it after the call ended.
    await countOutcomes(client, id),
    await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM call_attempt
       WHERE campaign_id = $1 AND claimed_at > (now() AT TIME ZONE 'UTC') - make_interval(secs => $2)`,
      [id, dialRateWindowSeconds],
    ),
    await client.query<{ awaiting: number; from_records: number; not_placed: number }>(
      `SELECT count(*) FILTER (WHERE slot_released_at IS NULL AND (record_checks > 0 OR record_check_at IS NOT NULL))::int AS awaiting,
         count(*) FILTER (WHERE outcome_source = 'call_record')::int AS from_records,
         count(*) FILTER (WHERE state = 'not_placed')::int AS not_placed
       FROM call_attempt WHERE campaign_id = $1`,
      [id],
    ),
    await client.query<{ read: number; timed_out: number; pending: number; insights_pending: number; goal_met: number; with_goal: number; opted_out: number }>(
      `SELECT count(*) FILTER (WHERE state = 'completed')::int AS read,
         count(*) FILTER (WHERE state = 'timed_out')::int AS timed_out,
         count(*) FILTER (WHERE state = 'pending')::int AS pending,
         count(*) FILTER (WHERE state = 'pending' AND insights_pending > 0)::int AS insights_pending,
         count(*) FILTER (WHERE goal_met)::int AS goal_met,
         count(goal_met)::int AS with_goal,
         count(*) FILTER (WHERE opted_out)::int AS opted_out
       FROM call_conversation WHERE campaign_id = $1`,
      [id],
    ),
  ];
  const talked = conversations.rows[0];
  const contacts = Object.fromEntries(Object.values(ContactState).map((state) => [state, 0])) as Record<ContactState, number>;
  for (const { state, count } of states.rows) contacts[state] = count;
  const inFlight = contacts.dialing + contacts.in_call;
  const pending: PendingContacts = { due: 0, window: 0, windowOpensAt: null, retry: 0, nextRetryAt: null };
  for (const { waiting, count, next_at } of pendingRows.rows) {
    pending[waiting] = count;
    if (waiting === 'window') pending.windowOpensAt = next_at;
    if (waiting === 'retry') pending.nextRetryAt = next_at;
  }
  return {
    id,
    name: row.name,
    status: row.status,
    pauseReason: row.pause_reason,
    contacts,
    pending,
    outcomes,
    total: Object.values(contacts).reduce((sum, count) => sum + count, 0),
    callsInProgress: row.active_calls,
    maxConcurrentCalls: row.max_concurrent_calls,
    dialsPerSecond: Math.round(((recent.rows[0]?.count ?? 0) / dialRateWindowSeconds) * 10) / 10,
    dialRateWindowSeconds,
    reconciliation: {
      awaiting: reconciliation.rows[0]?.awaiting ?? 0,
      outcomesFromCallRecords: reconciliation.rows[0]?.from_records ?? 0,
      notPlaced: reconciliation.rows[0]?.not_placed ?? 0,
    },
    conversations: {
      read: talked?.read ?? 0,
      timedOut: talked?.timed_out ?? 0,
      pending: talked?.pending ?? 0,
      insightsPending: talked?.insights_pending ?? 0,
      goalMet: talked?.goal_met ?? 0,
      withGoalResult: talked?.with_goal ?? 0,
      goalRate: talked && talked.with_goal > 0 ? Math.round((talked.goal_met / talked.with_goal) * 1000) / 1000 : null,
      optedOut: talked?.opted_out ?? 0,
    },
    done: (row.status === 'completed' || row.status === 'canceled') && row.active_calls === 0 && inFlight === 0,
  };
}
