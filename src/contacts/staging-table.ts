import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { stagingColumns } from './staging-row.ts';

/**
 * A temporary table for one import's rows, valid and rejected, filled by COPY (no WAL, no indexes:
 * the fast path) and moved into contact / import_rejection by one INSERT ... SELECT each per round.
 * Dropped at the end of the import's transaction.
 */
export async function createStagingTable(client: pg.PoolClient): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE import_staging (
       row_number int NOT NULL, id uuid, phone text, variables jsonb, timezone text, reason text, raw text
     ) ON COMMIT DROP`,
  );
}

/** A writable stream of COPY text lines (see convertRecords) into the staging table. */
export function copyIntoStaging(client: pg.PoolClient) {
  return client.query(copyFrom(`COPY import_staging (${stagingColumns.join(', ')}) FROM STDIN`));
}

export async function emptyStagingTable(client: pg.PoolClient): Promise<void> {
  await client.query('TRUNCATE import_staging');
}
