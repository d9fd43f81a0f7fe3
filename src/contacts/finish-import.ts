import type pg from 'pg';
import type { Queryable } from '../db/queryable.ts';

export interface ImportCounts {
  rowsRead: number;
  imported: number;
  duplicates: number;
  rejected: number;
}

/** Marks an import completed with its counts; runs inside the transaction that keeps its rows. */
export async function completeImport(client: pg.PoolClient, importId: string, counts: ImportCounts): Promise<void> {
  await client.query(
    `UPDATE import SET status = 'completed', finished_at = now(), rows_read = $2, imported = $3, duplicates = $4, rejected = $5
      WHERE id = $1`,
    [importId, counts.rowsRead, counts.imported, counts.duplicates, counts.rejected],
  );
}

/** Marks an import failed with the reason; nothing of it was kept (its transaction rolled back). */
export async function failImport(db: Queryable, importId: string, reason: string): Promise<void> {
  await db.query(`UPDATE import SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [importId, reason]);
}
