import type { Queryable } from '../db/queryable.ts';
import type { DoNotCallScope } from './add-do-not-call-numbers.ts';

export interface DoNotCallEntryView {
  phone: string;
  scope: string;
  source: string | null;
  createdAt: string;
}

/** The entries of one list (or of every list), newest first, at most `limit`, with the total count. */
export async function listDoNotCall(
  pool: Queryable,
  scope: DoNotCallScope | undefined,
  limit: number,
): Promise<{ total: number; entries: DoNotCallEntryView[] }> {
  const scopeKey = scope === undefined ? null : scope.kind === 'global' ? 'global' : scope.campaignId;
  const [count, rows] = await Promise.all([
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM do_not_call WHERE $1::text IS NULL OR scope = $1`, [scopeKey]),
    pool.query<{ phone: string; scope: string; source: string | null; created_at: string }>(
      `SELECT phone, scope, source, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
       FROM do_not_call WHERE $1::text IS NULL OR scope = $1 ORDER BY created_at DESC, phone LIMIT $2`,
      [scopeKey, limit],
    ),
  ]);
  return {
    total: count.rows[0]?.total ?? 0,
    entries: rows.rows.map((row) => ({ phone: row.phone, scope: row.scope, source: row.source, createdAt: row.created_at })),
  };
}
