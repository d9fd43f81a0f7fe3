import type pg from 'pg';
import type { DialJob } from '../jobs/catalog.ts';
import { makeTakeQueuedContacts, type TakenContact } from './take-queued-contacts.ts';

/** Claims one dial job's contact (the last step of claimContact). */
export type TakeQueuedContact = (job: DialJob) => Promise<TakenContact>;

interface Pending {
  job: DialJob;
  resolve: (taken: TakenContact) => void;
  reject: (error: unknown) => void;
}

/** One claim statement per job: for callers that claim one contact at a time. */
export function makeTakeOneQueuedContact(pool: pg.Pool): TakeQueuedContact {
  const take = makeTakeQueuedContacts(pool);
  return async (job) => (await take(job.campaignId, [job]))[0]!;
}

/**
 * Group claim. Every claim writes its campaign's row (the slot counter), so claims of one campaign
 * serialise on that row's lock, held until each commit: one statement per contact capped a campaign
 * near a hundred dials a second here, with most of each claim's time spent queued on the lock. Per
 * campaign, this process sends one claim statement at a time, for every contact that asked while
 * the previous one ran (group commit), so one row lock and one WAL flush cover the whole batch.
 *
 * When the batch needs more slots than are free, it is claimed one contact at a time, in order,
 * until one finds no slot: maxConcurrentCalls stays exact. A failed batch statement is redone one
 * contact at a time, so one bad job only fails itself. A contact asked for twice (a duplicate job)
 * waits for the next batch, where the claim that won has already moved it out of `queued`.
 */
export function makeClaimBatcher(pool: pg.Pool, { maxBatch = 200 }: { maxBatch?: number } = {}): TakeQueuedContact {
  const take = makeTakeQueuedContacts(pool);
  const lines = new Map<string, Pending[]>();

  async function drain(campaignId: string, line: Pending[]): Promise<void> {
    while (line.length > 0) {
      const batch = takeBatch(line, maxBatch);
      try {
        const results = await take(campaignId, batch.map((item) => item.job));
        if (batch.length > 1 && results.some((result) => result.stillQueued)) await claimOneByOne(campaignId, batch, results);
        else batch.forEach((item, index) => item.resolve(results[index]!));
      } catch {
        await claimOneByOne(campaignId, batch, null);
      }
    }
    lines.delete(campaignId);
  }

  // In order; after the first contact that finds no free slot, the rest of the batch has none either.
  async function claimOneByOne(campaignId: string, batch: Pending[], results: TakenContact[] | null): Promise<void> {
    let slotsLeft = true;
    for (const [index, item] of batch.entries()) {
      const batchResult = results?.[index];
      if (batchResult && !batchResult.stillQueued) {
        item.resolve(batchResult);
        continue;
      }
      if (!slotsLeft) {
        item.resolve({ attemptId: null, stillQueued: true });
        continue;
      }
      try {
        const [taken] = await take(campaignId, [item.job]);
        if (taken!.stillQueued) slotsLeft = false;
        item.resolve(taken!);
      } catch (error) {
        item.reject(error);
      }
    }
  }

  return (job) =>
    new Promise<TakenContact>((resolve, reject) => {
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
  for (let index = 0; index < line.length && batch.length < max; ) {
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
