import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/queryable.ts';
import type { DialJob } from '../jobs/catalog.ts';
import { nowUtcSql } from '../db/sql-time.ts';

/**
 * A dial job to claim, with the id its attempt row gets when claimed (fresh when not given). The caller
 * that chose it knows which attempt is its own even when the claim's answer is lost (the connection
 * died around the commit): no one else can hold that id, so no request can have gone out for it.
 */
export type ClaimRequest = DialJob & { attemptId?: string };

/** What the claim statement did with one dial job's contact. */
export interface TakenContact {
  /** The new attempt's id when the contact was claimed, else null. */
  attemptId: string | null;
  /** The contact is still queued for this attempt (not claimed: no slot, or the campaign stopped). */
  stillQueued: boolean;
}

// The claim of a set of contacts of one campaign, as ONE statement (its own transaction): lock the
// contacts still queued for their attempt and not on a do-not-call list (in id order, as every
// statement that locks several contacts does), then take a slot for each on the campaign row if it
// is running with that many free; only then move them to dialing and write their attempts. All or
// none of the batch: when fewer slots are free than it needs, nothing is taken (the caller claims one
// by one). The hot campaign row is written once per batch and locked for the server-side time of
// one statement and its commit, never across a round trip to Node, and is only updated, never locked
// first and updated after (under contention that pattern deadlocks on the row's tuple lock). Lock
// order: contacts, then campaign (as everywhere). A contact must appear at most once per batch.
const takeSql = `
WITH input AS (
  SELECT * FROM unnest($2::uuid[], $3::int[], $4::uuid[]) WITH ORDINALITY AS i(contact_id, attempt_number, attempt_id, ord)
), queued AS (
  SELECT c.id FROM contact c JOIN input i ON i.contact_id = c.id
  WHERE c.campaign_id = $1 AND c.state = 'queued' AND c.attempt_count + 1 = i.attempt_number
    AND NOT EXISTS (SELECT 1 FROM do_not_call d WHERE d.phone = c.phone AND (d.campaign_id IS NULL OR d.campaign_id = $1))
  ORDER BY c.id
  FOR UPDATE OF c
), wanted AS (
  SELECT count(*)::int AS slots FROM queued
), slot AS (
  UPDATE campaign SET active_calls = active_calls + (SELECT slots FROM wanted)
  WHERE id = $1 AND status = 'running' AND (SELECT slots FROM wanted) > 0
    AND active_calls + (SELECT slots FROM wanted) <= max_concurrent_calls
  RETURNING id
), taken AS (
  UPDATE contact SET state = 'dialing', attempt_count = attempt_count + 1, next_attempt_at = NULL, updated_at = ${nowUtcSql}
  WHERE id IN (SELECT id FROM queued) AND EXISTS (SELECT 1 FROM slot) RETURNING id, attempt_count
), attempt AS (
  INSERT INTO call_attempt (id, contact_id, campaign_id, attempt_number, state, claimed_at, updated_at)
  SELECT i.attempt_id, t.id, $1, t.attempt_count, 'claimed', ${nowUtcSql}, ${nowUtcSql} FROM taken t JOIN input i ON i.contact_id = t.id
  RETURNING id, contact_id
)
SELECT a.id AS attempt_id, (q.id IS NOT NULL) AS still_queued
FROM input i LEFT JOIN queued q ON q.id = i.contact_id LEFT JOIN attempt a ON a.contact_id = i.contact_id
ORDER BY i.ord`;

/** Claims the contacts of dial jobs of one campaign, all of them or none; results in the order given. */
export async function takeQueuedContacts(pool: Queryable, campaignId: string, jobs: readonly ClaimRequest[]): Promise<TakenContact[]> {
  const { rows } = await pool.query<{ attempt_id: string | null; still_queued: boolean }>(takeSql, [
    campaignId,
    jobs.map((job) => job.contactId),
    jobs.map((job) => job.attemptNumber),
    jobs.map((job) => job.attemptId ?? randomUUID()),
  ]);
  return rows.map((row) => ({ attemptId: row.attempt_id, stillQueued: row.still_queued && !row.attempt_id }));
}
