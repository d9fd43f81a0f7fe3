import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import type { CountryCode } from 'libphonenumber-js/min';
import type { ColumnPlan } from './column-plan.ts';
import { makeCopyChunks } from './copy-chunks.ts';
import { mergeStagedContacts } from './merge-staged-contacts.ts';
import type { CsvReader } from './read-csv.ts';
import { makeSequentialUuids } from './sequential-uuids.ts';
import { convertRecords, type Rejection } from './staging-row.ts';
import { hintedRejectionsPerFile } from './normalize-phone.ts';
import { copyIntoStaging, emptyStagingTable } from './staging-table.ts';
import { storeStagedRejections } from './store-staged-rejections.ts';

export interface LoadTotals {
  rowsRead: number;
  valid: number;
  inserted: number;
  suppressed: number;
  rejectedCount: number;
  /** The first rejections, for the summary (all of them are stored). */
  rejections: Rejection[];
}

// Rows per COPY + merge round. While Postgres merges one round, the next is parsed into memory, so
// parsing (Node) and inserting (Postgres) overlap on separate cores. (pg runs one query at a time per
// connection and deprecates queueing, so the next COPY waits for the merge.) The buffer holds a whole
// round of ordinary rows (~130 bytes each): a smaller bound would end the round early and leave Node
// idle through most of each merge (BENCHMARKS.md, Import). Wide rows end a round at copyBufferBytes
// instead, so memory stays bounded whatever the file.
const defaultRowsPerRound = 50_000;
const copyBufferBytes = 16 * 1024 * 1024;
const maxRejectionsInSummary = 1_000;

/**
 * Streams the CSV's records into contact and import_rejection through the staging table, in rounds,
 * inside the caller's transaction. Memory stays bounded: one batch being converted, the COPY stream's
 * buffer, and at most copyBufferBytes of rows parsed while the previous round merges.
 */
export async function loadRows(
  client: pg.PoolClient,
  reader: CsvReader,
  plan: ColumnPlan,
  options: {
    campaignId: string;
    importId: string;
    defaultCountry: CountryCode;
    rowsPerRound?: number | undefined;
    onProgress?: ((rowsRead: number) => void) | undefined;
  },
): Promise<LoadTotals> {
  const totals: LoadTotals = { rowsRead: 0, valid: 0, inserted: 0, suppressed: 0, rejectedCount: 0, rejections: [] };
  const convertOptions = {
    defaultCountry: options.defaultCountry,
    delimiter: reader.delimiter,
    nextId: makeSequentialUuids(),
    hints: { remaining: hintedRejectionsPerFile },
  };
  const chunks = makeCopyChunks();
  let copy: Copy | undefined = openCopy(client);
  let rowsInRound = 0;
  let bytesInRound = 0;
  // The previous round's merge, running in Postgres while this round is parsed into `pending`.
  let merging: Promise<void> | undefined;
  let merged = false;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const startMerge = () => {
    merged = false;
    merging = (async () => {
      const round = await mergeStagedContacts(client, options.campaignId, options.importId);
      await storeStagedRejections(client, options.importId);
      await emptyStagingTable(client);
      totals.inserted += round.inserted;
      totals.suppressed += round.suppressed;
    })().finally(() => (merged = true));
    merging.catch(() => {}); // awaited before the next COPY; no unhandled rejection meanwhile
  };
  const openNextCopy = async (): Promise<Copy> => {
    await merging;
    const next = openCopy(client);
    for (const chunk of pending) await writeCopy(next, chunk);
    pending = [];
    pendingBytes = 0;
    return next;
  };
  const endRound = async (current: Copy) => {
    const rest = chunks.takeRest();
    if (rest) await writeCopy(current, rest);
    current.end();
    await finished(current);
    chunks.recycle();
    startMerge();
  };

  try {
    for await (const batch of reader.batches()) {
      const converted = convertRecords(batch, plan, convertOptions);
      totals.rowsRead += converted.rowsRead;
      totals.valid += converted.valid;
      totals.rejectedCount += converted.rejections.length;
      for (const rejection of converted.rejections) if (totals.rejections.length < maxRejectionsInSummary) totals.rejections.push(rejection);
      // As bytes at once (compact, off the JS heap): the text, a rope of small strings, dies young.
      const filled = chunks.append(converted.copyText);
      if (copy) {
        for (const chunk of filled) await writeCopy(copy, chunk);
      } else {
        pending.push(...filled);
        for (const chunk of filled) pendingBytes += chunk.length;
        if (merged || pendingBytes >= copyBufferBytes) copy = await openNextCopy();
      }
      options.onProgress?.(totals.rowsRead);
      rowsInRound += batch.length;
      bytesInRound += converted.copyText.length;
      if (rowsInRound >= (options.rowsPerRound ?? defaultRowsPerRound) || bytesInRound >= copyBufferBytes) {
        await endRound(copy ?? (await openNextCopy()));
        copy = undefined;
        rowsInRound = 0;
        bytesInRound = 0;
      }
    }
    await endRound(copy ?? (await openNextCopy()));
    copy = undefined;
    await merging;
  } catch (error) {
    // Aborting the COPY (and then the connection) makes the stream report errors we already have.
    copy?.on('error', () => {});
    copy?.destroy();
    throw error;
  }
  return totals;
}

type Copy = ReturnType<typeof copyIntoStaging>;

function openCopy(client: pg.PoolClient): Copy {
  return copyIntoStaging(client);
}

async function writeCopy(copy: Copy, bytes: Buffer): Promise<void> {
  if (copy.errored) throw copy.errored;
  // 'error' is emitted on a later tick, so listening right after write() cannot miss it.
  if (!copy.write(bytes)) await once(copy, 'drain');
}
