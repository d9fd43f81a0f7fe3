import type { Queryable } from '../db/queryable.ts';
import { finalContactStates } from '../attempts/states.ts';
import { readContactTallies } from '../results/read-tallies.ts';

export interface CampaignProgress {
  total: number;
  /** Contacts in a final state (nothing more will happen to them). */
  done: number;
  /** Dials started per second over the last `dialRateWindowSeconds`. */
  dialsPerSecond: number;
}

const dialRateWindowSeconds = 10;
const finalStates: ReadonlySet<string> = new Set(finalContactStates);

/** Progress of every campaign in one pass: the console's campaign list. */
export async function readCampaignsProgress(db: Queryable): Promise<Map<string, CampaignProgress>> {
  const [tallies, dials] = await Promise.all([
    readContactTallies(db, null),
    db.query<{ campaign_id: string; count: number }>(
      `SELECT a.campaign_id, count(*)::int AS count FROM campaign k
         JOIN call_attempt a ON a.campaign_id = k.id AND a.claimed_at > (now() AT TIME ZONE 'UTC') - make_interval(secs => $1)
        GROUP BY a.campaign_id`,
      [dialRateWindowSeconds],
    ),
  ]);
  const progress = new Map<string, CampaignProgress>();
  for (const tally of tallies) {
    const entry = progress.get(tally.campaignId) ?? { total: 0, done: 0, dialsPerSecond: 0 };
    entry.total += tally.contacts;
    if (finalStates.has(tally.state)) entry.done += tally.contacts;
    progress.set(tally.campaignId, entry);
  }
  for (const row of dials.rows) {
    const entry = progress.get(row.campaign_id);
    if (entry) entry.dialsPerSecond = Math.round((row.count / dialRateWindowSeconds) * 10) / 10;
  }
  return progress;
}

/** Dials started per second in each `bucketSeconds` slice of the last `minutes`, oldest first, empty slices included. */
export async function readDialRateHistory(
  db: Queryable,
  campaignId: string,
  { minutes = 5, bucketSeconds = 10 }: { minutes?: number; bucketSeconds?: number } = {},
): Promise<Array<{ at: string; dialsPerSecond: number }>> {
  const { rows } = await db.query<{ at: string; count: number }>(
    `WITH bounds AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $3) * $3) AT TIME ZONE 'UTC' AS last_start)
     SELECT to_char(slot, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at,
            (SELECT count(*)::int FROM call_attempt a
              WHERE a.campaign_id = $1 AND a.claimed_at >= slot AND a.claimed_at < slot + make_interval(secs => $3)) AS count
       FROM bounds, generate_series(bounds.last_start - make_interval(secs => $2 * 60 - $3), bounds.last_start, make_interval(secs => $3)) AS slot
      ORDER BY slot`,
    [campaignId, minutes, bucketSeconds],
  );
  return rows.map((row) => ({ at: row.at, dialsPerSecond: Math.round((row.count / bucketSeconds) * 10) / 10 }));
}
