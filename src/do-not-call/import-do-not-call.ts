import { basename } from 'node:path';
import type { App } from '../app.ts';
import { addDoNotCallNumbers } from './add-do-not-call-numbers.ts';
import { findCampaignScope } from './find-campaign-for-scope.ts';
import { readPhoneCsv } from './read-phone-csv.ts';

export interface DoNotCallImport {
  file: string;
  /** 'global' or the campaign id. */
  scope: string;
  rowsRead: number;
  added: number;
  /** Valid numbers that were already on this list (or repeated in the file). */
  alreadyListed: number;
  suppressedContacts: number;
  rejected: number;
  /** The first rejected rows, by spreadsheet row number; `rejected` counts them all. */
  rejections: Array<{ row: number; reason: string; raw: string }>;
}

const batchSize = 5000;
const keptRejections = 1000;

/**
 * Loads a CSV of numbers into the do-not-call list (global, or one campaign's) and suppresses every
 * matching contact not yet dialed. Bad rows are reported by row number; the good rows around them are
 * kept. Each batch commits on its own, so a failure midway keeps what was already listed.
 */
export async function importDoNotCall(
  app: App,
  file: string,
  options: { campaignId?: string; onProgress?: (rows: number) => void } = {},
): Promise<DoNotCallImport> {
  const { scope, defaultCountry } = await findCampaignScope(app.pool, options.campaignId);
  const result: DoNotCallImport = {
    file,
    scope: scope.kind === 'global' ? 'global' : scope.campaignId,
    rowsRead: 0,
    added: 0,
    alreadyListed: 0,
    suppressedContacts: 0,
    rejected: 0,
    rejections: [],
  };
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const added = await addDoNotCallNumbers(app.pool, scope, batch, `import:${basename(file)}`);
    result.added += added.added;
    result.alreadyListed += batch.length - added.added;
    result.suppressedContacts += added.suppressedContacts;
    batch = [];
    options.onProgress?.(result.rowsRead);
  };
  for await (const row of readPhoneCsv(file, defaultCountry)) {
    result.rowsRead++;
    if ('phone' in row) batch.push(row.phone);
    else {
      result.rejected++;
      if (result.rejections.length < keptRejections) result.rejections.push(row);
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  // debug, not info: `dnc import` prints its own summary, and a normal run must show nothing else.
  app.log.debug(
    { file, scope: result.scope, added: result.added, rejected: result.rejected, suppressedContacts: result.suppressedContacts },
    'do-not-call list imported',
  );
  return result;
}
