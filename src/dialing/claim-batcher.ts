import type pg from 'pg';
import { claimContact, claimContacts, type ClaimResult } from '../attempts/claim-contact.ts';
import type { ClaimRequest } from '../attempts/take-queued-contacts.ts';
import { isConnectionFailure } from '../db/connection-failure.ts';

/** Claims one dial job's contact, batched with the other claims of its campaign in this process. */
export type ClaimBatcher = (job: ClaimRequest) => Promise<ClaimResult>;

interface Pending {
  job: ClaimRequest;
  resolve: (result: ClaimResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group claim. Every claim writes its campaign's row (the slot counter), so claims of one campaign
 * serialise on that row's lock, held until each commit: with one statement per contact, a claim
 * spends most of its time queued on that lock, which caps a campaign's dial rate (BENCHMARKS.md,
 * Dial). Per campaign, this process runs one claim (one read, one claim statement) at a time, for
 * every contact that asked while the previous one ran, so one row lock and one WAL flush cover the
 * whole batch.
 *
 * A failed batch is redone one contact at a time, so one bad job only fails itself; unless Postgres
 * went away (a lost connection): then the batch may have committed with its answer lost, and every
 * claim of it fails, for each caller to undo its own attempt (ClaimRequest). A contact asked
 * for twice (a duplicate job) waits for the next batch, where the claim that won has already moved
 * it out of `queued`.
 */
export function makeClaimBatcher(pool: pg.Pool, { maxBatch = 200 }: { maxBatch?: number } = {}): ClaimBatcher {
  const lines = new Map<string, Pending[]>();

  async function drain(campaignId: string, line: Pending[]): Promise<void> {
    while (line.length > 0) {
      const batch = takeBatch(line, maxBatch);
      try {
        const results = await claimContacts(
          pool,
          campaignId,
          batch.map((item) => item.job),
        );
        batch.forEach((item, index) => item.resolve(results[index]!));
      } catch (error) {
        if (isConnectionFailure(error)) batch.forEach((item) => item.reject(error));
        else for (const item of batch) await claimContact(pool, item.job).then(item.resolve, item.reject);
      }
    }
    lines.delete(campaignId);
  }

  return (job) =>
    new Promise<ClaimResult>((resolve, reject) => {
      let line = lines.get(job.campaignId);
      const idle = !line;
      if (!line) lines.set(job.campaignId, (line = []));
      line.push({ job, resolve, reject });
      // Started on the next turn of the event loop: the jobs BullMQ hands over together share a batch.
      if (idle) setImmediate(() => void drain(job.campaignId, line));
    });
}

/** Removes and returns up to `max` pending claims, each contact once; repeats stay for the next batch. */
function takeBatch(line: Pending[], max: number): Pending[] {
  const batch: Pending[] = [];
  const contacts = new Set<string>();
  for (let index = 0; index < line.length && batch.length < max;) {
    const item = line[index]!;
    if (contacts.has(item.job.contactId)) {
      index += 1;
      continue;
    }
    contacts.add(item.job.contactId);
    batch.push(item);
    line.splice(index, 1);
  }
  return batch;
}
