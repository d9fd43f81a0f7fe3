import type pg from 'pg';
import type { App } from '../app.ts';
import { campaignNotFound, isCampaignId } from './campaign-id.ts';
import type { ContactState } from '../generated/prisma/enums.ts';
import { outcomesOf, type OutcomeCounts } from '../results/count-outcomes.ts';
import { contactsPerState, readContactTallies, readConversationTallies, type ContactTally, type ConversationTally } from '../results/read-tallies.ts';

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
  // Contacts and conversations from the tallies kept with them (a few rows, not a million); only what
  // depends on the clock (a calling window opening) and the small sets of attempts are read directly.
  const [tallies, talks, windowRows, retryRows, recent, reconciliation] = [
    await readContactTallies(client, [id]),
    await readConversationTallies(client, [id]),
    // to_char: the instant as UTC text, whatever this process's time zone (the column is a UTC `timestamp`).
    await client.query<{ count: number; next_at: string | null }>(
      `SELECT count(*)::int AS count, to_char(min(next_attempt_at), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next_at
         FROM contact WHERE campaign_id = $1 AND state = 'pending' AND attempt_count <= unplaced_attempts
          AND next_attempt_at > (now() AT TIME ZONE 'UTC')`,
      [id],
    ),
    await client.query<{ next_at: string | null }>(
      `SELECT to_char(min(next_attempt_at), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next_at
         FROM contact WHERE campaign_id = $1 AND state = 'pending' AND attempt_count > unplaced_attempts AND next_attempt_at IS NOT NULL`,
      [id],
    ),
    await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM call_attempt
       WHERE campaign_id = $1 AND claimed_at > (now() AT TIME ZONE 'UTC') - make_interval(secs => $2)`,
      [id, dialRateWindowSeconds],
    ),
    // Three counts, each a small range of its own (partial) index.
    await client.query<{ awaiting: number; from_records: number; not_placed: number }>(
      `SELECT (SELECT count(*)::int FROM call_attempt WHERE campaign_id = $1 AND slot_released_at IS NULL
                  AND (record_checks > 0 OR record_check_at IS NOT NULL)) AS awaiting,
              (SELECT count(*)::int FROM call_attempt WHERE campaign_id = $1 AND outcome_source = 'call_record') AS from_records,
              (SELECT count(*)::int FROM call_attempt WHERE campaign_id = $1 AND state = 'not_placed') AS not_placed`,
      [id],
    ),
  ];
  const contacts = contactsPerState(tallies);
  const inFlight = contacts.dialing + contacts.in_call;
  // The pendingReasons split: dialed before is a retry; never dialed waits for its window or is due.
  const sumOf = (keep: (tally: ContactTally) => boolean) => tallies.filter(keep).reduce((sum, tally) => sum + tally.contacts, 0);
  const window = windowRows.rows[0] ?? { count: 0, next_at: null };
  const pending: PendingContacts = {
    due: sumOf((tally) => tally.state === 'pending' && !tally.dialed) - window.count,
    window: window.count,
    windowOpensAt: window.next_at,
    retry: sumOf((tally) => tally.state === 'pending' && tally.dialed),
    nextRetryAt: retryRows.rows[0]?.next_at ?? null,
  };
  const conversationsWhere = (keep: (tally: ConversationTally) => boolean) => talks.filter(keep).reduce((sum, tally) => sum + tally.conversations, 0);
  const goalMet = conversationsWhere((tally) => tally.goalMet === true);
  const withGoalResult = conversationsWhere((tally) => tally.goalMet !== null);
  return {
    id,
    name: row.name,
    status: row.status,
    pauseReason: row.pause_reason,
    contacts,
    pending,
    outcomes: outcomesOf(tallies),
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
      read: conversationsWhere((tally) => tally.state === 'completed'),
      timedOut: conversationsWhere((tally) => tally.state === 'timed_out'),
      pending: conversationsWhere((tally) => tally.state === 'pending'),
      insightsPending: conversationsWhere((tally) => tally.state === 'pending' && tally.insightsPending),
      goalMet,
      withGoalResult,
      goalRate: withGoalResult > 0 ? Math.round((goalMet / withGoalResult) * 1000) / 1000 : null,
      optedOut: conversationsWhere((tally) => tally.optedOut),
    },
    done: (row.status === 'completed' || row.status === 'canceled') && row.active_calls === 0 && inFlight === 0,
  };
}
