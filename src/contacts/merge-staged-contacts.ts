import type pg from 'pg';

/**
 * Creates one contact per staged valid number not yet in the campaign. Within the file the first row
 * of a number wins: ON CONFLICT DO NOTHING skips later rows of the same number in the same statement,
 * and a temp table written by one COPY is scanned in the order it was written (temp tables are
 * backend-local, so no synchronized scan starts mid-table). Numbers on the global or this campaign's
 * do-not-call list are kept as contacts but 'suppressed', so they are never dialed.
 */
export async function mergeStagedContacts(client: pg.PoolClient, campaignId: string, importId: string): Promise<{ inserted: number; suppressed: number }> {
  const { rows } = await client.query<{ inserted: number; suppressed: number }>(
    `WITH inserted AS (
       INSERT INTO contact (id, campaign_id, phone, variables, timezone, import_id, source_row, state, outcome)
       SELECT s.id, $1::uuid, s.phone, s.variables, s.timezone, $2::uuid, s.row_number,
              CASE WHEN d.phone IS NULL THEN 'pending' ELSE 'suppressed' END::"ContactState",
              CASE WHEN d.phone IS NULL THEN NULL ELSE 'suppressed' END
         FROM import_staging s
         LEFT JOIN (
           SELECT DISTINCT phone FROM do_not_call WHERE scope IN ('global', $1::text)
         ) d ON d.phone = s.phone
        WHERE s.reason IS NULL
       ON CONFLICT (campaign_id, phone) DO NOTHING
       RETURNING state
     )
     SELECT count(*)::int AS inserted, count(*) FILTER (WHERE state = 'suppressed')::int AS suppressed FROM inserted`,
    [campaignId, importId],
  );
  return rows[0]!;
}
