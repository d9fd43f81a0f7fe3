import type pg from 'pg';
import { withTransaction } from '../db/with-transaction.ts';
import { applyLateMachineAnswers } from '../attempts/apply-late-machine-answers.ts';
import { outcomeOf } from '../attempts/retry-policy.ts';
import type { CallbackFacts } from './read-callback-facts.ts';
import { recordCallbacks, type CallbackToRecord, type RecordedCallback } from './record-callback.ts';
import { isTerminalAttemptState } from '../attempts/states.ts';

export interface CallbackBatcher {
  /** Resolves once the callback is committed (stored and applied), never before. */
  record(attemptToken: string, facts: CallbackFacts, payload: Record<string, unknown>): Promise<RecordedCallback>;
}

interface Pending {
  attemptToken: string;
  facts: CallbackFacts;
  payload: Record<string, unknown>;
  resolve: (recorded: RecordedCallback) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for callbacks. A commit costs a WAL flush (milliseconds); callbacks arrive by thousands
 * a second. Each lane commits whatever queued up while its previous commit ran, at once (one statement
 * for the batch, plus a few for all its ended calls together, see commitBatch), so one flush covers
 * many callbacks. Nobody is answered before the commit: nothing acknowledged to Telnyx
 * is ever lost. A failed batch is redone one callback per transaction, so one bad callback (or a
 * deadlock) only fails itself.
 *
 * Lanes are chosen by attempt token: one attempt's callbacks always share a lane, so two lanes never
 * wait on each other's attempt rows. Two lanes: more only split the same load into smaller batches,
 * more round trips and commits (BENCHMARKS.md, Callbacks), and ending batches of one campaign
 * serialise on its row anyway.
 */
export function makeCallbackBatcher(pool: pg.Pool, { lanes = 2, maxBatch = 256 }: { lanes?: number; maxBatch?: number } = {}): CallbackBatcher {
  const queues: Pending[][] = Array.from({ length: lanes }, () => []);
  const busy = new Array<boolean>(lanes).fill(false);

  async function drain(lane: number): Promise<void> {
    busy[lane] = true;
    const queue = queues[lane]!;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await commitBatch(pool, batch);
        batch.forEach((item, index) => item.resolve(results[index]!));
      } catch {
        await Promise.all(batch.map((item) => commitBatch(pool, [item]).then(([recorded]) => item.resolve(recorded!), item.reject)));
      }
    }
    busy[lane] = false;
  }

  return {
    record(attemptToken, facts, payload) {
      const lane = laneOf(attemptToken, lanes);
      return new Promise<RecordedCallback>((resolve, reject) => {
        queues[lane]!.push({ attemptToken, facts, payload, resolve, reject });
        if (!busy[lane]) void drain(lane);
      });
    },
  };
}

function laneOf(token: string, lanes: number): number {
  let hash = 0;
  for (let index = 0; index < token.length; index += 1) hash = (hash * 31 + token.charCodeAt(index)) >>> 0;
  return hash % lanes;
}

/**
 * Only a callback that ends a call needs statements that must commit together (recording it, then
 * finishAttempts). A batch ending no call only stores and applies callbacks, each one within a single
 * statement that commits on its own, so it runs without BEGIN and COMMIT: two round trips fewer for
 * most batches.
 */
async function commitBatch(pool: pg.Pool, batch: readonly CallbackToRecord[]): Promise<RecordedCallback[]> {
  const results = await recordBatch(pool, batch);
  // A machine AMD result arriving after the call ended redoes the contact's retry decision, in its
  // own transaction (rare; idempotent, and run again when Telnyx redelivers the callback).
  await applyLateMachineAnswers(pool, lateMachineAnswers(batch, results));
  return results;
}

async function recordBatch(pool: pg.Pool, batch: readonly CallbackToRecord[]): Promise<RecordedCallback[]> {
  if (batch.some(endsCall)) return withTransaction(pool, (client) => recordCallbacks(client, batch));
  const client = await pool.connect();
  try {
    return await recordCallbacks(client, batch);
  } finally {
    client.release();
  }
}

function endsCall({ facts }: CallbackToRecord): boolean {
  return facts.transition !== null && isTerminalAttemptState(facts.transition.state);
}

/** Attempts of the batch whose AMD said "machine" after the call had already ended as completed. */
function lateMachineAnswers(batch: readonly CallbackToRecord[], results: readonly RecordedCallback[]): Set<string> {
  const attemptIds = new Set<string>();
  batch.forEach((callback, index) => {
    const result = results[index];
    if (!result || result.outcome === 'unknown_attempt' || result.finished !== null) return;
    if (callback.facts.kind !== 'amd' || result.state !== 'completed') return;
    if (outcomeOf('completed', callback.facts.answeredBy) !== 'voicemail') return;
    attemptIds.add(result.attemptId);
  });
  return attemptIds;
}
