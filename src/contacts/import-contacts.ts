import { basename } from 'node:path';
import type { CountryCode } from 'libphonenumber-js/min';
import type pg from 'pg';
import type { App } from '../app.ts';
import { takeNewContacts } from '../campaigns/lifecycle.ts';
import { DialerError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { makeColumnPlan, type ColumnPlan } from './column-plan.ts';
import { failAbandonedImports } from './fail-abandoned-imports.ts';
import { findImportCampaign } from './find-import-campaign.ts';
import { cliImportWording, type ImportWording } from './import-wording.ts';
import { completeImport, failImport } from './finish-import.ts';
import { lockCampaignImports, type ImportLock } from './import-lock.ts';
import { loadRows } from './load-rows.ts';
import { openCsv, type CsvReader } from './read-csv.ts';
import type { Rejection } from './staging-row.ts';
import { createStagingTable } from './staging-table.ts';
import { startImport } from './start-import.ts';
import type { SupportedEncoding } from './text-decoder-stream.ts';

/** What an import uses of the App. */
export type ImportConnections = Pick<App, 'pool' | 'log'>;

export interface ImportOptions {
  campaignId: string;
  file: string;
  phoneColumn?: string | undefined;
  defaultCountry?: string | undefined;
  delimiter?: string | undefined;
  encoding?: SupportedEncoding | undefined;
  /** How messages and the summary name the file and the options (default: `dialer import`'s path and flags). */
  wording?: ImportWording | undefined;
  onProgress?: (progress: ImportProgress) => void;
  /** Rows per COPY + merge round (default 100,000); small values let tests cover several rounds. */
  rowsPerRound?: number | undefined;
}

export interface ImportProgress {
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportSummary {
  importId: string;
  campaignId: string;
  /** The file as the operator named it: its path (`dialer import`), the upload's file name (HTTP). */
  file: string;
  phoneColumn: string;
  delimiter: string;
  defaultCountry: string;
  rowsRead: number;
  /** New contacts, the suppressed ones included. */
  imported: number;
  /** New contacts on a do-not-call list: kept, never dialed. */
  suppressed: number;
  /** Valid rows whose number was already in the file or the campaign. */
  duplicates: number;
  rejectedCount: number;
  /** The first rejections (all of them unless rejectedTruncated; the full list: `dialer rejections`). */
  rejected: Rejection[];
  rejectedTruncated: boolean;
  /**
   * Set when the import gave a completed campaign contacts to dial: it is running again (dialed by the
   * workers, or from the next run of its cron schedule when it has one) and completes again when done.
   */
  campaignReopened: { status: 'running'; scheduled: boolean } | null;
}

/**
 * Loads a CSV file's contacts into a campaign in one transaction: everything or nothing is kept, so
 * a killed import leaves no partial rows and re-running it completes the campaign. Problems with the
 * file as a whole (missing, empty, bad header, bad encoding) fail it; bad rows are rejected and kept
 * with their reasons while the rest are imported.
 */
export async function importContacts(app: ImportConnections, options: ImportOptions): Promise<ImportSummary> {
  const wording = options.wording ?? cliImportWording(options.file);
  const campaign = await findImportCampaign(app.pool, options.campaignId, options.defaultCountry, wording);
  const reader = await openCsv(options.file, { delimiter: options.delimiter, encoding: options.encoding, wording });
  let client: pg.PoolClient | undefined;
  let lock: ImportLock | undefined;
  try {
    const plan = makeColumnPlan(reader.header, { phoneColumn: options.phoneColumn, wording });
    lock = await lockCampaignImports(app.pool, campaign.id);
    client = await app.pool.connect();
    // A failure mid-import destroys this connection (below); its errors reach us through the queries.
    client.on('error', () => {});
    await failAbandonedImports(client, campaign.id);
    const importId = await startImport(client, campaign.id, basename(options.file));
    try {
      return await loadInTransaction(client, app.log, reader, plan, { ...options, wording, importId, defaultCountry: campaign.defaultCountry });
    } catch (error) {
      // Dropping the connection rolls back the transaction even mid-COPY.
      client.release(true);
      client = undefined;
      await failImport(app.pool, importId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  } finally {
    client?.release();
    await lock?.release();
    reader.close();
  }
}

async function loadInTransaction(
  client: pg.PoolClient,
  log: Logger,
  reader: CsvReader,
  plan: ColumnPlan,
  options: ImportOptions & { wording: ImportWording; importId: string; defaultCountry: CountryCode },
): Promise<ImportSummary> {
  const startedAt = performance.now();
  await client.query('BEGIN');
  await createStagingTable(client);
  const loaded = await loadRows(client, reader, plan, {
    campaignId: options.campaignId,
    importId: options.importId,
    defaultCountry: options.defaultCountry,
    rowsPerRound: options.rowsPerRound,
    onProgress: (rowsRead) => options.onProgress?.({ rowsRead, bytesRead: reader.bytesRead(), totalBytes: reader.totalBytes }),
  });
  if (loaded.rowsRead === 0) throw new DialerError('invalid_input', `${options.wording.file} has a header but no data rows`, 'file');
  // A completed campaign with contacts to dial runs again, so none of them waits forever.
  const taken = await takeNewContacts(client, options.campaignId);
  const counts = { rowsRead: loaded.rowsRead, imported: loaded.inserted, duplicates: loaded.valid - loaded.inserted, rejected: loaded.rejectedCount };
  await completeImport(client, options.importId, counts);
  await client.query('COMMIT');
  log.debug({ importId: options.importId, ms: Math.round(performance.now() - startedAt), ...counts }, 'import committed');
  return {
    importId: options.importId,
    campaignId: options.campaignId,
    file: options.wording.file,
    phoneColumn: plan.header[plan.phoneIndex]!,
    delimiter: reader.delimiter,
    defaultCountry: options.defaultCountry,
    rowsRead: counts.rowsRead,
    imported: counts.imported,
    suppressed: loaded.suppressed,
    duplicates: counts.duplicates,
    rejectedCount: loaded.rejectedCount,
    rejected: loaded.rejections,
    rejectedTruncated: loaded.rejectedCount > loaded.rejections.length,
    campaignReopened: taken.reopened ? { status: 'running', scheduled: taken.scheduled } : null,
  };
}
