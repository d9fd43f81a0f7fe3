import type pg from 'pg';

/** Keeps every rejected row of the import (row number, reason, the row as read) for the export. */
export async function storeStagedRejections(client: pg.PoolClient, importId: string): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO import_rejection (import_id, row_number, reason, raw)
     SELECT $1, row_number, reason, raw FROM import_staging WHERE reason IS NOT NULL`,
    [importId],
  );
  return rowCount ?? 0;
}
